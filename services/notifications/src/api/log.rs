//! `/api/v1/notifications/deliveries` and `/suppressions`: what happened to every email of the
//! office — queued, sent, retrying, failed, suppressed, skipped — with attempts and reasons, a
//! resend for coordinators, and the addresses mail no longer goes to.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::pagination::{Cursor, PageLimit};
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::Scope;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use uuid::Uuid;

use crate::Notifications;
use crate::store::choices;
use crate::store::deliveries::{self, Delivery, LogFilter, NewDelivery, Status};

#[derive(Tags)]
enum Tag {
    /// Dziennik wysyłek (delivery log)
    Deliveries,
}

/// One email in the log.
#[derive(Debug, Object)]
pub struct DeliveryView {
    pub id: Uuid,
    pub template: String,
    /// Kind of mail: security, offers, assignments, reminders, broadcasts, digest, office_alerts.
    pub category: String,
    pub to: String,
    pub to_name: String,
    pub status: Status,
    pub attempts: i32,
    /// Why it failed, was retried, or was not sent.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When the next attempt is due (while retrying).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub message_id: String,
    /// The delivery this one sends again.
    pub resend_of: Option<Uuid>,
    pub broadcast_id: Option<Uuid>,
    /// Whether the message's content is still kept, so it can be resent
    /// (`notifications.keep_content_days` after it was made, only this entry stays).
    pub content_kept: bool,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            template: d.template,
            category: d.category,
            to: d.recipient,
            to_name: d.recipient_name,
            status: d.status,
            attempts: d.attempts,
            reason: d.last_error,
            created_at: d.created_at,
            updated_at: d.updated_at,
            sent_at: d.sent_at,
            next_attempt_at: d.next_attempt_at,
            message_id: d.message_id,
            content_kept: d.payload != deliveries::FORGOTTEN,
            resend_of: d.resend_of,
            broadcast_id: d.broadcast_id,
        }
    }
}

/// A page of the log, newest first.
#[derive(Debug, Object)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryView>,
    pub next_cursor: Option<String>,
}

/// A failed attempt.
#[derive(Debug, Object)]
pub struct AttemptView {
    pub attempt: i32,
    pub at: DateTime<Utc>,
    /// `temporary` (tried again later) or `permanent` (given up).
    pub outcome: String,
    pub detail: String,
}

/// One email with its failed attempts.
#[derive(Debug, Object)]
pub struct DeliveryDetail {
    pub delivery: DeliveryView,
    pub attempts: Vec<AttemptView>,
}

/// An address mail does not go to.
#[derive(Debug, Object)]
pub struct SuppressionView {
    pub address: String,
    /// `hard_bounce` (the relay said the mailbox does not exist) or `manual`.
    pub reason: String,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Resent {
    /// Queued again as a new email.
    #[oai(status = 201)]
    Created(Json<DeliveryView>),
}

#[derive(ApiResponse)]
enum Removed {
    /// Mail goes to the address again.
    #[oai(status = 204)]
    Removed,
}

pub struct LogApi;

fn not_found() -> Problem {
    Problem::not_found("Wiadomość")
}

#[OpenApi(prefix_path = "/api/v1/notifications", tag = "Tag::Deliveries")]
impl LogApi {
    /// Coordinators: the office's emails, newest first, optionally by status, template,
    /// recipient or broadcast.
    #[oai(path = "/deliveries", method = "get", operation_id = "list_deliveries")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        status: Query<Option<Status>>,
        template: Query<Option<String>>,
        to: Query<Option<String>>,
        broadcast: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<DeliveryPage>, Problem> {
        auth.0.require_coordinator()?;
        let limit = PageLimit::parse(limit.0)?.get();
        let before = cursor.0.as_deref().map(Cursor::decode).transpose()?;
        let scope = Scope::Office(tenant.id);
        let txn = n.db.begin(scope).await?;
        let mut items = deliveries::list(
            &*txn,
            scope,
            &LogFilter {
                status: status.0,
                template: template.0,
                recipient: to.0,
                broadcast: broadcast.0,
                before: before.map(|c| c.0),
                limit: limit + 1,
            },
        )
        .await?;
        txn.commit().await?;
        let more = items.len() as u64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(100));
        let next_cursor = more
            .then(|| items.last().map(|d| Cursor(d.id).encode()))
            .flatten();
        Ok(Json(DeliveryPage {
            items: items.into_iter().map(DeliveryView::from).collect(),
            next_cursor,
        }))
    }

