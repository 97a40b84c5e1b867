//! Offers: a coordinator offers a need to one or several candidates; each gets an email with a
//! link that answers without logging in (an unguessable single-use secret, kept only as a
//! hash, that expires) and sees the offer in the volunteer portal too. The first acceptances
//! fill the places — the volunteer is booked in the volunteers service, which refuses
//! overlapping times — and later ones are told the need is filled. With auto-offer, a decline
//! or a timeout passes the need to the next candidate.

use chrono::{DateTime, Utc};
use lacznik_auth::secret::{hash_secret, new_secret};
use lacznik_http::auth::Bearer;
use lacznik_http::{Problem, TenantContext};
use lacznik_queue::email::page_link;
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::catalogue::KINDS_OF_HELP;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::needs::{asked, criteria, filled, pending, restaff, schedule_of};
use super::request_email;
use crate::Deps;
use crate::domain::{AssignmentStatus, NeedStatus, OfferStatus, Schedule, occurrences};
use crate::events::{
    self, ASSIGNMENT_CONFIRMED, OFFER_ACCEPTED, OFFER_DECLINED, OFFER_FILLED, OFFER_MADE,
};
use crate::store::beneficiaries::{self, Read};
use crate::store::entity::{need, offer};
use crate::store::{assignments, needs, offers};
use crate::volunteers::{Booking, Contact};

#[derive(Tags)]
enum Tag {
    /// Propozycje (offers)
    Offers,
}

/// The page of an offer, at the office's address.
const OFFER_PAGE: &str = "wolontariat/oferta";

/// Whom to offer the need to.
#[derive(Debug, Object)]
pub struct OfferInput {
    #[oai(validator(min_items = 1, max_items = 20))]
    pub volunteer_ids: Vec<uuid::Uuid>,
}

/// An offer as the office sees it.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct OfferView {
    pub id: uuid::Uuid,
    pub need_id: uuid::Uuid,
    pub volunteer_id: uuid::Uuid,
    pub status: OfferStatus,
    /// Made by auto-offer rather than a coordinator.
    pub automatic: bool,
    pub expires_at: DateTime<Utc>,
    pub offered_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl From<offer::Model> for OfferView {
    fn from(m: offer::Model) -> Self {
        Self {
            id: m.id,
            need_id: m.need_id,
            volunteer_id: m.volunteer_id,
            status: OfferStatus::parse(&m.status),
            automatic: m.automatic,
            expires_at: m.expires_at,
            offered_at: m.offered_at,
            answered_at: m.answered_at,
        }
    }
}

/// An offer as the volunteer sees it before answering: what, when, where (district only) and
/// for whom (first name only).
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct OfferDetails {
    pub id: uuid::Uuid,
    pub status: OfferStatus,
    pub expires_at: DateTime<Utc>,
    pub title: String,
    pub kind: String,
    /// The kind of help in Polish.
    pub kind_name: String,
    pub description: String,
    pub when_text: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub district: Option<String>,
    pub beneficiary_first_name: Option<String>,
    pub safety_info: Option<String>,
    pub urgency: String,
    /// Once accepted: the assignment.
    pub assignment_id: Option<uuid::Uuid>,
    /// Where to go — only once accepted, and until the assignment ends.
    pub street_address: Option<String>,
    /// The beneficiary's phone — only once accepted, and until the assignment ends.
    pub phone: Option<String>,
    /// The need-to-know note — only once accepted, and until the assignment ends.
    pub note: Option<String>,
}

/// The secret from an offer email.
#[derive(Debug, Object)]
pub struct LinkInput {
    #[oai(validator(max_length = 100))]
    pub token: String,
}

/// What an answer did.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Answer {
    pub offer: OfferDetails,
    /// The new assignment, when accepted.
    pub assignment_id: Option<uuid::Uuid>,
    /// For the volunteer, in Polish.
    pub message: String,
}

