//! `/api/v1/notifications/broadcasts`: a coordinator's message to the office's active
//! volunteers — all of them, or those who help with some kinds or in some districts — such as
//! the winter alert "Widzisz – Reaguj – Zadzwoń" or a day the office is closed. The broadcast
//! and one delivery per volunteer are written in one transaction; sending goes at the
//! broadcast priority, after security mail, assignments and reminders, and at the office's send
//! rate, so it never holds back another office's mail.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::Scope;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use uuid::Uuid;

use crate::Notifications;
use crate::digest::audience;
use crate::store::broadcasts::{self, Broadcast};
use crate::store::deliveries::{self, NewDelivery, Status};

#[derive(Tags)]
enum Tag {
    /// Komunikaty do wolontariuszy (broadcasts)
    Broadcasts,
}

/// A message to send.
#[derive(Debug, Object)]
pub struct BroadcastInput {
    /// The email's subject, e.g. "Widzisz – Reaguj – Zadzwoń".
    #[oai(validator(max_length = 150))]
    pub subject: String,
    /// Plain text; a blank line starts a new paragraph.
    #[oai(validator(max_length = 5000))]
    pub body: String,
    /// Only volunteers who help with these kinds (catalogue codes); empty = all.
    #[oai(default, validator(max_items = 20))]
    pub kinds: Vec<String>,
    /// Only volunteers active in these districts; empty = all.
    #[oai(default, validator(max_items = 50))]
    pub districts: Vec<String>,
}

/// How many of a broadcast's emails are where.
#[derive(Debug, Object, Default)]
pub struct Progress {
    pub queued: i64,
    pub sent: i64,
    pub retrying: i64,
    pub failed: i64,
    /// Not sent: bounced addresses, people who turned broadcasts off, or in a daily digest.
    pub not_sent: i64,
}

/// A broadcast.
#[derive(Debug, Object)]
pub struct BroadcastView {
    pub id: Uuid,
    pub subject: String,
    pub body: String,
    pub kinds: Vec<String>,
    pub districts: Vec<String>,
    pub recipients: i32,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub progress: Option<Progress>,
}

