//! The statistics' tables: applying events to an office's rollups (in its tenant
//! transaction, under row-level security), rebuilding them from the outbox, and reading them —
//! an office's own rows as `lacznik_app`, a voivodeship's as `lacznik_stats`.

pub mod apply;
mod people;
pub mod rebuild;
pub mod rollups;
mod waits;

use lacznik_tenancy::sql::Query;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use uuid::Uuid;

use crate::domain::period::Period;

/// Placeholders per statement stay well under SQLite's and PostgreSQL's limits.
const MAX_PARAMS: usize = 900;

/// A rollup row's key within an office: period and kind of help.
pub type Cell = (Period, String);

/// Takes the office's statistics lock for the rest of the transaction, so two consumers (or a
/// consumer and a rebuild) never apply events of one office at once. SQLite has one writer
/// anyway.
async fn lock_office(txn: &impl ConnectionTrait, tenant: Uuid) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let [a, b, c, d, ..] = tenant.into_bytes();
    let key = i32::from_be_bytes([a, b, c, d]);
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, $2)",
        [LOCK_CLASS.into(), key.into()],
    ))
    .await?;
    Ok(())
}

/// The first key of the statistics' advisory locks (the second is the office).
const LOCK_CLASS: i32 = 0x5741_7453;

/// `(a, b), (c, d)…` rows of a multi-row statement, binding `row(item)` for each item.
fn values_rows<T>(mut query: Query, items: &[T], row: impl Fn(&T) -> Vec<sea_orm::Value>) -> Query {
    for (i, item) in items.iter().enumerate() {
        query = query.sql(if i == 0 { "(" } else { ", (" });
        for (j, value) in row(item).into_iter().enumerate() {
            if j > 0 {
                query = query.sql(", ");
            }
            query = query.bind(value);
        }
        query = query.sql(")");
    }
    query
}

/// ` IN ($n, $n+1, …)` for `ids`.
fn in_list(mut query: Query, ids: &[Uuid]) -> Query {
    query = query.sql(" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            query = query.sql(", ");
        }
        query = query.bind(*id);
    }
    query.sql(")")
}
