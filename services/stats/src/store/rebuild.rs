//! Rebuilding an office's statistics from its event log. The outbox is that log: every event
//! an office ever wrote stays in `outbox_events` (nothing prunes it), published or not. A
//! rebuild clears the office's rollups, facts and seen ids and replays every row, oldest first
//! (`created_at`, then id), through the same code the consumer runs — all in one tenant
//! transaction holding the office's statistics lock, so live consumers wait and then drop
//! what the rebuild has already counted.

use chrono::{DateTime, Utc};
use lacznik_queue::consumer::Delivered;
use lacznik_tenancy::TenantDb;
use lacznik_tenancy::sql::Query;
use lacznik_types::TenantId;
use sea_orm::DbErr;
use uuid::Uuid;

use super::apply::{Applied, apply};
use super::lock_office;
use crate::domain::events::TOPICS;

/// Outbox rows replayed per batch.
const PAGE: u64 = 2000;

/// What a rebuild replayed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    /// Events read from the outbox (only the topics statistics count).
    pub events: usize,
    pub applied: Applied,
}

/// Rebuilds one office's statistics from its outbox.
pub async fn rebuild_office(db: &TenantDb, tenant: TenantId) -> Result<Rebuilt, DbErr> {
    let txn = db.begin(tenant).await?;
    lock_office(&*txn, tenant.as_uuid()).await?;
    for table in [
        "stats_rollups",
        "stats_people",
        "stats_needs",
        "stats_volunteers",
        "stats_seen_events",
    ] {
        Query::new(format!("DELETE FROM {table} WHERE tenant_id = "))
            .bind(tenant.as_uuid())
            .execute(&*txn)
            .await?;
    }
    let mut rebuilt = Rebuilt::default();
    let mut after: Option<(DateTime<Utc>, Uuid)> = None;
    loop {
        let mut query = Query::new(
            "SELECT id, topic, payload, created_at FROM outbox_events WHERE tenant_id = ",
        )
        .bind(tenant.as_uuid())
        .sql(" AND topic IN (");
        for (i, topic) in TOPICS.iter().enumerate() {
            if i > 0 {
                query = query.sql(", ");
            }
            query = query.bind(*topic);
        }
        query = query.sql(")");
        if let Some((at, id)) = after {
            query = query
                .sql(" AND (created_at > ")
                .bind(at)
                .sql(" OR (created_at = ")
                .bind(at)
                .sql(" AND id > ")
                .bind(id)
                .sql("))");
        }
        let rows = query
            .sql(" ORDER BY created_at, id LIMIT ")
            .bind(PAGE as i64)
            .all(&*txn)
            .await?;
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            let payload: String = row.try_get_by_index(2)?;
            page.push(Delivered {
                id: row.try_get_by_index(0)?,
                tenant: Some(tenant),
                topic: row.try_get_by_index(1)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                traceparent: None,
                created_at: row.try_get_by_index(3)?,
            });
        }
        let Some(last) = page.last() else { break };
        after = Some((last.created_at, last.id));
        let refs: Vec<&Delivered> = page.iter().collect();
        let applied = apply(&txn, &refs).await?;
        rebuilt.events += page.len();
        rebuilt.applied.fresh += applied.fresh;
        rebuilt.applied.repeated += applied.repeated;
        rebuilt.applied.unusable += applied.unusable;
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    txn.commit().await?;
    Ok(rebuilt)
}
