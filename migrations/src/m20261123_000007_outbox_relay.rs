//! The outbox relay's access: `lacznik_relay` reads and marks the rows of every office's
//! outbox (and the platform's) and nothing else — no other table is granted, and on the office
//! outbox two policies for that role alone let it past the tenant policy for reading and for
//! marking rows published. Services still see only their own office's rows.

use lacznik_config::RELAY_ROLE;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(&format!(
            "GRANT SELECT, UPDATE (published_at, attempts) ON outbox_events TO {RELAY_ROLE};
             GRANT SELECT, UPDATE (published_at, attempts) ON platform_outbox_events TO {RELAY_ROLE};
             CREATE POLICY relay_reads ON outbox_events FOR SELECT TO {RELAY_ROLE} USING (true);
             CREATE POLICY relay_marks ON outbox_events FOR UPDATE TO {RELAY_ROLE}
               USING (true) WITH CHECK (true);
             CREATE INDEX ix_outbox_events_pending ON outbox_events (created_at)
               WHERE published_at IS NULL;
             CREATE INDEX ix_platform_outbox_events_pending ON platform_outbox_events (created_at)
               WHERE published_at IS NULL;"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(&format!(
            "DROP INDEX IF EXISTS ix_platform_outbox_events_pending;
             DROP INDEX IF EXISTS ix_outbox_events_pending;
             DROP POLICY IF EXISTS relay_marks ON outbox_events;
             DROP POLICY IF EXISTS relay_reads ON outbox_events;
             REVOKE ALL ON platform_outbox_events FROM {RELAY_ROLE};
             REVOKE ALL ON outbox_events FROM {RELAY_ROLE};"
        ))
        .await?;
        Ok(())
    }
}
