//! Reading rollup rows: an office's own (in its tenant transaction, as `lacznik_app`) and the
//! all-kinds rows of many offices (as `lacznik_stats`, which may read this table and nothing
//! else).

use chrono::NaiveDate;
use lacznik_tenancy::TenantTxn;
use lacznik_tenancy::sql::Query;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use uuid::Uuid;

use super::{MAX_PARAMS, in_list};
use crate::domain::figures::{Column, Totals};
use crate::domain::grid::ALL_KINDS;
use crate::domain::period::{Period, PeriodKind};

/// One rollup row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollupRow {
    pub tenant: Uuid,
    pub period: Period,
    pub kind: String,
    pub totals: Totals,
}

/// The connection of the regional comparison: `lacznik_stats` on PostgreSQL (checked at start
/// like the app role), the same SQLite file in the embedded mode.
#[derive(Clone, Debug)]
pub struct RegionalDb(pub DatabaseConnection);

/// `SELECT … WHERE ` of rollup rows; `kind` is the column, or a constant when the caller
/// asks for one kind (so PostgreSQL can answer from the covering index alone, which holds the
/// rows of one kind without the kind itself).
fn select(kind: &str) -> String {
    let columns: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    format!(
        "SELECT tenant_id, period, period_start, {kind} AS kind, {}, needs_assigned, \
         wait_median_secs, wait_p90_secs FROM stats_rollups WHERE ",
        columns.join(", ")
    )
}

fn decode(row: &QueryResult) -> Result<Option<RollupRow>, DbErr> {
    let length: String = row.try_get_by_index(1)?;
    let start: NaiveDate = row.try_get_by_index(2)?;
    let Some(period) = PeriodKind::parse(&length).and_then(|k| Period::starting(k, start).ok())
    else {
        return Ok(None);
    };
    let mut totals = Totals::default();
    for (i, value) in totals.additive.iter_mut().enumerate() {
        *value = row.try_get_by_index(4 + i)?;
    }
    let rest = 4 + Column::COUNT;
    totals.needs_assigned = row.try_get_by_index(rest)?;
    totals.wait_median_secs = row.try_get_by_index(rest + 1)?;
    totals.wait_p90_secs = row.try_get_by_index(rest + 2)?;
    Ok(Some(RollupRow {
        tenant: row.try_get_by_index(0)?,
        period,
        kind: row.try_get_by_index(3)?,
        totals,
    }))
}

fn decode_all(rows: Vec<QueryResult>) -> Result<Vec<RollupRow>, DbErr> {
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(decoded) = decode(row)? {
            out.push(decoded);
        }
    }
    Ok(out)
}

/// The office's rows (every kind) of periods starting in `[from, to)`.
pub async fn office_rows(
    txn: &TenantTxn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RollupRow>, DbErr> {
    let rows = Query::new(select("kind"))
        .sql("tenant_id = ")
        .bind(txn.tenant().as_uuid())
        .sql(" AND period_start >= ")
        .bind(from)
        .sql(" AND period_start < ")
        .bind(to)
        .all(&**txn)
        .await?;
    decode_all(rows)
}

/// Offices per statement of [`regional_rows`]: a voivodeship in one, all offices in a few
/// run side by side.
const PER_STATEMENT: usize = 640;

/// The all-kinds rows of `offices` for periods starting in `[from, to)`, read office by office
/// through the partial covering index of all-kinds rows.
pub async fn regional_rows(
    db: &RegionalDb,
    offices: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RollupRow>, DbErr> {
    let kind = format!("'{ALL_KINDS}'");
    let reads = offices
        .chunks(PER_STATEMENT.min(MAX_PARAMS - 3))
        .map(|chunk| {
            let query = Query::new(select(&kind))
                .sql("kind = ")
                .bind(ALL_KINDS)
                .sql(" AND period_start >= ")
                .bind(from)
                .sql(" AND period_start < ")
                .bind(to)
                .sql(" AND tenant_id");
            async move { decode_all(in_list(query, chunk).all(&db.0).await?) }
        });
    Ok(futures_util::future::try_join_all(reads)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// Whether the regional connection answers (for readiness).
pub async fn ping(db: &RegionalDb) -> Result<(), DbErr> {
    db.0.execute_unprepared("SELECT 1").await.map(|_| ())
}
