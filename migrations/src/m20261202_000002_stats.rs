//! The statistics service's tables, all tenant tables under the one policy:
//!
//! - `stats_rollups`: one wide row per office, period (month, quarter, year), period start and
//!   kind of help (`*` for all kinds together), a column per figure, so a comparison of offices
//!   reads about one row per office;
//! - `stats_seen_events`: the ids of applied events (delivery is at least once; an id seen
//!   again is dropped);
//! - `stats_people`: who was already counted in a period (active volunteers, minors among
//!   them, people helped, volunteers with hours), since distinct counts cannot be summed; the
//!   id is a hash of the fact, so inserting it twice does nothing;
//! - `stats_needs`: when each need was opened and first assigned (medians are recomputed from
//!   these);
//! - `stats_volunteers`: birth years, to tell minors.
//!
//! On PostgreSQL, `lacznik_stats` may read `stats_rollups` of every office (a policy for that
//! role alone, beside the tenant policy) and nothing else: the regional comparison reads
//! aggregates only.

use lacznik_config::STATS_ROLE;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Additive figures of a rollup row (counts, minutes, grams), each `bigint not null default 0`.
pub(crate) const ADDITIVE: [&str; 21] = [
    "active_volunteers",
    "new_volunteers",
    "ended_volunteers",
    "minors_active",
    "volunteer_minutes",
    "hour_volunteers",
    "needs_opened",
    "needs_fulfilled",
    "needs_cancelled",
    "needs_expired",
    "offers_accepted",
    "offers_declined",
    "offers_timed_out",
    "beneficiaries_helped",
    "people_served",
    "kilogram_grams",
    "parcels",
    "caps_grams",
    "agreements_signed",
    "emails_sent",
    "emails_failed",
];

const TABLES: [&str; 5] = [
    "stats_rollups",
    "stats_seen_events",
    "stats_people",
    "stats_needs",
    "stats_volunteers",
];

fn period_columns(table: &mut TableCreateStatement) {
    table
        .col(ColumnDef::new("period").string_len(7).not_null())
        .col(ColumnDef::new("period_start").date().not_null())
        .col(ColumnDef::new("kind").string_len(40).not_null())
        .check(Expr::col("period").is_in(["month", "quarter", "year"]));
}

/// The covering index of the all-kinds rows, every figure in it (PostgreSQL).
pub(crate) fn all_kinds_index() -> String {
    format!(
        "CREATE INDEX ix_stats_rollups_all_kinds ON stats_rollups (tenant_id, period_start) \
         INCLUDE (period, {}, needs_assigned, wait_median_secs, wait_p90_secs) \
         WHERE kind = '*'",
        ADDITIVE.join(", ")
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut rollups = tenant_table("stats_rollups");
        period_columns(&mut rollups);
        for column in ADDITIVE {
            rollups.col(ColumnDef::new(column).big_integer().not_null().default(0));
        }
        rollups
            .col(
                ColumnDef::new("needs_assigned")
                    .big_integer()
                    .not_null()
                    .default(0),
            )
            .col(ColumnDef::new("wait_median_secs").big_integer().null())
            .col(ColumnDef::new("wait_p90_secs").big_integer().null());
        create_tenant_table(manager, "stats_rollups", rollups).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_stats_rollups_cell")
                    .table("stats_rollups")
                    .col("tenant_id")
                    .col("period")
                    .col("period_start")
                    .col("kind")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The comparison reads the all-kinds rows of a voivodeship's offices over a year or
        // more: on PostgreSQL a partial index of those rows that holds every column, so the
        // read never visits the table; SQLite gets the plain index.
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&all_kinds_index()).await?;
        } else {
            manager
                .create_index(
                    Index::create()
                        .name("ix_stats_rollups_all_kinds")
                        .table("stats_rollups")
                        .col("tenant_id")
                        .col("kind")
                        .col("period_start")
                        .to_owned(),
                )
                .await?;
        }

        create_tenant_table(
            manager,
            "stats_seen_events",
            tenant_table("stats_seen_events"),
        )
        .await?;

        let mut people = tenant_table("stats_people");
        people.col(ColumnDef::new("category").string_len(8).not_null());
        period_columns(&mut people);
        people.col(ColumnDef::new("person").uuid().not_null());
        create_tenant_table(manager, "stats_people", people).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stats_people_person")
                    .table("stats_people")
                    .col("tenant_id")
                    .col("person")
                    .to_owned(),
            )
            .await?;

        let mut needs = tenant_table("stats_needs");
        needs
            .col(ColumnDef::new("kind").string_len(40).not_null())
            .col(
                ColumnDef::new("opened_at")
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(
                ColumnDef::new("first_assigned_at")
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(ColumnDef::new("assigned_on").date().null())
            .col(ColumnDef::new("wait_secs").big_integer().null());
        create_tenant_table(manager, "stats_needs", needs).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stats_needs_assigned_on")
                    .table("stats_needs")
                    .col("tenant_id")
                    .col("assigned_on")
                    .to_owned(),
            )
            .await?;

        let mut volunteers = tenant_table("stats_volunteers");
        volunteers.col(ColumnDef::new("birth_year").integer().not_null());
        create_tenant_table(manager, "stats_volunteers", volunteers).await?;

        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "GRANT SELECT ON stats_rollups TO {STATS_ROLE};
                 CREATE POLICY stats_reads ON stats_rollups FOR SELECT TO {STATS_ROLE}
                   USING (true);"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "DROP POLICY IF EXISTS stats_reads ON stats_rollups;
                 REVOKE ALL ON stats_rollups FROM {STATS_ROLE};"
            ))
            .await?;
        }
        for table in TABLES.into_iter().rev() {
            drop_tenant_table(manager, table).await?;
        }
        Ok(())
    }
}
