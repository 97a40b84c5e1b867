//! The embedded mode's event bus: without Redis, a poller in the process reads unpublished
//! outbox rows office by office (through the same tenant transactions as every service, so
//! row-level security still applies on PostgreSQL), hands them to every [`Handler`] and then
//! marks them published. A handler that fails leaves the rows unpublished and they come again
//! on the next pass — at least once, as with Redis Streams.
//!
//! Rows are read in one transaction and marked in another: handlers write in transactions of
//! their own, and SQLite has a single writer.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lacznik_tenancy::{PlatformDb, TenantDb};
use lacznik_types::TenantId;
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use tokio::sync::watch;

use crate::consumer::{Delivered, Handler};

/// Polls the outbox of every office (and the platform's) and feeds the handlers.
pub struct OutboxPoller {
    tenants: TenantDb,
    platform: PlatformDb,
    handlers: Vec<Arc<dyn Handler>>,
    batch: u32,
}

/// Why a pass stopped early (the rows it had not marked come again).
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("{group}: {message}")]
    Handler {
        group: &'static str,
        message: String,
    },
}

impl OutboxPoller {
    pub fn new(
        tenants: TenantDb,
        platform: PlatformDb,
        handlers: Vec<Arc<dyn Handler>>,
        batch: u32,
    ) -> Self {
        Self {
            tenants,
            platform,
            handlers,
            batch: batch.max(1),
        }
    }

    /// Polls until `stop`: again at once after a full batch, after `idle` otherwise.
    pub async fn run(&self, idle: Duration, mut stop: watch::Receiver<bool>) {
        let mut pause = idle;
        while !*stop.borrow() {
            let wait = match self.poll_once().await {
                Ok(moved) if moved >= self.batch as usize => Duration::ZERO,
                Ok(_) => {
                    pause = idle;
                    idle
                }
                Err(error) => {
                    tracing::warn!(%error, "outbox poller: will retry");
                    pause = (pause * 2).min(Duration::from_secs(30));
                    pause
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|stop| *stop) => break,
            }
        }
    }

    /// One pass over every office and the platform; how many events were handled.
    pub async fn poll_once(&self) -> Result<usize, PollError> {
        let offices = self
            .platform
            .conn()
            .query_all_raw(Statement::from_string(
                self.platform.conn().get_database_backend(),
                "SELECT id FROM tenants ORDER BY id",
            ))
            .await?;
        let mut handled = 0;
        for row in offices {
            let tenant = TenantId::from_uuid(row.try_get::<uuid::Uuid>("", "id")?);
            handled += self.office(tenant).await?;
        }
        handled += self.platform_rows().await?;
        Ok(handled)
    }

    async fn office(&self, tenant: TenantId) -> Result<usize, PollError> {
        let txn = self.tenants.begin(tenant).await?;
        let events = read(&*txn, "outbox_events", Some(tenant), self.batch).await?;
        txn.commit().await?;
        if events.is_empty() {
            return Ok(0);
        }
        self.dispatch(&events).await?;
        let txn = self.tenants.begin(tenant).await?;
        mark(&*txn, "outbox_events", &events).await?;
        txn.commit().await?;
        Ok(events.len())
    }

    async fn platform_rows(&self) -> Result<usize, PollError> {
        let events = read(
            self.platform.conn(),
            "platform_outbox_events",
            None,
            self.batch,
        )
        .await?;
        if events.is_empty() {
            return Ok(0);
        }
        self.dispatch(&events).await?;
        mark(self.platform.conn(), "platform_outbox_events", &events).await?;
        Ok(events.len())
    }

    async fn dispatch(&self, events: &[Delivered]) -> Result<(), PollError> {
        for handler in &self.handlers {
            let wanted: Vec<Delivered> = events
                .iter()
                .filter(|e| handler.wants(&e.topic))
                .cloned()
                .collect();
            if wanted.is_empty() {
                continue;
            }
            handler
                .handle(&wanted)
                .await
                .map_err(|error| PollError::Handler {
                    group: handler.group(),
                    message: error.0,
                })?;
        }
        Ok(())
    }
}

async fn read(
    conn: &impl ConnectionTrait,
    table: &str,
    tenant: Option<TenantId>,
    batch: u32,
) -> Result<Vec<Delivered>, DbErr> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT id, topic, payload, traceparent, created_at FROM {table} \
                 WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1"
            ),
            [Value::from(i64::from(batch))],
        ))
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let payload: String = row.try_get("", "payload")?;
        events.push(Delivered {
            id: row.try_get("", "id")?,
            tenant,
            topic: row.try_get("", "topic")?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            traceparent: row.try_get("", "traceparent")?,
            created_at: row.try_get::<DateTime<Utc>>("", "created_at")?,
        });
    }
    Ok(events)
}

async fn mark(conn: &impl ConnectionTrait, table: &str, events: &[Delivered]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let placeholders: Vec<String> = (2..events.len() + 2).map(|i| format!("${i}")).collect();
    let mut values: Vec<Value> = vec![Utc::now().into()];
    values.extend(events.iter().map(|e| Value::from(e.id)));
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE {table} SET published_at = $1, attempts = attempts + 1 WHERE id IN ({})",
            placeholders.join(", ")
        ),
        values,
    ))
    .await?;
    Ok(())
}