#[derive(ApiResponse)]
enum Made {
    /// Offered; each volunteer gets an email.
    #[oai(status = 201)]
    Created(Json<Vec<OfferView>>),
}

pub(crate) fn kind_name(code: &str) -> String {
    KINDS_OF_HELP
        .iter()
        .find(|k| k.code == code)
        .map_or_else(|| code.to_owned(), |k| k.name.to_owned())
}

fn need_filled() -> Problem {
    Problem::conflict(
        "need_filled",
        "Dziękujemy! Ktoś inny przyjął już tę propozycję — wszystkie miejsca są zajęte.",
    )
}

/// Offers `found` to `contacts` (all active volunteers of the office, none asked before);
/// writes the offers, their emails and events in `txn`.
pub(crate) async fn make_offers(
    txn: &TenantTxn,
    deps: &Deps,
    office: &TenantContext,
    found: &need::Model,
    contacts: &[Contact],
    automatic: bool,
    by: Option<uuid::Uuid>,
) -> Result<Vec<offer::Model>, Problem> {
    let schedule = schedule_of(found);
    let mut expires_at = Utc::now() + deps.settings.offer_ttl;
    if let Some((start, _)) = schedule.as_ref().and_then(Schedule::span) {
        // An answer after the help has started is no answer; give at least a quarter hour.
        expires_at = expires_at
            .min(start)
            .max(Utc::now() + chrono::Duration::minutes(15));
    }
    let first_name = match found.beneficiary_id {
        Some(id) => beneficiaries::get(txn, id).await?.map(|b| b.first_name),
        None => None,
    };
    let mut made = Vec::with_capacity(contacts.len());
    for contact in contacts {
        let secret = new_secret();
        let created = offers::insert(
            txn,
            offers::NewOffer {
                need_id: found.id,
                volunteer_id: contact.id,
                token_hash: hash_secret(&secret),
                automatic,
                expires_at,
                offered_by: by,
            },
        )
        .await?;
        events::emit(
            txn,
            OFFER_MADE,
            serde_json::json!({
                "offer_id": created.id,
                "need_id": found.id,
                "volunteer_id": contact.id,
                "kind": found.kind,
                "automatic": automatic,
                "expires_at": expires_at,
            }),
        )
        .await?;
        let link = page_link(
            &deps.settings.public_url,
            Some(&office.slug),
            OFFER_PAGE,
            &secret,
        );
        request_email(
            txn,
            "offer",
            (
                &contact.email,
                &format!("{} {}", contact.first_name, contact.last_name),
            ),
            link.clone(),
            Some(expires_at),
            serde_json::json!({
                "first_name": contact.first_name,
                "need_title": found.title,
                "kind_name": kind_name(&found.kind),
                "when": schedule.as_ref().map(Schedule::describe),
                "district": found.district,
                "beneficiary_first_name": first_name,
                "urgency": found.urgency,
                "safety_info": found.safety_info,
                "accept_link": format!("{link}&answer=accept"),
                "decline_link": format!("{link}&answer=decline"),
            }),
        )
        .await?;
        made.push(created);
    }
    Ok(made)
}

