//! The security audit log: append-only (the app role may insert and read, never change or
//! delete), per office, with a platform twin for platform and regional admins.

use chrono::{DateTime, Utc};
use lacznik_tenancy::ScopedTxn;
use sea_orm::DbErr;
use uuid::Uuid;

use lacznik_tenancy::sql::{Query, get, insert};

/// One thing that happened.
pub struct AuditEvent<'a> {
    /// e.g. `login_succeeded`, `login_failed`, `account_locked`, `role_granted`.
    pub kind: &'static str,
    /// Whom it concerns.
    pub user_id: Option<Uuid>,
    /// Who did it, when someone else than `user_id`.
    pub actor_id: Option<Uuid>,
    pub client_ip: Option<&'a str>,
    /// Non-personal details (ids, reasons).
    pub detail: serde_json::Value,
}

pub async fn record(
    txn: &ScopedTxn,
    event: AuditEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tracing::info!(kind = event.kind, "security event");
    insert(
        txn.scope(),
        "security_events",
        vec![
            ("id", Uuid::now_v7().into()),
            ("occurred_at", now.into()),
            ("kind", event.kind.into()),
            ("user_id", event.user_id.into()),
            ("actor_id", event.actor_id.into()),
            ("client_ip", event.client_ip.map(str::to_owned).into()),
            ("detail", event.detail.to_string().into()),
        ],
    )
    .execute(&**txn)
    .await
    .map(|_| ())
}

/// A recorded event.
#[derive(Clone, Debug, poem_openapi::Object, serde::Deserialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub client_ip: Option<String>,
    pub detail: serde_json::Value,
}

/// Events newest first, before `before` (an event id) when given.
pub async fn list(
    txn: &ScopedTxn,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<AuditEntry>, DbErr> {
    let scope = txn.scope();
    let mut query = Query::new(format!(
        "SELECT id, occurred_at, kind, user_id, actor_id, client_ip, detail FROM {} WHERE 1 = 1",
        scope.table("security_events")
    ))
    .in_scope(scope, "");
    if let Some(before) = before {
        query = query.sql(" AND id < ").bind(before);
    }
    query
        .sql(" ORDER BY id DESC LIMIT ")
        .bind(limit as i64)
        .all(&**txn)
        .await?
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                id: get(row, "id")?,
                occurred_at: get(row, "occurred_at")?,
                kind: get(row, "kind")?,
                user_id: get(row, "user_id")?,
                actor_id: get(row, "actor_id")?,
                client_ip: get(row, "client_ip")?,
                detail: serde_json::from_str(&get::<String>(row, "detail")?)
                    .unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}
