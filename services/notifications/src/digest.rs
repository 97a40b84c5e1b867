//! Digests. The daily digest gathers, once a day, the mail each person asked to get that way
//! (held deliveries) into one email. The weekly digest tells each active volunteer which open
//! needs of their office match the kinds of help and districts they chose. Both are ordinary
//! deliveries whose event id is derived from the office and the day (or week), so running a
//! digest twice — two replicas, a restart — mails nobody twice.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use lacznik_http::{TENANT_ID_HEADER, TENANT_SLUG_HEADER, TenantContext};
use lacznik_mail::templates;
use lacznik_tenancy::Scope;
use serde::Deserialize;
use uuid::Uuid;

use crate::Notifications;
use crate::ingest::stable_event_id;
use crate::kinds::{Category, Frequency};
use crate::render;
use crate::store::choices;
use crate::store::deliveries::{self, NewDelivery};

/// Why a digest could not be made now (it is tried again on the next tick).
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("service call: {0}")]
    Call(#[from] reqwest::Error),
    #[error("office details unavailable")]
    Office,
}

/// Sends each person with held mail in `office` one email listing it; returns how many digests.
pub async fn daily(
    n: &Notifications,
    office: &TenantContext,
    day: NaiveDate,
) -> Result<usize, DigestError> {
    let scope = Scope::Office(office.id);
    let txn = n.db.begin(scope).await?;
    let held = deliveries::held(&*txn, scope).await?;
    txn.commit().await?;
    if held.is_empty() {
        return Ok(0);
    }
    let mut by_recipient: BTreeMap<String, Vec<deliveries::Delivery>> = BTreeMap::new();
    for d in held {
        by_recipient.entry(d.recipient.clone()).or_default().push(d);
    }
    let event_id = stable_event_id("daily", scope, &day.to_string());
    let brand = render::branding(n, scope, &serde_json::Value::Null)
        .await
        .map_err(|_| DigestError::Office)?;
    let mut made = 0;
    for (recipient, items) in by_recipient {
        let Some(last) = items.last() else { continue };
        let mut categories: Vec<&str> = Vec::new();
        let listed: Vec<serde_json::Value> = items
            .iter()
            .map(|d| {
                if !categories.contains(&d.category.as_str()) {
                    categories.push(&d.category);
                }
                let payload: serde_json::Value =
                    serde_json::from_str(&d.payload).unwrap_or_default();
                let subject = templates::render(&templates::Request {
                    template: &d.template,
                    locale: &d.locale,
                    to_name: &d.recipient_name,
                    link: "",
                    expires_at: None,
                    data: &payload["data"],
                    office: &brand.card,
                    unsubscribe: None,
                })
                .map(|r| r.subject)
                .unwrap_or_else(|_| d.template.clone());
                serde_json::json!({
                    "subject": subject,
                    "link": payload["link"].as_str().unwrap_or_default(),
                })
            })
            .collect();
        let digest = NewDelivery::queued(
            event_id,
            &serde_json::json!({
                "template": "daily_digest",
                "to": recipient,
                "to_name": last.recipient_name,
                "locale": last.locale,
                "link": "",
                "data": { "items": listed, "categories": categories },
            }),
            &n.settings.message_domain,
        );
        let id = digest.id;
        let txn = n.db.begin(scope).await?;
        let queued = deliveries::insert(&*txn, scope, &[digest], Utc::now()).await?;
        if !queued.is_empty() {
            let ids: Vec<Uuid> = items.iter().map(|d| d.id).collect();
            deliveries::bundle(&*txn, scope, &ids, id, Utc::now()).await?;
            made += 1;
        }
        txn.commit().await?;
        n.enqueue(scope, &queued).await;
    }
    Ok(made)
}

#[derive(Debug, Deserialize)]
struct OpenNeed {
    title: String,
    kind: String,
    district: Option<String>,
    when: Option<String>,
}

/// A volunteer an office's message is for.
#[derive(Debug, Deserialize)]
pub(crate) struct Member {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub kinds: Vec<String>,
    pub districts: Vec<String>,
}

/// A page of an audience, and where the next starts.
#[derive(Debug, Deserialize)]
pub(crate) struct AudiencePage {
    pub items: Vec<Member>,
    pub next: Option<Uuid>,
}

/// Needs one weekly digest lists at most.
const DIGEST_NEEDS: usize = 10;