/// What the volunteer may see of the offer; reading the beneficiary's first name is logged.
async fn details(
    txn: &TenantTxn,
    o: &offer::Model,
    n: &need::Model,
) -> Result<OfferDetails, Problem> {
    let first_name = match n.beneficiary_id {
        Some(id) => {
            beneficiaries::log_reads(
                txn,
                &[id],
                &Read {
                    reader: o.volunteer_id,
                    role: "volunteer",
                    purpose: &format!("propozycja {}", o.id),
                    view: "first_name",
                },
            )
            .await?;
            beneficiaries::get(txn, id)
                .await?
                .filter(|b| b.anonymised_at.is_none())
                .map(|b| b.first_name)
        }
        None => None,
    };
    let assignment = assignments::for_need(txn, n.id)
        .await?
        .into_iter()
        .find(|a| a.offer_id == Some(o.id));
    let assignment_id = assignment.as_ref().map(|a| a.id);
    // Once the volunteer has the task, and until it ends, the page shows where to go.
    let live = assignment
        .as_ref()
        .is_some_and(|a| AssignmentStatus::parse(&a.status).is_live() && Utc::now() < a.ends_at);
    let contact = match (n.beneficiary_id, live) {
        (Some(id), true) => {
            beneficiaries::log_reads(
                txn,
                &[id],
                &Read {
                    reader: o.volunteer_id,
                    role: "volunteer",
                    purpose: &format!("przydział {}", assignment_id.unwrap_or_default()),
                    view: "contact",
                },
            )
            .await?;
            beneficiaries::get(txn, id)
                .await?
                .filter(|b| b.anonymised_at.is_none())
        }
        _ => None,
    };
    let schedule = schedule_of(n);
    Ok(OfferDetails {
        id: o.id,
        status: OfferStatus::parse(&o.status),
        expires_at: o.expires_at,
        title: n.title.clone(),
        kind: n.kind.clone(),
        kind_name: kind_name(&n.kind),
        description: n.description.clone(),
        when_text: schedule
            .as_ref()
            .map(Schedule::describe)
            .unwrap_or_default(),
        starts_at: schedule.as_ref().and_then(Schedule::span).map(|(s, _)| s),
        district: n.district.clone(),
        beneficiary_first_name: first_name,
        safety_info: n.safety_info.clone(),
        urgency: n.urgency.clone(),
        assignment_id,
        street_address: contact
            .as_ref()
            .and_then(|b| b.street_address.clone())
            .or_else(|| n.street_address.clone().filter(|_| live)),
        phone: contact.as_ref().and_then(|b| b.phone.clone()),
        note: contact.and_then(|b| b.note),
    })
}

/// The offer behind an email link: 400 for a link that never existed.
async fn by_link(txn: &TenantTxn, token: &str) -> Result<offer::Model, Problem> {
    offers::by_token(txn, &hash_secret(token.trim()))
        .await?
        .ok_or_else(Problem::link_invalid)
}

/// Refuses an answer to an offer that can no longer take one.
fn answerable(o: &offer::Model) -> Result<(), Problem> {
    match OfferStatus::parse(&o.status) {
        OfferStatus::Pending if o.expires_at <= Utc::now() => Err(Problem::link_expired()),
        OfferStatus::Pending => Ok(()),
        OfferStatus::Filled => Err(need_filled()),
        OfferStatus::Expired => Err(Problem::link_expired()),
        OfferStatus::Withdrawn => Err(Problem::conflict(
            "offer_withdrawn",
            "Ośrodek wycofał tę propozycję (potrzeba została odwołana).",
        )),
        OfferStatus::Accepted | OfferStatus::Declined => Err(Problem::link_used()),
    }
}

