//! Time from a need's opening to its first assignment. Each need keeps when it was opened and
//! first assigned (`stats_needs`); a period's median and 90th percentile are recomputed from
//! its needs whenever a need's first assignment lands in it (or moves, when an earlier
//! booking arrives late), once per batch and row.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_tenancy::sql::Query;
use sea_orm::{DbErr, Value};
use uuid::Uuid;

use super::{Cell, MAX_PARAMS, in_list, values_rows};
use crate::domain::events::Effect;
use crate::domain::figures::Totals;
use crate::domain::grid::ALL_KINDS;
use crate::domain::period::{Period, local_day};
use crate::domain::wait::summarise;

#[derive(Clone, Debug)]
struct NeedFact {
    kind: String,
    opened_at: Option<DateTime<Utc>>,
    first_assigned_at: Option<DateTime<Utc>>,
}

impl NeedFact {
    /// The day the wait ended, if it can be measured.
    fn assigned_on(&self) -> Option<NaiveDate> {
        self.wait_secs().and(self.first_assigned_at.map(local_day))
    }

    fn wait_secs(&self) -> Option<i64> {
        Some(
            (self.first_assigned_at? - self.opened_at?)
                .num_seconds()
                .max(0),
        )
    }
}

/// Records openings and first assignments; returns the rollup rows whose waiting times changed.
pub(super) async fn record(txn: &TenantTxn, effects: &[Effect]) -> Result<HashSet<Cell>, DbErr> {
    let ids: Vec<Uuid> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::NeedOpened { need, .. } | Effect::NeedAssigned { need, .. } => Some(*need),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut facts = load(txn, &ids).await?;
    let before: HashMap<Uuid, Option<NaiveDate>> =
        facts.iter().map(|(id, f)| (*id, f.assigned_on())).collect();
    let mut changed = HashSet::new();
    for effect in effects {
        match effect {
            Effect::NeedOpened { need, kind, at } => {
                let fact = facts.entry(*need).or_insert_with(|| fresh(kind));
                if fact.opened_at != Some(*at) {
                    // The opening itself is authoritative over an assignment's hint.
                    fact.opened_at = Some(*at);
                    changed.insert(*need);
                }
            }
            Effect::NeedAssigned {
                need,
                kind,
                at,
                opened_hint,
            } => {
                let fact = facts.entry(*need).or_insert_with(|| fresh(kind));
                if fact.first_assigned_at.is_none_or(|first| *at < first) {
                    fact.first_assigned_at = Some(*at);
                    changed.insert(*need);
                }
                if fact.opened_at.is_none() && opened_hint.is_some() {
                    fact.opened_at = *opened_hint;
                    changed.insert(*need);
                }
            }
            _ => {}
        }
    }
    let mut dirty = HashSet::new();
    let mut rows = Vec::new();
    for id in changed {
        let Some(fact) = facts.get(&id) else { continue };
        // The periods it left (if its first assignment moved) and the ones it is in now.
        let old = before.get(&id).copied().flatten();
        for day in [old, fact.assigned_on()].into_iter().flatten() {
            for period in Period::all_containing(day) {
                dirty.insert((period, fact.kind.clone()));
                dirty.insert((period, ALL_KINDS.to_owned()));
            }
        }
        rows.push((id, fact.clone()));
    }
    save(txn, &rows).await?;
    Ok(dirty)
}

fn fresh(kind: &str) -> NeedFact {
    NeedFact {
        kind: kind.to_owned(),
        opened_at: None,
        first_assigned_at: None,
    }
}

async fn load(txn: &TenantTxn, ids: &[Uuid]) -> Result<HashMap<Uuid, NeedFact>, DbErr> {
    let tenant = txn.tenant().as_uuid();
    let mut facts = HashMap::new();
    for chunk in ids.chunks(MAX_PARAMS - 1) {
        let query = Query::new(
            "SELECT id, kind, opened_at, first_assigned_at FROM stats_needs WHERE tenant_id = ",
        )
        .bind(tenant)
        .sql(" AND id");
        for row in in_list(query, chunk).all(&**txn).await? {
            facts.insert(
                row.try_get_by_index::<Uuid>(0)?,
                NeedFact {
                    kind: row.try_get_by_index(1)?,
                    opened_at: row.try_get_by_index(2)?,
                    first_assigned_at: row.try_get_by_index(3)?,
                },
            );
        }
    }
    Ok(facts)
}

async fn save(txn: &TenantTxn, rows: &[(Uuid, NeedFact)]) -> Result<(), DbErr> {
    let tenant = txn.tenant().as_uuid();
    for chunk in rows.chunks(MAX_PARAMS / 7) {
        values_rows(
            Query::new(
                "INSERT INTO stats_needs \
                 (tenant_id, id, kind, opened_at, first_assigned_at, assigned_on, wait_secs) VALUES ",
            ),
            chunk,
            |(id, f)| {
                vec![
                    tenant.into(),
                    (*id).into(),
                    f.kind.as_str().into(),
                    f.opened_at.into(),
                    f.first_assigned_at.into(),
                    f.assigned_on().into(),
                    f.wait_secs().into(),
                ]
            },
        )
        .sql(
            " ON CONFLICT (tenant_id, id) DO UPDATE SET opened_at = excluded.opened_at, \
             first_assigned_at = excluded.first_assigned_at, \
             assigned_on = excluded.assigned_on, wait_secs = excluded.wait_secs",
        )
        .execute(&**txn)
        .await?;
    }
    Ok(())
}

/// Recomputes the sample size, median and 90th percentile of each row in `dirty`.
pub(super) async fn recompute(txn: &TenantTxn, dirty: HashSet<Cell>) -> Result<(), DbErr> {
    let tenant = txn.tenant().as_uuid();
    for (period, kind) in dirty {
        let mut query = Query::new("SELECT wait_secs FROM stats_needs WHERE tenant_id = ")
            .bind(tenant)
            .sql(" AND assigned_on >= ")
            .bind(period.start)
            .sql(" AND assigned_on < ")
            .bind(period.end())
            .sql(" AND wait_secs IS NOT NULL");
        if kind != ALL_KINDS {
            query = query.sql(" AND kind = ").bind(kind.as_str());
        }
        let mut sample: Vec<i64> = query
            .sql(" ORDER BY wait_secs")
            .all(&**txn)
            .await?
            .iter()
            .map(|row| row.try_get_by_index::<i64>(0))
            .collect::<Result<_, _>>()?;
        sample.sort_unstable();
        let mut totals = Totals::default();
        summarise(&sample, &mut totals);
        let row: Vec<Value> = vec![
            tenant.into(),
            Uuid::now_v7().into(),
            period.kind.as_str().into(),
            period.start.into(),
            kind.as_str().into(),
            totals.needs_assigned.into(),
            totals.wait_median_secs.into(),
            totals.wait_p90_secs.into(),
        ];
        values_rows(
            Query::new(
                "INSERT INTO stats_rollups (tenant_id, id, period, period_start, kind, \
                 needs_assigned, wait_median_secs, wait_p90_secs) VALUES ",
            ),
            &[row],
            Clone::clone,
        )
        .sql(
            " ON CONFLICT (tenant_id, period, period_start, kind) DO UPDATE SET \
             needs_assigned = excluded.needs_assigned, \
             wait_median_secs = excluded.wait_median_secs, \
             wait_p90_secs = excluded.wait_p90_secs",
        )
        .execute(&**txn)
        .await?;
    }
    Ok(())
}
