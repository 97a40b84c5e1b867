//! Offices side by side for regional and platform admins: each figure, its rate per 10,000
//! inhabitants, the office's rank and the median; and one office's monthly trend. Every cell
//! comes from its voivodeship's protected table, so an office shows the same cells in a
//! regional comparison, in any set a platform admin picks and in its trend. A set of offices
//! gets no total: totals of arbitrary sets could be subtracted from one another.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::Datelike;
use uuid::Uuid;

use super::{Rate, by_year, median, ranks, rate};
use crate::domain::figures::Figure;
use crate::domain::grid::{ALL_KINDS, Grid, Shown};
use crate::domain::period::Period;
use crate::offices::Office;
use crate::store::rollups::RollupRow;

/// One figure of one office.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparedFigure {
    pub figure: Figure,
    pub value: Shown,
    pub per_10k: Option<Rate>,
    /// 1 = best among the compared offices; none when not shown.
    pub rank: Option<u32>,
}

/// One office's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparedOffice {
    pub office: Office,
    pub figures: Vec<ComparedFigure>,
}

/// A figure across the compared offices.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureSummary {
    pub figure: Figure,
    /// The voivodeship's total (regional comparisons only).
    pub total: Option<Shown>,
    /// Medians over the offices whose value is shown.
    pub median: Option<f64>,
    pub median_per_10k: Option<f64>,
    /// How many offices' values are shown.
    pub published: usize,
}

/// A comparison of one period.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub period: Period,
    pub offices: Vec<ComparedOffice>,
    pub summary: Vec<FigureSummary>,
}

/// The protected tables of some voivodeships over some years.
pub struct RegionTables {
    /// (region, year) → table; units are the region's offices in `members` order, then the total.
    grids: HashMap<(String, i32), Arc<Grid>>,
    /// office → (region, unit).
    units: HashMap<Uuid, (String, usize)>,
    sizes: HashMap<String, usize>,
}

/// One voivodeship's table of one year: `offices` in order (the total follows them), `rows`
/// their all-kinds rows of that year.
pub fn region_grid(year: i32, offices: &[Office], rows: Vec<RollupRow>) -> Grid {
    let unit: HashMap<Uuid, usize> = offices.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let rows = rows
        .into_iter()
        .filter_map(|r| Some((*unit.get(&r.tenant)?, r.period, r.totals)))
        .collect();
    Grid::region(year, offices.len(), rows)
}

impl RegionTables {
    /// `members`: every office of each voivodeship involved; `rows`: their all-kinds rows of
    /// every year needed; `years`: those years.
    pub fn build(
        members: &BTreeMap<String, Vec<Office>>,
        rows: Vec<RollupRow>,
        years: &[i32],
    ) -> Self {
        let region_of: HashMap<Uuid, &String> = members
            .iter()
            .flat_map(|(r, offices)| offices.iter().map(move |o| (o.id, r)))
            .collect();
        let mut per: HashMap<(String, i32), Vec<RollupRow>> = HashMap::new();
        for (year, rows) in by_year(rows) {
            for row in rows {
                if let Some(region) = region_of.get(&row.tenant) {
                    per.entry(((*region).clone(), year)).or_default().push(row);
                }
            }
        }
        let mut grids = HashMap::new();
        for (region, offices) in members {
            for &year in years {
                let rows = per.remove(&(region.clone(), year)).unwrap_or_default();
                grids.insert(
                    (region.clone(), year),
                    Arc::new(region_grid(year, offices, rows)),
                );
            }
        }
        Self::from_parts(members, grids)
    }

    /// Tables built (or kept) elsewhere, for the voivodeships of `members`.
    pub fn from_parts(
        members: &BTreeMap<String, Vec<Office>>,
        grids: HashMap<(String, i32), Arc<Grid>>,
    ) -> Self {
        let mut units = HashMap::new();
        let mut sizes = HashMap::new();
        for (region, offices) in members {
            sizes.insert(region.clone(), offices.len());
            for (i, office) in offices.iter().enumerate() {
                units.insert(office.id, (region.clone(), i));
            }
        }
        Self {
            grids,
            units,
            sizes,
        }
    }