fn view(b: Broadcast, progress: Option<Progress>) -> BroadcastView {
    let audience: serde_json::Value = serde_json::from_str(&b.audience).unwrap_or_default();
    let list = |key: &str| -> Vec<String> {
        audience[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    BroadcastView {
        kinds: list("kinds"),
        districts: list("districts"),
        id: b.id,
        subject: b.subject,
        body: b.body,
        recipients: b.recipients,
        created_by: b.created_by,
        created_at: b.created_at,
        progress,
    }
}

#[derive(ApiResponse)]
enum Accepted {
    /// Recorded; the emails are on their way.
    #[oai(status = 202)]
    Accepted(Json<BroadcastView>),
}

pub struct BroadcastsApi;

#[OpenApi(
    prefix_path = "/api/v1/notifications/broadcasts",
    tag = "Tag::Broadcasts"
)]
impl BroadcastsApi {
    /// Coordinators: sends a message to the office's active volunteers (or some of them).
    #[oai(path = "/", method = "post", operation_id = "create_broadcast")]
    async fn create(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<BroadcastInput>,
    ) -> Result<Accepted, Problem> {
        let office = auth.0.require_coordinator()?.clone();
        let by = auth.0.user_id();
        let input = body.0;
        let subject = input.subject.trim().to_owned();
        let text = input.body.trim().replace("\r\n", "\n");
        let mut v = Validator::new();
        if subject.chars().count() < 3 {
            v.reject("subject", "Podaj temat wiadomości (co najmniej 3 znaki).");
        }
        if subject.chars().any(char::is_control) {
            v.reject(
                "subject",
                "Temat nie może zawierać znaków sterujących ani nowych wierszy.",
            );
        }
        if text.is_empty() {
            v.reject("body", "Napisz treść wiadomości.");
        }
        for (i, kind) in input.kinds.iter().enumerate() {
            if lacznik_types::catalogue::kind_index(kind).is_none() {
                v.reject(
                    &format!("kinds[{i}]"),
                    "Nie ma takiego rodzaju pomocy w katalogu.",
                );
            }
        }
        v.finish()?;

        // Everyone in the audience, page by page, before anything is written.
        let mut members = Vec::new();
        let mut after = None;
        loop {
            let page = audience(&n, &office, &input.kinds, &input.districts, after)
                .await
                .map_err(|error| {
                    tracing::warn!(%error, "volunteers service unavailable for a broadcast");
                    Problem::unavailable(
                        "Lista wolontariuszy jest chwilowo niedostępna. Nic nie zostało wysłane — spróbuj za chwilę.",
                    )
                    .with_retry_after(10)
                })?;
            members.extend(page.items);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let id = Uuid::now_v7();
        let mut seen = HashSet::new();
        let planned: Vec<NewDelivery> = members
            .into_iter()
            .filter_map(|m| {
                let address = lacznik_types::Email::parse(&m.email)
                    .ok()?
                    .as_str()
                    .to_lowercase();
                seen.insert(address.clone()).then_some((address, m))
            })
            .map(|(address, m)| NewDelivery {
                broadcast_id: Some(id),
                ..NewDelivery::queued(
                    id,
                    &serde_json::json!({
                        "template": "broadcast", "to": address,
                        "to_name": format!("{} {}", m.first_name, m.last_name), "locale": "pl",
                        "link": "",
                        "data": { "first_name": m.first_name, "subject": subject, "body": text },
                    }),
                    &n.settings.message_domain,
                )
            })
            .collect();
        let broadcast = Broadcast {
            id,
            subject: subject.clone(),
            body: text.clone(),
            audience: serde_json::json!({ "kinds": input.kinds, "districts": input.districts })
                .to_string(),
            recipients: i32::try_from(planned.len()).unwrap_or(i32::MAX),
            created_by: by,
            created_at: Utc::now(),
        };
        let scope = Scope::Office(tenant.id);
        let txn = n.db.begin(scope).await?;
        broadcasts::insert(&*txn, tenant.id, &broadcast).await?;
        let queued = deliveries::insert(&*txn, scope, &planned, Utc::now()).await?;
        txn.commit().await?;
        n.enqueue(scope, &queued).await;
        tracing::info!(broadcast = %id, recipients = planned.len(), "broadcast queued");
        Ok(Accepted::Accepted(Json(view(broadcast, None))))
    }

    /// Coordinators: the office's broadcasts, newest first.
    #[oai(path = "/", method = "get", operation_id = "list_broadcasts")]
    async fn list(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<BroadcastView>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = n.db.begin(Scope::Office(tenant.id)).await?;
        let found = broadcasts::list(&*txn, tenant.id, 100).await?;
        txn.commit().await?;
        Ok(Json(found.into_iter().map(|b| view(b, None)).collect()))
    }

    /// Coordinators: one broadcast and how far its emails got.
    #[oai(path = "/:id", method = "get", operation_id = "get_broadcast")]
    async fn get(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
    ) -> Result<Json<BroadcastView>, Problem> {
        auth.0.require_coordinator()?;
        let scope = Scope::Office(tenant.id);
        let txn = n.db.begin(scope).await?;
        let found = broadcasts::find(&*txn, tenant.id, id.0)
            .await?
            .ok_or_else(|| Problem::not_found("Komunikat"))?;
        let counts = deliveries::broadcast_counts(&*txn, scope, id.0).await?;
        txn.commit().await?;
        let mut progress = Progress::default();
        for (status, count) in counts {
            match status {
                Status::Queued | Status::Sending => progress.queued += count,
                Status::Sent | Status::Bundled => progress.sent += count,
                Status::Retrying => progress.retrying += count,
                Status::Failed => progress.failed += count,
                Status::Suppressed | Status::Skipped | Status::Held => progress.not_sent += count,
            }
        }
        Ok(Json(view(found, Some(progress))))
    }
}
