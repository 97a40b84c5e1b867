//! Reading rollup rows: an office's own (in its tenant transaction, as `lacznik_app`) and the
//! all-kinds rows of many offices (as `lacznik_stats`, which may read this table and nothing
//! else).

use chrono::NaiveDate;
use lacznik_tenancy::TenantTxn;
use lacznik_tenancy::sql::Query;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult};
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

/// `SELECT … WHERE ` of rollup rows, every figure in its column; `kind` is the column, or a
/// constant when the caller asks for one kind.
fn select(kind: &str) -> String {
    format!(
        "SELECT tenant_id, period, period_start, {kind} AS kind, {}, needs_assigned, \
         wait_median_secs, wait_p90_secs FROM stats_rollups WHERE ",
        Column::NAMES.join(", ")
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

/// The figures of a row as one `bytea` (PostgreSQL computes the column, see the migration
/// `m20261202_000003_stats_packed_figures`): 24 big-endian `int8`s, the additive figures in
/// [`Column::ALL`] order, then needs assigned and the waiting times (-1: none).
fn unpack(bytes: &[u8]) -> Option<Totals> {
    if bytes.len() != 8 * (Column::COUNT + 3) {
        return None;
    }
    let mut words = bytes
        .chunks_exact(8)
        .map(|w| i64::from_be_bytes(w.try_into().unwrap_or_default()));
    let mut totals = Totals::default();
    for value in &mut totals.additive {
        *value = words.next()?;
    }
    totals.needs_assigned = words.next()?;
    totals.wait_median_secs = words.next().filter(|v| *v >= 0);
    totals.wait_p90_secs = words.next().filter(|v| *v >= 0);
    Some(totals)
}

fn decode_packed(rows: Vec<QueryResult>) -> Result<Vec<RollupRow>, DbErr> {
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let length: String = row.try_get_by_index(1)?;
        let start: NaiveDate = row.try_get_by_index(2)?;
        let bytes: Vec<u8> = row.try_get_by_index(3)?;
        let Some(period) = PeriodKind::parse(&length).and_then(|k| Period::starting(k, start).ok())
        else {
            continue;
        };
        let totals = unpack(&bytes).ok_or_else(|| {
            DbErr::Custom(format!(
                "stats_rollups.figures holds {} bytes, not {}",
                bytes.len(),
                8 * (Column::COUNT + 3)
            ))
        })?;
        out.push(RollupRow {
            tenant: row.try_get_by_index(0)?,
            period,
            kind: ALL_KINDS.to_owned(),
            totals,
        });
    }
    Ok(out)
}

/// The all-kinds rows of `offices` for periods starting in `[from, to)`, read office by office
/// through the partial covering index of all-kinds rows — on PostgreSQL their figures packed in
/// one column, which costs a third of reading 24 columns; on SQLite the columns.
pub async fn regional_rows(
    db: &RegionalDb,
    offices: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RollupRow>, DbErr> {
    let packed = db.0.get_database_backend() == DbBackend::Postgres;
    let head = if packed {
        "SELECT tenant_id, period, period_start, figures FROM stats_rollups WHERE ".to_owned()
    } else {
        select(&format!("'{ALL_KINDS}'"))
    };
    let reads = offices
        .chunks(PER_STATEMENT.min(MAX_PARAMS - 3))
        .map(|chunk| {
            let query = Query::new(head.clone())
                .sql("kind = ")
                .bind(ALL_KINDS)
                .sql(" AND period_start >= ")
                .bind(from)
                .sql(" AND period_start < ")
                .bind(to)
                .sql(" AND tenant_id");
            async move {
                let rows = in_list(query, chunk).all(&db.0).await?;
                if packed {
                    decode_packed(rows)
                } else {
                    decode_all(rows)
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packed_figures_are_in_the_order_the_migration_packs_them() {
        let mut ours = Column::NAMES.to_vec();
        ours.extend(["needs_assigned", "wait_median_secs", "wait_p90_secs"]);
        assert_eq!(ours, lacznik_migrations::STATS_PACKED_FIGURES);
    }

    #[test]
    fn unpacking_reads_each_figure_and_unknown_waits() {
        let mut bytes = Vec::new();
        for i in 0..Column::COUNT as i64 + 1 {
            bytes.extend((i * 1000 + 7).to_be_bytes());
        }
        bytes.extend(3600_i64.to_be_bytes());
        bytes.extend((-1_i64).to_be_bytes());
        let totals = unpack(&bytes).expect("24 figures");
        assert_eq!(totals.get(Column::ActiveVolunteers), 7);
        assert_eq!(totals.get(Column::EmailsFailed), 20_007);
        assert_eq!(totals.needs_assigned, 21_007);
        assert_eq!(totals.wait_median_secs, Some(3600));
        assert_eq!(totals.wait_p90_secs, None);
        assert!(unpack(&bytes[8..]).is_none());
    }
}
