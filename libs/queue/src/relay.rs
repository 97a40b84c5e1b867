//! The relay: moves committed outbox rows onto Redis Streams, one stream per office (and one
//! for the platform), so consumers can serve offices fairly. Rows are taken with
//! `FOR UPDATE SKIP LOCKED` (several relays never take the same row), appended with XADD, and
//! marked published in the same database transaction — only after Redis accepted them. If
//! Redis is down the transaction rolls back and the rows wait in PostgreSQL; if the commit fails
//! after XADD, the rows go again (at least once: consumers drop an event id they have seen).
//! It connects as `lacznik_relay`, which may read and mark outbox rows and nothing else.

use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait, Value,
};
use tokio::sync::Mutex;

/// Why a pass failed (nothing was marked published).
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// The stream of an office's events, or of the platform's (`tenant` absent).
pub fn stream_key(prefix: &str, tenant: Option<uuid::Uuid>) -> String {
    match tenant {
        Some(tenant) => format!("{prefix}events:{tenant}"),
        None => format!("{prefix}events:platform"),
    }
}

/// The set naming every stream the relay has written to, for consumers to discover offices.
pub fn streams_key(prefix: &str) -> String {
    format!("{prefix}streams")
}

/// Moves outbox rows to Redis Streams.
pub struct Relay {
    db: DatabaseConnection,
    redis: redis::Client,
    connection: Mutex<Option<redis::aio::MultiplexedConnection>>,
    prefix: String,
    batch: u32,
}

impl Relay {
    /// A relay over `db` (connected as `lacznik_relay`) writing to `redis` under `prefix`.
    pub fn new(db: DatabaseConnection, redis: redis::Client, prefix: &str, batch: u32) -> Self {
        Self {
            db,
            redis,
            connection: Mutex::new(None),
            prefix: prefix.to_owned(),
            batch: batch.max(1),
        }
    }

    /// One pass: up to `batch` rows of each outbox; how many were moved.
    pub async fn relay_once(&self) -> Result<usize, RelayError> {
        let offices = self.move_rows("outbox_events", true).await?;
        let platform = self.move_rows("platform_outbox_events", false).await?;
        Ok(offices + platform)
    }

    /// Relays forever: at once again after a full batch, after `idle` otherwise, backing off
    /// (up to 30 s) while PostgreSQL or Redis is down.
    pub async fn run(&self, idle: Duration) {
        let mut backoff = idle;
        loop {
            match self.relay_once().await {
                Ok(moved) => {
                    backoff = idle;
                    if moved >= self.batch as usize {
                        continue;
                    }
                    tokio::time::sleep(idle).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "relay: rows wait in the outbox");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    async fn redis(&self) -> Result<redis::aio::MultiplexedConnection, RelayError> {
        let mut cached = self.connection.lock().await;
        if let Some(connection) = cached.as_ref() {
            return Ok(connection.clone());
        }
        let connection = self.redis.get_multiplexed_async_connection().await?;
        *cached = Some(connection.clone());
        Ok(connection)
    }

    async fn forget_redis(&self) {
        *self.connection.lock().await = None;
    }

    async fn move_rows(&self, table: &str, office: bool) -> Result<usize, RelayError> {
        let txn = self.db.begin().await?;
        let tenant = if office {
            "tenant_id"
        } else {
            "NULL::uuid AS tenant_id"
        };
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT {tenant}, id, topic, payload, coalesce(traceparent, '') AS traceparent, \
                     created_at FROM {table} WHERE published_at IS NULL \
                     ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED"
                ),
                [Value::from(i64::from(self.batch))],
            ))
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut pipe = redis::pipe();
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let tenant: Option<uuid::Uuid> = row.try_get("", "tenant_id")?;
            let id: uuid::Uuid = row.try_get("", "id")?;
            let topic: String = row.try_get("", "topic")?;
            let payload: String = row.try_get("", "payload")?;
            let traceparent: String = row.try_get("", "traceparent")?;
            let created_at: chrono::DateTime<chrono::Utc> = row.try_get("", "created_at")?;
            let key = stream_key(&self.prefix, tenant);
            pipe.cmd("XADD")
                .arg(&key)
                .arg("*")
                .arg("id")
                .arg(id.to_string())
                .arg("tenant")
                .arg(tenant.map(|t| t.to_string()).unwrap_or_default())
                .arg("topic")
                .arg(topic)
                .arg("payload")
                .arg(payload)
                .arg("traceparent")
                .arg(traceparent)
                .arg("created_at")
                .arg(created_at.to_rfc3339())
                .ignore();
            pipe.cmd("SADD")
                .arg(streams_key(&self.prefix))
                .arg(key)
                .ignore();
            ids.push(id);
        }
        let mut connection = self.redis().await?;
        if let Err(error) = pipe.query_async::<()>(&mut connection).await {
            self.forget_redis().await;
            return Err(error.into());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "UPDATE {table} SET published_at = now(), attempts = attempts + 1 \
                 WHERE id IN ({})",
                placeholders.join(", ")
            ),
            ids.iter().map(|id| Value::from(*id)),
        ))
        .await?;
        txn.commit().await?;
        Ok(ids.len())
    }
}