/// Accepts the offer: books the volunteer for every visit, records the assignment and tells
/// everyone. The booking is an HTTP call to the volunteers service, made with no transaction
/// open here (in the embedded mode both services share one SQLite writer); the need is then
/// locked and checked again, and a booking that lost the race for the last place is freed.
pub(crate) async fn accept(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    offer_id: uuid::Uuid,
) -> Result<Answer, Problem> {
    let txn = db.begin(office.id).await?;
    let o = offers::get(&txn, offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("Propozycja"))?;
    answerable(&o)?;
    let found = super::needs::require(&txn, o.need_id).await?;
    if is_full(&txn, &found).await? {
        offers::set_status(&txn, o, OfferStatus::Filled).await?;
        txn.commit().await?;
        return Err(need_filled());
    }
    // Whom the answer may concern: this volunteer, and those still waiting (told if it fills).
    let offered: Vec<uuid::Uuid> = offers::for_need(&txn, found.id)
        .await?
        .into_iter()
        .filter(|other| {
            other.id == o.id || OfferStatus::parse(&other.status) == OfferStatus::Pending
        })
        .map(|other| other.volunteer_id)
        .collect();
    txn.commit().await?;

    let Some(schedule) = schedule_of(&found) else {
        return Err(Problem::internal(&"need without a schedule"));
    };
    // A pairing taken up mid-way starts with its next visit.
    let now = Utc::now();
    let visits: Vec<_> = occurrences(&schedule)
        .into_iter()
        .filter(|(_, ends_at)| *ends_at > now)
        .collect();
    let (Some(first_visit), Some(last_visit)) = (visits.first(), visits.last()) else {
        return Err(Problem::conflict(
            "need_past",
            "Ta potrzeba nie ma już terminów.",
        ));
    };
    let span = (first_visit.0, last_visit.1);
    let assignment_id = uuid::Uuid::now_v7();
    let recurring = matches!(schedule, Schedule::Weekly { .. });
    let bookings: Vec<Booking> = visits
        .iter()
        .map(|(starts_at, ends_at)| Booking {
            id: if recurring {
                uuid::Uuid::now_v7()
            } else {
                assignment_id
            },
            need_id: found.id,
            beneficiary_id: found.beneficiary_id,
            title: found.title.clone(),
            kind: found.kind.clone(),
            starts_at: *starts_at,
            ends_at: *ends_at,
            child_related: found.child_check_required,
            adults_only: found.adults_only,
        })
        .collect();
    let contacts = deps.volunteers.contacts(office, &offered).await?;
    // The volunteers service checks every rule (overlaps, absences, the 30-day agreement,
    // checks for work with children) and refuses with 409; nothing is written here then.
    deps.volunteers
        .book(office, o.volunteer_id, None, &bookings)
        .await?;
    let kept = keep_acceptance(
        db,
        deps,
        office,
        Accepted {
            offer_id,
            assignment_id,
            recurring,
            bookings: &bookings,
            span,
            contacts: &contacts,
        },
    )
    .await;
    if kept.is_err() {
        for booking in &bookings {
            if let Err(problem) = deps
                .volunteers
                .cancel(office, o.volunteer_id, booking.id)
                .await
            {
                tracing::error!(code = problem.code, booking = %booking.id, "a booking was left behind after a failed acceptance");
            }
        }
    }
    kept
}

/// Whether every place of the need is taken (or it is closed).
async fn is_full(txn: &TenantTxn, found: &need::Model) -> Result<bool, Problem> {
    let filled = filled(txn, found.id).await?;
    Ok(NeedStatus::parse(&found.status).is_closed()
        || filled >= usize::try_from(found.wanted).unwrap_or(1))
}

/// A booked acceptance, to be kept.
struct Accepted<'a> {
    offer_id: uuid::Uuid,
    assignment_id: uuid::Uuid,
    recurring: bool,
    bookings: &'a [Booking],
    span: (DateTime<Utc>, DateTime<Utc>),
    /// Everyone offered the need, for the emails.
    contacts: &'a [Contact],
}

/// Keeps a booked acceptance under the need's lock, unless someone else took the last place or
/// the offer changed meanwhile (then the caller frees the booking).
async fn keep_acceptance(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    accepted: Accepted<'_>,
) -> Result<Answer, Problem> {
    let txn = db.begin(office.id).await?;
    let first = offers::get(&txn, accepted.offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("Propozycja"))?;
    let found = needs::lock(&txn, first.need_id)
        .await?
        .ok_or_else(|| Problem::not_found("Potrzeba"))?;
    let o = offers::get(&txn, accepted.offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("Propozycja"))?;
    answerable(&o)?;
    if is_full(&txn, &found).await? {
        offers::set_status(&txn, o, OfferStatus::Filled).await?;
        txn.commit().await?;
        return Err(need_filled());
    }
    let answer = record_acceptance(&txn, deps, office, found, o, &accepted).await?;
    txn.commit().await?;
    Ok(answer)
}

