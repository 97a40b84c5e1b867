//! Applying a batch of one office's events, exactly once in effect: in the office's tenant
//! transaction the batch's event ids go into `stats_seen_events` first, and only the ids that
//! were not there yet are counted. Everything a batch adds is summed in memory and written as
//! one upsert per rollup row touched, so catching up on a backlog costs a handful of
//! statements per batch, not per event.

use std::collections::{HashMap, HashSet};

use lacznik_queue::consumer::Delivered;
use lacznik_tenancy::TenantTxn;
use lacznik_tenancy::sql::Query;
use sea_orm::{DbErr, Value};
use uuid::Uuid;

use super::{Cell, MAX_PARAMS, in_list, lock_office, people, values_rows, waits};
use crate::domain::events::{Effect, effects};
use crate::domain::figures::{Column, Totals};
use crate::domain::grid::ALL_KINDS;
use crate::domain::period::Period;

/// What a batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Events applied now.
    pub fresh: usize,
    /// Events seen before (redeliveries), dropped.
    pub repeated: usize,
    /// Events whose payload lacked what the contract promises, dropped with a warning.
    pub unusable: usize,
}

/// Sums of one batch, per rollup row.
#[derive(Default)]
pub(super) struct Deltas(pub(super) HashMap<Cell, Totals>);

impl Deltas {
    pub(super) fn add(&mut self, period: Period, kind: &str, column: Column, amount: i64) {
        self.0
            .entry((period, kind.to_owned()))
            .or_default()
            .add(column, amount);
    }
}

/// Applies `events` (all of the transaction's office, oldest first).
pub async fn apply(txn: &TenantTxn, events: &[&Delivered]) -> Result<Applied, DbErr> {
    let tenant = txn.tenant().as_uuid();
    lock_office(&**txn, tenant).await?;
    let fresh = mark_seen(txn, events).await?;
    let mut applied = Applied::default();
    let mut all = Vec::new();
    let mut taken = HashSet::new();
    for event in events {
        if !fresh.contains(&event.id) || !taken.insert(event.id) {
            applied.repeated += 1;
            continue;
        }
        match effects(&event.topic, &event.payload, event.created_at) {
            Ok(found) => {
                applied.fresh += 1;
                all.extend(found);
            }
            Err(unusable) => {
                applied.unusable += 1;
                tracing::warn!(event = %event.id, %unusable, "event not counted");
            }
        }
    }
    if all.is_empty() {
        return Ok(applied);
    }
    let mut deltas = Deltas::default();
    let born = birth_years(txn, &all).await?;
    people::count(txn, &all, &born, &mut deltas).await?;
    let dirty = waits::record(txn, &all).await?;
    for effect in &all {
        if let Effect::Add {
            column,
            day,
            kinds,
            amount,
        } = effect
        {
            for period in Period::all_containing(*day) {
                for kind in kinds {
                    deltas.add(period, kind, *column, *amount);
                }
                deltas.add(period, ALL_KINDS, *column, *amount);
            }
        }
    }
    flush(txn, deltas).await?;
    waits::recompute(txn, dirty).await?;
    Ok(applied)
}

/// Records the batch's event ids; returns those not seen before.
async fn mark_seen(txn: &TenantTxn, events: &[&Delivered]) -> Result<HashSet<Uuid>, DbErr> {
    let tenant = txn.tenant().as_uuid();
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut fresh = HashSet::new();
    for chunk in ids.chunks(MAX_PARAMS / 2) {
        let query = values_rows(
            Query::new("INSERT INTO stats_seen_events (tenant_id, id) VALUES "),
            chunk,
            |id| vec![tenant.into(), (*id).into()],
        )
        .sql(" ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id");
        for row in query.all(&**txn).await? {
            fresh.insert(row.try_get_by_index::<Uuid>(0)?);
        }
    }
    Ok(fresh)
}

/// Stores birth years the batch brings and returns the birth years of every volunteer the
/// batch mentions (the first year recorded for a volunteer stands).
async fn birth_years(txn: &TenantTxn, effects: &[Effect]) -> Result<HashMap<Uuid, i32>, DbErr> {
    let tenant = txn.tenant().as_uuid();
    let mut registered: Vec<(Uuid, i32)> = Vec::new();
    let mut first_seen: HashSet<Uuid> = HashSet::new();
    let mut wanted: HashSet<Uuid> = HashSet::new();
    for effect in effects {
        match effect {
            Effect::Volunteer { id, birth_year } => {
                if first_seen.insert(*id) {
                    registered.push((*id, *birth_year));
                }
                wanted.insert(*id);
            }
            Effect::Person {
                person,
                minor: None,
                ..
            } => {
                wanted.insert(*person);
            }
            _ => {}
        }
    }
    for chunk in registered.chunks(MAX_PARAMS / 3) {
        values_rows(
            Query::new("INSERT INTO stats_volunteers (tenant_id, id, birth_year) VALUES "),
            chunk,
            |(id, year)| vec![tenant.into(), (*id).into(), (*year).into()],
        )
        .sql(" ON CONFLICT (tenant_id, id) DO NOTHING")
        .execute(&**txn)
        .await?;
    }
    let wanted: Vec<Uuid> = wanted.into_iter().collect();
    let mut born = HashMap::new();
    for chunk in wanted.chunks(MAX_PARAMS - 1) {
        let query = Query::new("SELECT id, birth_year FROM stats_volunteers WHERE tenant_id = ")
            .bind(tenant)
            .sql(" AND id");
        for row in in_list(query, chunk).all(&**txn).await? {
            born.insert(
                row.try_get_by_index::<Uuid>(0)?,
                row.try_get_by_index::<i32>(1)?,
            );
        }
    }
    Ok(born)
}

/// Adds the batch's sums to the rollup rows, creating rows that do not exist yet.
async fn flush(txn: &TenantTxn, deltas: Deltas) -> Result<(), DbErr> {
    let tenant = txn.tenant().as_uuid();
    let rows: Vec<(Cell, Totals)> = deltas
        .0
        .into_iter()
        .filter(|(_, t)| t.additive.iter().any(|v| *v != 0))
        .collect();
    let names = Column::NAMES;
    let update: Vec<String> = names
        .iter()
        .map(|n| format!("{n} = stats_rollups.{n} + excluded.{n}"))
        .collect();
    let per_row = 5 + Column::COUNT;
    for chunk in rows.chunks(MAX_PARAMS / per_row) {
        let query = Query::new(format!(
            "INSERT INTO stats_rollups (tenant_id, id, period, period_start, kind, {}) VALUES ",
            names.join(", ")
        ));
        values_rows(query, chunk, |((period, kind), totals)| {
            let mut row: Vec<Value> = vec![
                tenant.into(),
                Uuid::now_v7().into(),
                period.kind.as_str().into(),
                period.start.into(),
                kind.as_str().into(),
            ];
            row.extend(totals.additive.iter().map(|v| Value::from(*v)));
            row
        })
        .sql(&format!(
            " ON CONFLICT (tenant_id, period, period_start, kind) DO UPDATE SET {}",
            update.join(", ")
        ))
        .execute(&**txn)
        .await?;
    }
    Ok(())
}
