//! The needs service's clock: offers time out (and, with auto-offer, pass to the next
//! candidate), reminders fall due (an event, and an email to the volunteer through the
//! notifications service), and needs whose time has passed unfilled expire. Runs in every office on an interval; each step in an office is
//! its own transaction, and calls to the volunteers service happen between them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;

use crate::Deps;
use crate::api::needs::{change_status, restaff};
use crate::api::offers::offer_next;
use crate::api::request_email;
use crate::domain::Schedule;
use crate::domain::{AssignmentStatus, NeedStatus, OfferStatus};
use crate::events::{self, OFFER_EXPIRED, REMINDER_DUE};
use crate::store::{assignments, json_list, needs, offers, to_json};
use crate::volunteers::Contact;

/// What one pass did in an office.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub offers_expired: usize,
    pub reminders: usize,
    pub needs_expired: usize,
}

/// The reminder lead due for something starting at `starts_at`: the shortest whose window it is
/// in, unless that one (or a shorter) was announced already.
fn due_lead(deps: &Deps, starts_at: DateTime<Utc>, now: DateTime<Utc>, sent: &str) -> Option<u32> {
    let left = (starts_at - now).num_minutes();
    let lead = deps
        .settings
        .reminder_leads
        .iter()
        .copied()
        .filter(|l| i64::from(*l) >= left)
        .min()?;
    let sent: Vec<u32> = json_list(sent);
    (!sent.iter().any(|s| *s <= lead)).then_some(lead)
}

/// What a reminder is about.
struct Due {
    assignment: uuid::Uuid,
    visit: Option<uuid::Uuid>,
    need: uuid::Uuid,
    volunteer: uuid::Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    lead: u32,
}

/// Publishes `needs.reminder.due` and asks for the reminder email to the volunteer.
async fn remind(
    txn: &lacznik_tenancy::TenantTxn,
    due: &Due,
    contacts: &[Contact],
) -> Result<(), Problem> {
    events::emit(
        txn,
        REMINDER_DUE,
        serde_json::json!({
            "assignment_id": due.assignment,
            "visit_id": due.visit,
            "need_id": due.need,
            "volunteer_id": due.volunteer,
            "starts_at": due.starts_at,
            "lead_minutes": due.lead,
        }),
    )
    .await?;
    let (Some(contact), Some(need)) = (
        contacts.iter().find(|c| c.id == due.volunteer),
        needs::get(txn, due.need).await?,
    ) else {
        return Ok(());
    };
    let when = Schedule::Once {
        starts_at: due.starts_at,
        ends_at: due.ends_at,
    }
    .describe();
    request_email(
        txn,
        "reminder",
        (
            &contact.email,
            &format!("{} {}", contact.first_name, contact.last_name),
        ),
        String::new(),
        None,
        serde_json::json!({
            "first_name": contact.first_name,
            "assignment_id": due.assignment,
            "visit_id": due.visit,
            "need_title": need.title,
            "when": when,
            "starts_at": due.starts_at,
            "lead_minutes": due.lead,
        }),
    )
    .await
}

/// Runs [`sweep_office`] in every office every `every`, forever.
pub async fn run(db: TenantDb, deps: Deps, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let offices = match deps.offices.all().await {
            Ok(offices) => offices,
            Err(error) => {
                tracing::warn!(%error, "sweep: offices unavailable");
                continue;
            }
        };
        for office in offices {
            if let Err(problem) = sweep_office(&db, &deps, &office).await {
                tracing::warn!(code = problem.code, office = %office.slug, "sweep failed");
            }
        }
    }
}

