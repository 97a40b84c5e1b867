//! Łącznik's schema, one migration per change (`mYYYYMMDD_NNNNNN_verb_noun`), each with up and
//! down. On PostgreSQL, [`migrate`] first makes sure the two roles exist — `lacznik_owner`, which
//! owns every table, and `lacznik_app`, which services connect as (not owner, not superuser,
//! `NOBYPASSRLS`) — and then runs the migrations as `lacznik_owner` in one transaction.
//! Every tenant table is created through [`tenant_table`] and [`create_tenant_table`], so each
//! gets the same keys and the same row-level-security policy.

use lacznik_config::{APP_ROLE, DatabaseConfig, OWNER_ROLE, RELAY_ROLE, STATS_ROLE};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait};
pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;
use secrecy::{ExposeSecret, SecretString};

mod columns;
mod m20261122_000001_create_platform;
mod m20261122_000002_create_volunteers;
mod m20261123_000001_create_identity;
mod m20261123_000002_volunteer_lifecycle;
mod m20261123_000003_volunteer_checks;
mod m20261123_000004_volunteer_profile;
mod m20261123_000005_volunteer_engagement;
mod m20261123_000006_needs;
mod m20261123_000007_outbox_relay;
mod m20261202_000001_notifications;
mod m20261202_000002_stats;
mod m20261202_000003_stats_packed_figures;
mod tenant_table;

pub use m20261202_000003_stats_packed_figures::FIGURES as STATS_PACKED_FIGURES;
pub use tenant_table::{create_tenant_table, drop_tenant_table, tenant_table};

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_platform::Migration),
            Box::new(m20261122_000002_create_volunteers::Migration),
            Box::new(m20261123_000001_create_identity::Migration),
            Box::new(m20261123_000002_volunteer_lifecycle::Migration),
            Box::new(m20261123_000003_volunteer_checks::Migration),
            Box::new(m20261123_000004_volunteer_profile::Migration),
            Box::new(m20261123_000005_volunteer_engagement::Migration),
            Box::new(m20261123_000006_needs::Migration),
            Box::new(m20261123_000007_outbox_relay::Migration),
            Box::new(m20261202_000001_notifications::Migration),
            Box::new(m20261202_000002_stats::Migration),
            Box::new(m20261202_000003_stats_packed_figures::Migration),
        ]
    }
}

/// The migration names in order.
pub fn migration_names() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// The source of everything that shapes the schema, so a test template built from an older
/// version of a migration is noticed even when no migration was added. Add new files here.
pub const SCHEMA_SOURCES: [&str; 15] = [
    include_str!("lib.rs"),
    include_str!("columns.rs"),
    include_str!("tenant_table.rs"),
    include_str!("m20261122_000001_create_platform.rs"),
    include_str!("m20261122_000002_create_volunteers.rs"),
    include_str!("m20261123_000001_create_identity.rs"),
    include_str!("m20261123_000002_volunteer_lifecycle.rs"),
    include_str!("m20261123_000003_volunteer_checks.rs"),
    include_str!("m20261123_000004_volunteer_profile.rs"),
    include_str!("m20261123_000005_volunteer_engagement.rs"),
    include_str!("m20261123_000006_needs.rs"),
    include_str!("m20261123_000007_outbox_relay.rs"),
    include_str!("m20261202_000001_notifications.rs"),
    include_str!("m20261202_000002_stats.rs"),
    include_str!("m20261202_000003_stats_packed_figures.rs"),
];

/// Names of migrations not yet applied, read without DDL rights (services check this at start).
pub async fn pending(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(conn)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// Brings the database at `admin_url` up to date. On PostgreSQL, `admin_url` must be able to
/// create roles (or they must exist already) and the migrations run as `lacznik_owner`.
pub async fn migrate(admin_url: &SecretString, config: &DatabaseConfig) -> Result<(), DbErr> {
    let conn = lacznik_tenancy::connect_pool(admin_url, config).await?;
    if conn.get_database_backend() == DbBackend::Postgres {
        ensure_roles(
            &conn,
            config.app_password.as_ref(),
            config.relay_password.as_ref(),
            config.stats_password.as_ref(),
        )
        .await?;
        let txn = conn.begin().await?;
        txn.execute_unprepared(&format!("SET LOCAL ROLE {OWNER_ROLE}"))
            .await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
    } else {
        Migrator::up(&conn, None).await?;
    }
    conn.close().await
}

/// Creates the owner, app, relay and statistics roles if missing and gives them what they need on `public`.
/// Roles are cluster-wide, so this is idempotent and never undone by a down migration.
pub async fn ensure_roles(
    conn: &impl ConnectionTrait,
    app_password: Option<&SecretString>,
    relay_password: Option<&SecretString>,
    stats_password: Option<&SecretString>,
) -> Result<(), DbErr> {
    // Serialise concurrent set-ups (parallel test runs) on a cluster-wide advisory lock.
    conn.execute_unprepared("SELECT pg_advisory_lock(7355608)")
        .await?;
    let result = create_roles(conn, app_password, relay_password, stats_password).await;
    conn.execute_unprepared("SELECT pg_advisory_unlock(7355608)")
        .await?;
    result
}

async fn create_roles(
    conn: &impl ConnectionTrait,
    app_password: Option<&SecretString>,
    relay_password: Option<&SecretString>,
    stats_password: Option<&SecretString>,
) -> Result<(), DbErr> {
    conn.execute_unprepared(&format!(
        r#"
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
            CREATE ROLE {OWNER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{RELAY_ROLE}') THEN
            CREATE ROLE {RELAY_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{STATS_ROLE}') THEN
            CREATE ROLE {STATS_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
          END IF;
        END
        $$;
        GRANT USAGE, CREATE ON SCHEMA public TO {OWNER_ROLE};
        GRANT USAGE ON SCHEMA public TO {APP_ROLE};
        GRANT USAGE ON SCHEMA public TO {RELAY_ROLE};
        GRANT USAGE ON SCHEMA public TO {STATS_ROLE};
        "#
    ))
    .await?;
    for (role, password) in [
        (APP_ROLE, app_password),
        (RELAY_ROLE, relay_password),
        (STATS_ROLE, stats_password),
    ] {
        let Some(password) = password else {
            continue;
        };
        let quoted = conn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT quote_literal($1) AS q",
                [password.expose_secret().into()],
            ))
            .await?
            .ok_or_else(|| DbErr::Custom("quote_literal returned nothing".into()))?
            .try_get::<String>("", "q")?;
        conn.execute_unprepared(&format!("ALTER ROLE {role} PASSWORD {quoted}"))
            .await?;
    }
    Ok(())
}