async fn record_acceptance(
    txn: &TenantTxn,
    deps: &Deps,
    office: &TenantContext,
    found: need::Model,
    o: offer::Model,
    booked: &Accepted<'_>,
) -> Result<Answer, Problem> {
    let Accepted {
        assignment_id,
        recurring,
        bookings,
        span,
        contacts,
        ..
    } = *booked;
    let accepted = offers::set_status(txn, o, OfferStatus::Accepted).await?;
    let assignment = assignments::insert(
        txn,
        assignments::NewAssignment {
            id: assignment_id,
            need_id: found.id,
            volunteer_id: accepted.volunteer_id,
            offer_id: Some(accepted.id),
            starts_at: span.0,
            ends_at: span.1,
        },
    )
    .await?;
    if recurring {
        let visits: Vec<_> = bookings
            .iter()
            .map(|b| (b.id, b.starts_at, b.ends_at))
            .collect();
        assignments::plan_visits(txn, assignment.id, &visits).await?;
    }
    events::emit(
        txn,
        OFFER_ACCEPTED,
        serde_json::json!({
            "offer_id": accepted.id,
            "need_id": found.id,
            "volunteer_id": accepted.volunteer_id,
            "kind": found.kind,
            "offered_at": accepted.offered_at,
            "answered_at": accepted.answered_at,
        }),
    )
    .await?;
    events::emit(
        txn,
        ASSIGNMENT_CONFIRMED,
        serde_json::json!({
            "assignment_id": assignment.id,
            "need_id": found.id,
            "volunteer_id": assignment.volunteer_id,
            "kind": found.kind,
            "partner_id": found.partner_id,
            "starts_at": assignment.starts_at,
            "ends_at": assignment.ends_at,
            "recurring": recurring,
            "visits": bookings.len(),
            "need_opened_at": found.created_at,
        }),
    )
    .await?;
    let contact = contacts.iter().find(|c| c.id == assignment.volunteer_id);
    let schedule = schedule_of(&found);
    // The confirmation carries a fresh link to the same page, which now shows the address and
    // phone until the task ends; the offer's link stops working (it travelled in more emails).
    let secret = new_secret();
    let accepted = offers::set_token(txn, accepted, hash_secret(&secret)).await?;
    if let Some(contact) = contact {
        request_email(
            txn,
            "assignment_confirmed",
            (&contact.email, &format!("{} {}", contact.first_name, contact.last_name)),
            page_link(&deps.settings.public_url, Some(&office.slug), OFFER_PAGE, &secret),
            Some(assignment.ends_at),
            serde_json::json!({
                "first_name": contact.first_name,
                "assignment_id": assignment.id,
                "need_title": found.title,
                "kind_name": kind_name(&found.kind),
                "when": schedule.as_ref().map(Schedule::describe),
                "starts_at": assignment.starts_at,
                "ends_at": assignment.ends_at,
                "visits": bookings.iter().map(|b| serde_json::json!({"id": b.id, "starts_at": b.starts_at, "ends_at": b.ends_at})).collect::<Vec<_>>(),
                "district": found.district,
                "safety_info": found.safety_info,
            }),
        )
        .await?;
    }
    let restaffed = restaff(txn, found, None).await?;
    if NeedStatus::parse(&restaffed.status) == NeedStatus::Assigned {
        tell_filled(txn, &restaffed, contacts).await?;
    }
    let offer = details(txn, &accepted, &restaffed).await?;
    Ok(Answer {
        offer,
        assignment_id: Some(assignment.id),
        message: "Dziękujemy! Zadanie jest Twoje — szczegóły wysłaliśmy e-mailem.".to_owned(),
    })
}

