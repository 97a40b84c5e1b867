//! Daily notices that keep an office on the right side of the law without anyone having to
//! remember: a volunteer whose engagement nears day 30 without a signed agreement (art. 44
//! ust. 2 of the volunteering act) is asked to sign one, and the office gets the count once a
//! week; a volunteer whose clearance for work with children (KRK, the sex-offender register)
//! runs out within a month is asked to renew it. The job may run any number of times a day:
//! each notice carries a key, and the notifications service mails each key once.

use chrono::{Datelike, Duration, NaiveDate};
use lacznik_http::{Problem, offices::OfficeDetails};
use lacznik_queue::email::{self, EmailRequested};
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::{TenantId, VolunteerId};

use crate::api::AgreementDue;
use crate::api::agreements::due_lines;
use crate::api::volunteers::{store_problem, today};
use crate::store::{self, checks};

/// Clearances are announced this many days before they run out.
const CHECK_WARNING_DAYS: i64 = 30;

async fn notify(
    txn: &TenantTxn,
    template: &'static str,
    to: (&str, &str),
    data: serde_json::Value,
    dedupe_key: String,
) -> Result<(), Problem> {
    email::request(
        txn,
        EmailRequested {
            data,
            dedupe_key: Some(dedupe_key),
            ..EmailRequested::new(template, to.0, to.1)
        },
    )
    .await?;
    Ok(())
}

fn polish(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Writes the day's notices of one office; how many.
pub async fn send_in_office(
    db: &TenantDb,
    tenant: TenantId,
    office: &OfficeDetails,
) -> Result<usize, Problem> {
    let today = today();
    let txn = db.begin(tenant).await?;
    let mut sent = 0;
    let due = due_lines(&txn).await?;
    for line in due.iter().filter(|l| l.state == AgreementDue::Approaching) {
        let Some(v) = store::get(&txn, VolunteerId::from_uuid(line.volunteer_id))
            .await
            .map_err(store_problem)?
        else {
            continue;
        };
        let day_30 = line.engaged_since + Duration::days(29);
        notify(
            &txn,
            "agreement_due",
            (&v.email, &line.name),
            serde_json::json!({
                "first_name": v.first_name,
                "days": (today - line.engaged_since).num_days() + 1,
                "due_on": polish(day_30),
            }),
            format!("agreement_due:{}:{}", line.volunteer_id, line.engaged_since),
        )
        .await?;
        sent += 1;
    }
    if !due.is_empty() && !office.email.is_empty() {
        let week = today.iso_week();
        notify(
            &txn,
            "agreement_due_office",
            (&office.email, &office.name),
            serde_json::json!({ "count": due.len() }),
            format!("agreement_due_office:{}-W{:02}", week.year(), week.week()),
        )
        .await?;
        sent += 1;
    }
    let soon = today + Duration::days(CHECK_WARNING_DAYS);
    for check in checks::expiring(&txn, today, soon)
        .await
        .map_err(store_problem)?
    {
        let Some(v) = store::get_active(&txn, VolunteerId::from_uuid(check.volunteer_id))
            .await
            .map_err(store_problem)?
        else {
            continue;
        };
        notify(
            &txn,
            "check_expiring",
            (&v.email, &format!("{} {}", v.first_name, v.last_name)),
            serde_json::json!({
                "first_name": v.first_name,
                "check": check.kind,
                "valid_until": polish(check.valid_until),
            }),
            format!("check_expiring:{}:{}", check.id, check.valid_until),
        )
        .await?;
        sent += 1;
    }
    txn.commit().await?;
    Ok(sent)
}
