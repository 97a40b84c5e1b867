//! The figures as each audience sees them, built from rollup rows through protected
//! [`Grid`](crate::domain::grid::Grid)s: an office's dashboard, a comparison of offices with
//! rates per 10,000 inhabitants, ranks and medians, and a monthly trend. Pure: the API reads
//! the rows, calls in here and only formats the result.

pub mod comparison;
pub mod dashboard;

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::domain::figures::Figure;
use crate::domain::grid::Shown;
use crate::store::rollups::RollupRow;

/// A rate per 10,000 inhabitants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    Value(f64),
    Suppressed,
}

/// The rate of a shown value for `population` inhabitants (none for waiting times, nothing
/// measured, or an office without a population).
pub fn rate(figure: Figure, shown: Shown, population: i32) -> Option<Rate> {
    if !figure.has_rate() || population <= 0 {
        return None;
    }
    match shown {
        Shown::Value(v) => Some(Rate::Value(
            figure.shown(v) * 10_000.0 / f64::from(population),
        )),
        Shown::Suppressed => Some(Rate::Suppressed),
        Shown::Absent => None,
    }
}

/// Rows grouped by the calendar year of their period.
pub fn by_year(rows: Vec<RollupRow>) -> BTreeMap<i32, Vec<RollupRow>> {
    let mut years: BTreeMap<i32, Vec<RollupRow>> = BTreeMap::new();
    for row in rows {
        years.entry(row.period.start.year()).or_default().push(row);
    }
    years
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Competition ranks (1, 2, 2, 4) of `values`, best first: highest first when `more_is_better`.
/// `None` values are not ranked.
pub fn ranks(values: &[Option<f64>], more_is_better: bool) -> Vec<Option<u32>> {
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let better = if more_is_better {
                sorted.len() - sorted.partition_point(|x| *x <= v)
            } else {
                sorted.partition_point(|x| *x < v)
            };
            u32::try_from(better + 1).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_places_and_skip_after_ties() {
        let r = ranks(&[Some(3.0), Some(9.0), None, Some(3.0), Some(1.0)], true);
        assert_eq!(r, [Some(2), Some(1), None, Some(2), Some(4)]);
        let r = ranks(&[Some(3.0), Some(9.0), Some(1.0)], false);
        assert_eq!(r, [Some(2), Some(3), Some(1)]);
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn rates_follow_suppression() {
        let f = Figure::ActiveVolunteers;
        assert_eq!(rate(f, Shown::Value(20), 200_000), Some(Rate::Value(1.0)));
        assert_eq!(rate(f, Shown::Suppressed, 200_000), Some(Rate::Suppressed));
        assert_eq!(rate(Figure::WaitMedianHours, Shown::Value(7200), 1), None);
        assert_eq!(rate(f, Shown::Value(20), 0), None);
    }
}