/// Every offer still waiting on a need that is now full becomes `filled`, and its volunteer
/// is told so.
async fn tell_filled(
    txn: &TenantTxn,
    found: &need::Model,
    contacts: &[Contact],
) -> Result<(), Problem> {
    let waiting: Vec<offer::Model> = offers::for_need(txn, found.id)
        .await?
        .into_iter()
        .filter(|o| OfferStatus::parse(&o.status) == OfferStatus::Pending)
        .collect();
    if waiting.is_empty() {
        return Ok(());
    }
    for o in waiting {
        let volunteer = o.volunteer_id;
        let filled = offers::set_status(txn, o, OfferStatus::Filled).await?;
        events::emit(
            txn,
            OFFER_FILLED,
            serde_json::json!({
                "offer_id": filled.id,
                "need_id": found.id,
                "volunteer_id": volunteer,
                "kind": found.kind,
            }),
        )
        .await?;
        if let Some(contact) = contacts.iter().find(|c| c.id == volunteer) {
            request_email(
                txn,
                "offer_filled",
                (
                    &contact.email,
                    &format!("{} {}", contact.first_name, contact.last_name),
                ),
                String::new(),
                None,
                serde_json::json!({
                    "first_name": contact.first_name,
                    "need_title": found.title,
                }),
            )
            .await?;
        }
    }
    Ok(())
}

/// Declines the offer; with auto-offer the next candidate is asked.
pub(crate) async fn decline(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    offer_id: uuid::Uuid,
) -> Result<Answer, Problem> {
    let txn = db.begin(office.id).await?;
    let first = offers::get(&txn, offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("Propozycja"))?;
    let found = needs::lock(&txn, first.need_id)
        .await?
        .ok_or_else(|| Problem::not_found("Potrzeba"))?;
    let o = offers::get(&txn, offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("Propozycja"))?;
    answerable(&o)?;
    let declined = offers::set_status(&txn, o, OfferStatus::Declined).await?;
    events::emit(
        &txn,
        OFFER_DECLINED,
        serde_json::json!({
            "offer_id": declined.id,
            "need_id": found.id,
            "volunteer_id": declined.volunteer_id,
            "kind": found.kind,
            "offered_at": declined.offered_at,
            "answered_at": declined.answered_at,
        }),
    )
    .await?;
    let auto = found.auto_offer;
    let need_id = found.id;
    let restaffed = restaff(&txn, found, None).await?;
    let offer = details(&txn, &declined, &restaffed).await?;
    txn.commit().await?;
    if auto {
        offer_next(db, deps, office, need_id).await;
    }
    Ok(Answer {
        offer,
        assignment_id: None,
        message: "Dziękujemy za odpowiedź. Zaproponujemy Ci coś innym razem.".to_owned(),
    })
}

/// Auto-offer: asks as many new candidates as there are places without an assignment or a
/// pending offer. Failures are logged; the sweep tries again.
pub(crate) async fn offer_next(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    need_id: uuid::Uuid,
) {
    if let Err(problem) = try_offer_next(db, deps, office, need_id).await {
        tracing::warn!(code = problem.code, need = %need_id, "auto-offer failed");
    }
}

/// A one-off need that has started, or a recurring one whose period is over: too late to offer.
fn is_past(n: &need::Model) -> bool {
    match (n.starts_at, n.period_until) {
        (Some(starts_at), _) => starts_at <= Utc::now(),
        (None, Some(until)) => until < lacznik_types::local_time::warsaw(Utc::now()).date(),
        _ => false,
    }
}

/// Places without an assignment or a pending offer.
async fn open_places(txn: &TenantTxn, found: &need::Model) -> Result<usize, Problem> {
    let filled = filled(txn, found.id).await?;
    let pending = pending(txn, found.id).await?;
    Ok(usize::try_from(found.wanted)
        .unwrap_or(1)
        .saturating_sub(filled + pending))
}

