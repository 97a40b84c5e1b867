//! The all-kinds rollup rows' figures packed into one column for the regional comparison.
//!
//! A comparison of every office reads some 42,000 all-kinds rows of 24 figures. PostgreSQL
//! finds them in its covering index quickly, but turning a million `bigint` values into their
//! wire form and the service decoding them one by one cost about three times as much as the
//! scan. `figures` holds the same 24 values as one `bytea` (each a big-endian `int8`, in the
//! order of [`FIGURES`], a waiting time that is not known as -1), computed by PostgreSQL
//! itself whenever a row is written, so it can never disagree with the columns; the covering
//! index of all-kinds rows holds it instead of the columns. Rows of one kind of help, which the
//! comparison never reads, leave it empty. SQLite (one office's pilot, no
//! comparison of thousands) keeps reading the columns.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::m20261202_000002_stats::{ADDITIVE, all_kinds_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The figures in `stats_rollups.figures`, in order: the additive ones, then the needs
/// assigned and the two waiting times.
pub const FIGURES: [&str; 24] = {
    let mut all = [""; 24];
    let mut i = 0;
    while i < ADDITIVE.len() {
        all[i] = ADDITIVE[i];
        i += 1;
    }
    all[21] = "needs_assigned";
    all[22] = "wait_median_secs";
    all[23] = "wait_p90_secs";
    all
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let packed: Vec<String> = FIGURES
            .iter()
            .map(|f| format!("int8send(coalesce({f}, -1))"))
            .collect();
        db.execute_unprepared(&format!(
            "ALTER TABLE stats_rollups ADD COLUMN figures bytea \
                 GENERATED ALWAYS AS (CASE WHEN kind = '*' THEN {} END) STORED;
             DROP INDEX ix_stats_rollups_all_kinds;
             CREATE INDEX ix_stats_rollups_all_kinds ON stats_rollups (tenant_id, period_start) \
                 INCLUDE (period, figures) WHERE kind = '*';",
            packed.join(" || ")
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
            "DROP INDEX ix_stats_rollups_all_kinds;
             ALTER TABLE stats_rollups DROP COLUMN figures;
             {};",
            all_kinds_index()
        ))
        .await?;
        Ok(())
    }
}
