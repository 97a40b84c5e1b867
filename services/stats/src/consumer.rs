//! The statistics' event consumer (consumer group `stats`): Redis streams in production, the
//! outbox poller in the embedded mode — the same [`Handler`] either way. Each office's events
//! of a batch are applied in one transaction bound to that office, so row-level security
//! holds; platform events are not counted.

use lacznik_queue::consumer::{BoxFuture, Delivered, Handler, HandlerError, by_office};
use lacznik_tenancy::TenantDb;

use crate::domain::events::wanted;
use crate::store::apply::apply;

/// Keeps the rollups up to date from events.
pub struct StatsConsumer {
    db: TenantDb,
}

impl StatsConsumer {
    pub fn new(db: TenantDb) -> Self {
        Self { db }
    }

    async fn handle_all(&self, events: &[Delivered]) -> Result<(), HandlerError> {
        for (office, events) in by_office(events) {
            let Some(office) = office else { continue };
            let txn = self.db.begin(office).await.map_err(HandlerError::new)?;
            let applied = apply(&txn, &events).await.map_err(HandlerError::new)?;
            txn.commit().await.map_err(HandlerError::new)?;
            tracing::debug!(
                tenant = %office,
                fresh = applied.fresh,
                repeated = applied.repeated,
                "statistics updated"
            );
        }
        Ok(())
    }
}

impl Handler for StatsConsumer {
    fn group(&self) -> &'static str {
        "stats"
    }

    fn wants(&self, topic: &str) -> bool {
        wanted(topic)
    }

    fn handle<'a>(&'a self, events: &'a [Delivered]) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(self.handle_all(events))
    }
}