async fn try_offer_next(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    need_id: uuid::Uuid,
) -> Result<(), Problem> {
    let txn = db.begin(office.id).await?;
    let Some(found) = needs::get(&txn, need_id).await? else {
        return Ok(());
    };
    if !found.auto_offer || !NeedStatus::parse(&found.status).takes_offers() || is_past(&found) {
        return Ok(());
    }
    let places = open_places(&txn, &found).await?;
    let already = asked(&txn, need_id).await?;
    txn.commit().await?;
    if places == 0 {
        return Ok(());
    }
    let ranked = deps
        .volunteers
        .matching(office, &criteria(&found, 100))
        .await?;
    let next: Vec<uuid::Uuid> = ranked["ranked"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["volunteer_id"].as_str()?.parse().ok())
        .filter(|id| !already.contains(id))
        .take(places)
        .collect();
    if next.is_empty() {
        tracing::info!(need = %need_id, "auto-offer: no candidate left");
        return Ok(());
    }
    let contacts = deps.volunteers.contacts(office, &next).await?;
    let txn = db.begin(office.id).await?;
    let Some(found) = needs::lock(&txn, need_id).await? else {
        return Ok(());
    };
    // Someone may have answered meanwhile: ask only for what is still open.
    let places = open_places(&txn, &found).await?;
    let already = asked(&txn, need_id).await?;
    let contacts: Vec<Contact> = contacts
        .into_iter()
        .filter(|c| c.status == "active" && !already.contains(&c.id))
        .take(places)
        .collect();
    if contacts.is_empty() || !NeedStatus::parse(&found.status).takes_offers() {
        return Ok(());
    }
    make_offers(&txn, deps, office, &found, &contacts, true, None).await?;
    restaff(&txn, found, None).await?;
    txn.commit().await?;
    Ok(())
}

pub struct OffersApi;

#[OpenApi(prefix_path = "/api/v1/needs", tag = "Tag::Offers")]
impl OffersApi {
    /// Coordinators: offers the need to the chosen volunteers (usually from its candidates).
    /// Each gets an email with links to accept or decline.
    #[oai(path = "/:id/offers", method = "post", operation_id = "make_offers")]
    async fn offer(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<OfferInput>,
    ) -> Result<Made, Problem> {
        auth.0.require_coordinator()?;
        let mut wanted = body.0.volunteer_ids;
        wanted.sort_unstable();
        wanted.dedup();
        let contacts = deps.volunteers.contacts(&tenant, &wanted).await?;
        let mut v = lacznik_http::problem::Validator::new();
        for (i, id) in wanted.iter().enumerate() {
            match contacts.iter().find(|c| c.id == *id) {
                None => v.reject(&format!("volunteer_ids[{i}]"), "Nieznany wolontariusz."),
                Some(c) if c.status != "active" => v.reject(
                    &format!("volunteer_ids[{i}]"),
                    "Ten wolontariusz nie jest aktywny.",
                ),
                Some(_) => {}
            }
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let found = needs::lock(&txn, id.0)
            .await?
            .ok_or_else(|| Problem::not_found("Potrzeba"))?;
        if !NeedStatus::parse(&found.status).takes_offers() {
            return Err(Problem::conflict(
                "need_not_open",
                "Propozycje można wysyłać tylko dla otwartej potrzeby.",
            ));
        }
        if is_past(&found) {
            return Err(Problem::conflict(
                "need_past",
                "Termin tej potrzeby już się zaczął albo minął.",
            ));
        }
        let already = asked(&txn, found.id).await?;
        if wanted.iter().any(|id| already.contains(id)) {
            return Err(Problem::conflict(
                "already_offered",
                "Któryś z wybranych wolontariuszy dostał już tę propozycję.",
            ));
        }
        let made = make_offers(
            &txn,
            &deps,
            &tenant,
            &found,
            &contacts,
            false,
            Some(auth.0.user_id()),
        )
        .await?;
        restaff(&txn, found, Some(auth.0.user_id())).await?;
        txn.commit().await?;
        Ok(Made::Created(Json(
            made.into_iter().map(OfferView::from).collect(),
        )))
    }

    /// Coordinators: the need's offers and their answers.
    #[oai(path = "/:id/offers", method = "get", operation_id = "list_offers")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Vec<OfferView>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        super::needs::require(&txn, id.0).await?;
        let all = offers::for_need(&txn, id.0).await?;
        txn.commit().await?;
        Ok(Json(all.into_iter().map(OfferView::from).collect()))
    }