    /// Coordinators: one email with every failed attempt and its reason.
    #[oai(
        path = "/deliveries/:id",
        method = "get",
        operation_id = "get_delivery"
    )]
    async fn get(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
    ) -> Result<Json<DeliveryDetail>, Problem> {
        auth.0.require_coordinator()?;
        let scope = Scope::Office(tenant.id);
        let txn = n.db.begin(scope).await?;
        let found = deliveries::get_one(&*txn, scope, id.0)
            .await?
            .ok_or_else(not_found)?;
        let attempts = deliveries::attempts(&*txn, scope, id.0).await?;
        txn.commit().await?;
        Ok(Json(DeliveryDetail {
            delivery: found.into(),
            attempts: attempts
                .into_iter()
                .map(|a| AttemptView {
                    attempt: a.attempt,
                    at: a.at,
                    outcome: a.outcome,
                    detail: a.detail,
                })
                .collect(),
        }))
    }

    /// Coordinators: sends an email again as a new message (e.g. after the volunteer fixed
    /// their mailbox). Refused while the first is still on its way, and to a suppressed
    /// address until the suppression is lifted.
    #[oai(
        path = "/deliveries/:id/resend",
        method = "post",
        operation_id = "resend_delivery"
    )]
    async fn resend(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
    ) -> Result<Resent, Problem> {
        auth.0.require_coordinator()?;
        let scope = Scope::Office(tenant.id);
        let txn = n.db.begin(scope).await?;
        let original = deliveries::get_one(&*txn, scope, id.0)
            .await?
            .ok_or_else(not_found)?;
        if !original.status.is_final() || original.status == Status::Bundled {
            return Err(Problem::conflict(
                "not_resendable",
                "Ta wiadomość jest jeszcze w drodze (w kolejce, wysyłana, ponawiana albo czeka na podsumowanie dnia).",
            ));
        }
        if original.payload == deliveries::FORGOTTEN {
            return Err(Problem::conflict(
                "content_forgotten",
                format!(
                    "Treści tej wiadomości już nie przechowujemy (usuwamy ją po {} dniach); w dzienniku został tylko wpis o wysyłce.",
                    n.settings.keep_content_days
                ),
            ));
        }
        if original
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("invalid_address") || e.starts_with("unknown_template"))
        {
            return Err(Problem::conflict(
                "not_resendable",
                "Tej wiadomości nie da się wysłać: adres albo szablon jest błędny.",
            ));
        }
        if !choices::suppressed_among(&*txn, tenant.id, std::slice::from_ref(&original.recipient))
            .await?
            .is_empty()
        {
            return Err(Problem::conflict(
                "address_suppressed",
                "Na ten adres nie wysyłamy poczty, bo wcześniejsza wiadomość wróciła jako niedoręczalna. Usuń blokadę (DELETE /suppressions?address=…), jeśli adres już działa.",
            ));
        }
        let payload: serde_json::Value =
            serde_json::from_str(&original.payload).unwrap_or_default();
        let again = NewDelivery {
            recipient: original.recipient.clone(),
            recipient_name: original.recipient_name.clone(),
            locale: original.locale.clone(),
            template: original.template.clone(),
            payload: original.payload.clone(),
            broadcast_id: original.broadcast_id,
            resend_of: Some(original.id),
            ..NewDelivery::queued(Uuid::now_v7(), &payload, &n.settings.message_domain)
        };
        let new_id = again.id;
        let queued = deliveries::insert(&*txn, scope, &[again], chrono::Utc::now()).await?;
        let created = deliveries::get_one(&*txn, scope, new_id)
            .await?
            .ok_or_else(not_found)?;
        txn.commit().await?;
        n.enqueue(scope, &queued).await;
        tracing::info!(original = %original.id, resend = %new_id, "email resent");
        Ok(Resent::Created(Json(created.into())))
    }

    /// Coordinators: addresses mail does not go to, newest first.
    #[oai(
        path = "/suppressions",
        method = "get",
        operation_id = "list_suppressions"
    )]
    async fn suppressions(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<SuppressionView>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = n.db.begin(Scope::Office(tenant.id)).await?;
        let found = choices::suppressions(&*txn, tenant.id, 500).await?;
        txn.commit().await?;
        Ok(Json(
            found
                .into_iter()
                .map(|s| SuppressionView {
                    address: s.address,
                    reason: s.reason,
                    detail: s.detail,
                    created_at: s.created_at,
                })
                .collect(),
        ))
    }

    /// Coordinators: lets mail go to an address again.
    #[oai(
        path = "/suppressions",
        method = "delete",
        operation_id = "remove_suppression"
    )]
    async fn unsuppress(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        address: Query<String>,
    ) -> Result<Removed, Problem> {
        auth.0.require_coordinator()?;
        let txn = n.db.begin(Scope::Office(tenant.id)).await?;
        let removed = choices::unsuppress(&*txn, tenant.id, &address.0).await?;
        txn.commit().await?;
        if removed {
            Ok(Removed::Removed)
        } else {
            Err(Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "Ten adres nie jest zablokowany",
            ))
        }
    }
}
