//! An office's dashboard: every figure of a period beside the previous period and the same
//! period a year earlier, for all kinds of help together and for each kind. The office's
//! coordinators see it; cells are protected in the office's yearly tables.

use std::collections::BTreeMap;

use crate::domain::figures::Figure;
use crate::domain::grid::{ALL_KINDS, Grid, Shown};
use crate::domain::period::Period;
use crate::store::rollups::RollupRow;

use super::by_year;

/// One kind of help's figures in the three periods.
#[derive(Clone, Debug, PartialEq)]
pub struct KindFigures {
    /// A kind of help, `*` for all together.
    pub kind: String,
    /// Each figure in the period, the previous one and a year earlier.
    pub figures: Vec<(Figure, [Shown; 3])>,
}

/// The dashboard of one period.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    /// The period, the previous one and the same period a year earlier.
    pub periods: [Period; 3],
    /// All kinds (`*`) first, then each kind of help seen in those years.
    pub kinds: Vec<KindFigures>,
}

/// The periods a dashboard of `current` compares, in order.
pub fn periods(current: Period) -> [Period; 3] {
    [current, current.previous(), current.year_ago()]
}

/// Builds the dashboard of `current` from the office's rows of the years its periods fall in;
/// `wanted` (a kind of help) is listed even when it has no rows.
pub fn dashboard(current: Period, wanted: &str, rows: Vec<RollupRow>) -> Dashboard {
    let periods = periods(current);
    let mut years = by_year(rows);
    let mut grids: BTreeMap<i32, Grid> = BTreeMap::new();
    for period in periods {
        let year = period.year();
        grids.entry(year).or_insert_with(|| {
            let rows = years
                .remove(&year)
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.period, r.kind, r.totals))
                .collect();
            Grid::office(year, rows)
        });
    }
    let mut kinds: Vec<String> = grids
        .values()
        .flat_map(|g| g.kinds().iter().cloned())
        .chain(std::iter::once(wanted.to_owned()))
        .filter(|k| k != ALL_KINDS)
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds.insert(0, ALL_KINDS.to_owned());
    let kinds = kinds
        .into_iter()
        .map(|kind| KindFigures {
            figures: Figure::ALL
                .iter()
                .map(|&figure| {
                    let cells = periods.map(|p| match grids.get(&p.year()) {
                        Some(grid) => grid.shown(figure, 0, &kind, p),
                        None => Shown::Absent,
                    });
                    (figure, cells)
                })
                .collect(),
            kind,
        })
        .collect();
    Dashboard { periods, kinds }
}
