//! The voivodeships' protected tables for regional and platform admins: read as
//! `lacznik_stats`, protected, and kept for `stats.comparison_cache_secs` per voivodeship and
//! year. A voivodeship's table needs every office of it and every period of the year, so the
//! comparison of all 2,500 offices reads some 42,000 rows; kept, the next comparison, trend or
//! set in that voivodeship and year costs no read. A table is read again when its offices
//! change. Coordinators' dashboards are never cached.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::DbErr;
use uuid::Uuid;

use crate::domain::grid::Grid;
use crate::domain::period::years;
use crate::offices::Office;
use crate::report::by_year;
use crate::report::comparison::{RegionTables, region_grid};
use crate::store::rollups::{RegionalDb, regional_rows};

/// Tables kept at most (a year of mazowieckie is about a megabyte).
const MAX_KEPT: usize = 64;

struct Kept {
    at: Instant,
    offices: Vec<Uuid>,
    grid: Arc<Grid>,
}

/// The comparison's reader and its kept tables.
pub struct Regional {
    db: RegionalDb,
    keep: Duration,
    kept: Mutex<HashMap<(String, i32), Kept>>,
}

impl Regional {
    /// Reads through `db`, keeping tables for `keep` (zero: never).
    pub fn new(db: RegionalDb, keep: Duration) -> Self {
        Self {
            db,
            keep,
            kept: Mutex::new(HashMap::new()),
        }
    }

    pub fn db(&self) -> &RegionalDb {
        &self.db
    }

    /// The tables of the voivodeships in `members` (all of each one's offices, in order) for
    /// `years`.
    pub async fn tables(
        &self,
        members: &BTreeMap<String, Vec<Office>>,
        years_wanted: &[i32],
    ) -> Result<RegionTables, DbErr> {
        let mut grids = HashMap::new();
        let mut missing: BTreeMap<&String, Vec<i32>> = BTreeMap::new();
        {
            let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            for (region, offices) in members {
                for &year in years_wanted {
                    match kept.get(&(region.clone(), year)) {
                        Some(k)
                            if k.at.elapsed() < self.keep
                                && k.offices.iter().eq(offices.iter().map(|o| &o.id)) =>
                        {
                            grids.insert((region.clone(), year), k.grid.clone());
                        }
                        _ => missing.entry(region).or_default().push(year),
                    }
                }
            }
        }
        if !missing.is_empty() {
            let ids: Vec<Uuid> = missing
                .keys()
                .flat_map(|r| members[*r].iter().map(|o| o.id))
                .collect();
            let first = missing.values().flatten().min().copied().unwrap_or(0);
            let last = missing.values().flatten().max().copied().unwrap_or(0);
            let (from, to) = years(first, last);
            let rows = regional_rows(&self.db, &ids, from, to).await?;
            let region_of: HashMap<Uuid, &String> = missing
                .keys()
                .flat_map(|r| members[*r].iter().map(move |o| (o.id, *r)))
                .collect();
            let mut per: HashMap<(&String, i32), Vec<_>> = HashMap::new();
            for (year, rows) in by_year(rows) {
                for row in rows {
                    if let Some(region) = region_of.get(&row.tenant) {
                        per.entry((*region, year)).or_default().push(row);
                    }
                }
            }
            let mut built = Vec::new();
            for (region, years) in &missing {
                for &year in years {
                    let rows = per.remove(&(*region, year)).unwrap_or_default();
                    let grid = Arc::new(region_grid(year, &members[*region], rows));
                    grids.insert(((*region).clone(), year), grid.clone());
                    built.push(((*region).clone(), year, grid));
                }
            }
            if !self.keep.is_zero() {
                let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
                for (region, year, grid) in built {
                    let offices = members[&region].iter().map(|o| o.id).collect();
                    kept.insert(
                        (region, year),
                        Kept {
                            at: Instant::now(),
                            offices,
                            grid,
                        },
                    );
                }
                while kept.len() > MAX_KEPT {
                    let oldest = kept
                        .iter()
                        .min_by_key(|(_, k)| k.at)
                        .map(|(key, _)| key.clone());
                    match oldest {
                        Some(key) => kept.remove(&key),
                        None => break,
                    };
                }
            }
        }
        Ok(RegionTables::from_parts(members, grids))
    }
}