    /// Anyone with the email's link: the offer it is for.
    #[oai(
        path = "/offer-links/view",
        method = "post",
        operation_id = "view_offer_link"
    )]
    async fn view_link(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        body: Json<LinkInput>,
    ) -> Result<Json<OfferDetails>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let o = by_link(&txn, &body.token).await?;
        let n = super::needs::require(&txn, o.need_id).await?;
        let shown = details(&txn, &o, &n).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }

    /// Anyone with the email's link: accepts the offer (once).
    #[oai(
        path = "/offer-links/acceptance",
        method = "post",
        operation_id = "accept_offer_link"
    )]
    async fn accept_link(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        body: Json<LinkInput>,
    ) -> Result<Json<Answer>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let o = by_link(&txn, &body.token).await?;
        answerable(&o)?;
        txn.commit().await?;
        accept(&db, &deps, &tenant, o.id).await.map(Json)
    }

    /// Anyone with the email's link: declines the offer (once).
    #[oai(
        path = "/offer-links/decline",
        method = "post",
        operation_id = "decline_offer_link"
    )]
    async fn decline_link(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        body: Json<LinkInput>,
    ) -> Result<Json<Answer>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let o = by_link(&txn, &body.token).await?;
        answerable(&o)?;
        txn.commit().await?;
        decline(&db, &deps, &tenant, o.id).await.map(Json)
    }

    /// Volunteers: their offers, newest first.
    #[oai(path = "/my/offers", method = "get", operation_id = "my_offers")]
    async fn mine(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<OfferDetails>>, Problem> {
        let me = auth
            .0
            .own_volunteer()
            .ok_or_else(lacznik_http::auth::forbidden)?;
        let txn = db.begin(tenant.id).await?;
        let mut out = Vec::new();
        for o in offers::for_volunteer(&txn, me).await? {
            let n = super::needs::require(&txn, o.need_id).await?;
            out.push(details(&txn, &o, &n).await?);
        }
        txn.commit().await?;
        Ok(Json(out))
    }

    /// Volunteers: accepts one of their offers in the portal.
    #[oai(
        path = "/offers/:offer/acceptance",
        method = "post",
        operation_id = "accept_offer"
    )]
    async fn accept_own(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        offer: Path<uuid::Uuid>,
    ) -> Result<Json<Answer>, Problem> {
        own_offer(&db, &tenant, &auth, offer.0).await?;
        accept(&db, &deps, &tenant, offer.0).await.map(Json)
    }

    /// Volunteers: declines one of their offers in the portal.
    #[oai(
        path = "/offers/:offer/decline",
        method = "post",
        operation_id = "decline_offer"
    )]
    async fn decline_own(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        offer: Path<uuid::Uuid>,
    ) -> Result<Json<Answer>, Problem> {
        own_offer(&db, &tenant, &auth, offer.0).await?;
        decline(&db, &deps, &tenant, offer.0).await.map(Json)
    }
}

/// 404 unless the offer is the calling volunteer's.
async fn own_offer(
    db: &TenantDb,
    tenant: &TenantContext,
    auth: &Bearer,
    offer: uuid::Uuid,
) -> Result<(), Problem> {
    let me = auth
        .0
        .own_volunteer()
        .ok_or_else(lacznik_http::auth::forbidden)?;
    let txn = db.begin(tenant.id).await?;
    let found = offers::get(&txn, offer).await?;
    txn.commit().await?;
    match found {
        Some(o) if o.volunteer_id == me => answerable(&o),
        _ => Err(Problem::not_found("Propozycja")),
    }
}