/// Tells each active volunteer of `office` which open needs match their kinds of help and
/// districts (unless they turned the digest off); returns how many digests.
pub async fn weekly(
    n: &Notifications,
    office: &TenantContext,
    week: &str,
) -> Result<usize, DigestError> {
    let scope = Scope::Office(office.id);
    let open: Vec<OpenNeed> = n
        .http
        .get(format!("{}/internal/v1/needs/open", n.needs_url))
        .header(TENANT_ID_HEADER, office.id.to_string())
        .header(TENANT_SLUG_HEADER, &office.slug)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    let event_id = stable_event_id("weekly", scope, week);
    let mut made = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let page = audience(n, office, &[], &[], after).await?;
        let addresses: Vec<String> = page.items.iter().map(|m| m.email.to_lowercase()).collect();
        let txn = n.db.begin(scope).await?;
        let off: Vec<String> = choices::preferences_of(&*txn, office.id, &addresses)
            .await?
            .into_iter()
            .filter(|(_, c, f)| *c == Category::Digest && *f == Frequency::Off)
            .map(|(address, _, _)| address)
            .collect();
        txn.commit().await?;
        let mut planned = Vec::new();
        for member in &page.items {
            let address = member.email.to_lowercase();
            if off.contains(&address) {
                continue;
            }
            let matching: Vec<serde_json::Value> = open
                .iter()
                .filter(|need| member.kinds.is_empty() || member.kinds.contains(&need.kind))
                .filter(|need| match &need.district {
                    Some(district) => {
                        member.districts.is_empty() || member.districts.contains(district)
                    }
                    None => true,
                })
                .take(DIGEST_NEEDS)
                .map(|need| {
                    serde_json::json!({
                        "title": need.title, "when": need.when, "district": need.district,
                    })
                })
                .collect();
            if matching.is_empty() {
                continue;
            }
            let name = format!("{} {}", member.first_name, member.last_name);
            planned.push(NewDelivery::queued(
                event_id,
                &serde_json::json!({
                    "template": "weekly_digest", "to": address, "to_name": name, "locale": "pl",
                    "link": "", "data": { "first_name": member.first_name, "needs": matching },
                }),
                &n.settings.message_domain,
            ));
        }
        let txn = n.db.begin(scope).await?;
        let queued = deliveries::insert(&*txn, scope, &planned, Utc::now()).await?;
        txn.commit().await?;
        made += queued.len();
        n.enqueue(scope, &queued).await;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(made)
}

/// One page of the office's active volunteers matching the filter (volunteers service).
pub(crate) async fn audience(
    n: &Notifications,
    office: &TenantContext,
    kinds: &[String],
    districts: &[String],
    after: Option<Uuid>,
) -> Result<AudiencePage, reqwest::Error> {
    n.http
        .post(format!(
            "{}/internal/v1/volunteers/audience",
            n.volunteers_url
        ))
        .header(TENANT_ID_HEADER, office.id.to_string())
        .header(TENANT_SLUG_HEADER, &office.slug)
        .json(&serde_json::json!({
            "kinds": kinds, "districts": districts, "after": after, "limit": 1000,
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

/// When the last digests ran, per office, so a tick within the hour does not run them again.
#[derive(Default)]
pub struct Schedule {
    daily: BTreeMap<Uuid, NaiveDate>,
    weekly: BTreeMap<Uuid, String>,
}

impl Schedule {
    /// Runs the digests that are due at `now` (Polish local time) in every office.
    pub async fn tick(&mut self, n: &Notifications, offices: &[TenantContext], now: DateTime<Utc>) {
        let local = lacznik_types::local_time::warsaw(now);
        if local.hour() != n.settings.daily_digest_hour {
            return;
        }
        let day = local.date();
        let weekly_due = day.weekday().number_from_monday() == n.settings.weekly_digest_day;
        let week = format!("{}-W{:02}", day.iso_week().year(), day.iso_week().week());
        for office in offices {
            let id = office.id.as_uuid();
            if self.daily.get(&id) != Some(&day) {
                match daily(n, office, day).await {
                    Ok(made) => {
                        self.daily.insert(id, day);
                        if made > 0 {
                            tracing::info!(office = %office.slug, made, "daily digests queued");
                        }
                    }
                    Err(error) => {
                        tracing::warn!(office = %office.slug, %error, "daily digest later")
                    }
                }
            }
            if weekly_due && self.weekly.get(&id) != Some(&week) {
                match weekly(n, office, &week).await {
                    Ok(made) => {
                        self.weekly.insert(id, week.clone());
                        tracing::info!(office = %office.slug, made, "weekly digests queued");
                    }
                    Err(error) => {
                        tracing::warn!(office = %office.slug, %error, "weekly digest later")
                    }
                }
            }
        }
    }
}