    /// What an office shows for `figure` in `period`.
    pub fn office(&self, office: Uuid, figure: Figure, period: Period) -> Shown {
        let Some((region, unit)) = self.units.get(&office) else {
            return Shown::Absent;
        };
        match self.grids.get(&(region.clone(), period.start.year())) {
            Some(grid) => grid.shown(figure, *unit, ALL_KINDS, period),
            None => Shown::Absent,
        }
    }

    /// What a voivodeship's total shows.
    pub fn total(&self, region: &str, figure: Figure, period: Period) -> Shown {
        match (
            self.grids.get(&(region.to_owned(), period.start.year())),
            self.sizes.get(region),
        ) {
            (Some(grid), Some(&n)) => grid.shown(figure, n, ALL_KINDS, period),
            _ => Shown::Absent,
        }
    }
}

/// Compares `offices` in `period`; `region` names the voivodeship whose total to show when
/// the offices are exactly its offices.
pub fn compare(
    period: Period,
    offices: Vec<Office>,
    tables: &RegionTables,
    region: Option<&str>,
) -> Comparison {
    let mut compared: Vec<ComparedOffice> = offices
        .into_iter()
        .map(|office| ComparedOffice {
            figures: Figure::ALL
                .iter()
                .map(|&figure| {
                    let value = tables.office(office.id, figure, period);
                    ComparedFigure {
                        figure,
                        value,
                        per_10k: rate(figure, value, office.population),
                        rank: None,
                    }
                })
                .collect(),
            office,
        })
        .collect();
    let mut summary = Vec::new();
    for (i, &figure) in Figure::ALL.iter().enumerate() {
        let values: Vec<Option<f64>> = compared
            .iter()
            .map(|o| match o.figures[i].value {
                Shown::Value(v) => Some(figure.shown(v)),
                _ => None,
            })
            .collect();
        let rates: Vec<Option<f64>> = compared
            .iter()
            .map(|o| match o.figures[i].per_10k {
                Some(Rate::Value(r)) => Some(r),
                _ => None,
            })
            .collect();
        let basis = if figure.has_rate() { &rates } else { &values };
        for (office, rank) in compared
            .iter_mut()
            .zip(ranks(basis, figure.more_is_better()))
        {
            office.figures[i].rank = rank;
        }
        let shown: Vec<f64> = values.iter().flatten().copied().collect();
        let shown_rates: Vec<f64> = rates.iter().flatten().copied().collect();
        summary.push(FigureSummary {
            figure,
            total: region.map(|r| tables.total(r, figure, period)),
            median: median(&shown),
            median_per_10k: median(&shown_rates),
            published: shown.len(),
        });
    }
    Comparison {
        period,
        offices: compared,
        summary,
    }
}

/// One office's monthly series of `figure`, from its voivodeship's tables.
pub fn trend(
    office: &Office,
    figure: Figure,
    months: &[Period],
    tables: &RegionTables,
) -> Vec<(Period, Shown, Option<Rate>)> {
    months
        .iter()
        .map(|&month| {
            let shown = tables.office(office.id, figure, month);
            (month, shown, rate(figure, shown, office.population))
        })
        .collect()
}

/// One office's monthly series of `figure` as its own coordinators see it (the office's
/// tables of all kinds, as on its dashboard).
pub fn own_trend(
    office: &Office,
    figure: Figure,
    months: &[Period],
    rows: Vec<RollupRow>,
) -> Vec<(Period, Shown, Option<Rate>)> {
    let mut years = by_year(rows);
    let mut grids: BTreeMap<i32, Grid> = BTreeMap::new();
    months
        .iter()
        .map(|&month| {
            let year = month.year();
            let grid = grids.entry(year).or_insert_with(|| {
                let rows = years
                    .remove(&year)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r.period, r.kind, r.totals))
                    .collect();
                Grid::office(year, rows)
            });
            let shown = grid.shown(figure, 0, ALL_KINDS, month);
            (month, shown, rate(figure, shown, office.population))
        })
        .collect()
}