/// One pass in one office.
pub async fn sweep_office(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
) -> Result<Swept, Problem> {
    let mut swept = Swept::default();
    let now = Utc::now();

    // Offers nobody answered in time.
    let txn = db.begin(office.id).await?;
    let mut touched = Vec::new();
    for o in offers::overdue(&txn, now).await? {
        let Some(n) = needs::lock(&txn, o.need_id).await? else {
            continue;
        };
        let expired = offers::set_status(&txn, o, OfferStatus::Expired).await?;
        events::emit(
            &txn,
            OFFER_EXPIRED,
            serde_json::json!({
                "offer_id": expired.id,
                "need_id": n.id,
                "volunteer_id": expired.volunteer_id,
                "kind": n.kind,
                "offered_at": expired.offered_at,
            }),
        )
        .await?;
        swept.offers_expired += 1;
        if !touched.contains(&n.id) {
            touched.push(n.id);
        }
    }
    let mut auto = Vec::new();
    for id in touched {
        if let Some(n) = needs::get(&txn, id).await? {
            if n.auto_offer {
                auto.push(n.id);
            }
            restaff(&txn, n, None).await?;
        }
    }
    txn.commit().await?;
    for need in auto {
        offer_next(db, deps, office, need).await;
    }

    // Reminders: each one-off assignment, and each planned visit of a pairing, gets the shortest
    // lead whose window it is in, once; one made an hour before it starts gets the 2-hour
    // reminder only, not the 24-hour one too. The volunteers' addresses are read first, outside
    // any transaction of ours.
    if let Some(longest) = deps.settings.reminder_leads.first() {
        let until = now + chrono::Duration::minutes(i64::from(*longest));
        let txn = db.begin(office.id).await?;
        let mut volunteers: Vec<uuid::Uuid> = assignments::starting_between(&txn, now, until)
            .await?
            .iter()
            .map(|a| a.volunteer_id)
            .collect();
        for v in assignments::visits_starting_between(&txn, now, until).await? {
            if let Some(a) = assignments::get(&txn, v.assignment_id).await? {
                volunteers.push(a.volunteer_id);
            }
        }
        txn.commit().await?;
        volunteers.sort();
        volunteers.dedup();
        let contacts = if volunteers.is_empty() {
            Vec::new()
        } else {
            match deps.volunteers.contacts(office, &volunteers).await {
                Ok(contacts) => contacts,
                Err(problem) => {
                    // The events still go; the emails wait for no one — they would come too late.
                    tracing::warn!(code = problem.code, "reminders without emails this pass");
                    Vec::new()
                }
            }
        };

        let txn = db.begin(office.id).await?;
        for a in assignments::starting_between(&txn, now, until).await? {
            if !assignments::visits(&txn, a.id).await?.is_empty() {
                continue; // a pairing: its visits are reminded one by one below
            }
            let Some(lead) = due_lead(deps, a.starts_at, now, &a.reminders) else {
                continue;
            };
            let due = Due {
                assignment: a.id,
                visit: None,
                need: a.need_id,
                volunteer: a.volunteer_id,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                lead,
            };
            remind(&txn, &due, &contacts).await?;
            let mut sent: Vec<u32> = json_list(&a.reminders);
            sent.push(lead);
            let mut row = a.into_active_model();
            row.reminders = Set(to_json(&sent));
            assignments::save(&txn, row).await?;
            swept.reminders += 1;
        }
        for v in assignments::visits_starting_between(&txn, now, until).await? {
            let Some(a) = assignments::get(&txn, v.assignment_id).await? else {
                continue;
            };
            if !AssignmentStatus::parse(&a.status).is_live() {
                continue;
            }
            let Some(lead) = due_lead(deps, v.starts_at, now, &v.reminders) else {
                continue;
            };
            let due = Due {
                assignment: a.id,
                visit: Some(v.id),
                need: a.need_id,
                volunteer: a.volunteer_id,
                starts_at: v.starts_at,
                ends_at: v.ends_at,
                lead,
            };
            remind(&txn, &due, &contacts).await?;
            let mut sent: Vec<u32> = json_list(&v.reminders);
            sent.push(lead);
            let mut row = v.into_active_model();
            row.reminders = Set(to_json(&sent));
            assignments::save_visit(&txn, row).await?;
            swept.reminders += 1;
        }
        txn.commit().await?;
    }

    // Needs whose time passed with nobody assigned.
    let today = lacznik_types::local_time::warsaw(now).date();
    let txn = db.begin(office.id).await?;
    for n in needs::in_statuses(&txn, &[NeedStatus::Open, NeedStatus::Offered]).await? {
        let past = match (n.starts_at, n.period_until) {
            (Some(starts_at), _) => starts_at <= now,
            (None, Some(until)) => until < today,
            _ => false,
        };
        if !past {
            continue;
        }
        for o in offers::for_need(&txn, n.id).await? {
            if OfferStatus::parse(&o.status) == OfferStatus::Pending {
                offers::set_status(&txn, o, OfferStatus::Expired).await?;
            }
        }
        change_status(
            &txn,
            n,
            NeedStatus::Expired,
            None,
            Some("termin minął bez przydziału".to_owned()),
        )
        .await?;
        swept.needs_expired += 1;
    }
    txn.commit().await?;
    Ok(swept)
}
