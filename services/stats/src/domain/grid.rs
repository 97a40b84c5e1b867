//! A protected table: every cell one audience can see in one calendar year, with the groups
//! that add up, so [`protect`] hides the same cells whichever view is asked for.
//!
//! Two audiences see different tables, and each table is always built whole:
//!
//! - an office's coordinators: that office × every kind of help (and all kinds, `*`) × the 17
//!   periods of a year (12 months, 4 quarters, the year). Groups: the kinds against `*`, the
//!   months of a quarter against it, the quarters against the year;
//! - regional and platform admins: every office of a voivodeship and the voivodeship's total
//!   × all kinds × the 17 periods. Groups: the offices against the total, and the same
//!   periods as above for each office and for the total.
//!
//! So a month hidden in a trend cannot be had from its quarter, and an office hidden in one
//! view is hidden in every view of the same audience, whatever set of offices is compared.

use std::collections::HashMap;

use super::figures::{Class, Figure, Totals};
use super::period::{Period, PeriodKind};
use super::suppression::{Group, protect};

/// All kinds of help together.
pub const ALL_KINDS: &str = "*";

/// What one cell shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The value, in the figure's base unit (minutes, grams, seconds, or a count).
    Value(i64),
    Suppressed,
    /// Nothing to measure (a waiting time without needs).
    Absent,
}

/// One audience's table for one calendar year.
pub struct Grid {
    units: usize,
    kinds: Vec<String>,
    periods: Vec<Period>,
    totals: Vec<Totals>,
    /// Whether the last unit is the total of the others.
    unit_total: bool,
    hidden: HashMap<Figure, Vec<bool>>,
}

impl Grid {
    /// An office's table: `rows` are its rollup rows of `year` (period, kind, values).
    pub fn office(year: i32, rows: Vec<(Period, String, Totals)>) -> Self {
        let mut kinds: Vec<String> = rows
            .iter()
            .map(|(_, k, _)| k.clone())
            .filter(|k| k != ALL_KINDS)
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds.insert(0, ALL_KINDS.to_owned());
        let mut grid = Self::empty(1, kinds, year, false);
        for (period, kind, totals) in rows {
            if let Some(i) = grid.index_of(0, &kind, period) {
                grid.totals[i] = totals;
            }
        }
        grid.protect_all();
        grid
    }

    /// A voivodeship's table of all kinds together: `offices` offices, `rows` their rollup rows
    /// of `year` (office number, period, values). The voivodeship's total is unit `offices`.
    pub fn region(year: i32, offices: usize, rows: Vec<(usize, Period, Totals)>) -> Self {
        let mut grid = Self::empty(offices + 1, vec![ALL_KINDS.to_owned()], year, true);
        for (unit, period, totals) in rows {
            if unit < offices
                && let Some(i) = grid.index_of(unit, ALL_KINDS, period)
            {
                grid.totals[i] = totals;
            }
        }
        let periods = grid.periods.len();
        for p in 0..periods {
            let mut sum = Totals::default();
            for u in 0..offices {
                let t = &grid.totals[grid.index(u, 0, p)];
                for (s, v) in sum.additive.iter_mut().zip(t.additive) {
                    *s += v;
                }
                sum.needs_assigned += t.needs_assigned;
            }
            // A median of medians is not the median: the total has none.
            let i = grid.index(offices, 0, p);
            grid.totals[i] = sum;
        }
        grid.protect_all();
        grid
    }

    fn empty(units: usize, kinds: Vec<String>, year: i32, unit_total: bool) -> Self {
        let periods = Period::year_block(year);
        let size = units * kinds.len() * periods.len();
        Self {
            units,
            kinds,
            periods,
            totals: vec![Totals::default(); size],
            unit_total,
            hidden: HashMap::new(),
        }
    }

    fn index(&self, unit: usize, kind: usize, period: usize) -> usize {
        (unit * self.kinds.len() + kind) * self.periods.len() + period
    }

    fn index_of(&self, unit: usize, kind: &str, period: Period) -> Option<usize> {
        let k = self.kinds.iter().position(|x| x == kind)?;
        let p = self.periods.iter().position(|x| *x == period)?;
        (unit < self.units).then(|| self.index(unit, k, p))
    }

    /// The kinds of help in the table, `*` first.
    pub fn kinds(&self) -> &[String] {
        &self.kinds
    }

    /// The raw values behind a cell (for figures that need no protection of their own).
    pub fn totals(&self, unit: usize, kind: &str, period: Period) -> Option<&Totals> {
        self.index_of(unit, kind, period).map(|i| &self.totals[i])
    }

    /// What a cell shows for `figure`.
    pub fn shown(&self, figure: Figure, unit: usize, kind: &str, period: Period) -> Shown {
        let Some(i) = self.index_of(unit, kind, period) else {
            return Shown::Value(0).zero_for(figure);
        };
        if self.hidden.get(&figure).is_some_and(|h| h[i]) {
            return Shown::Suppressed;
        }
        match figure.raw(&self.totals[i]) {
            Some(v) => Shown::Value(v),
            None => Shown::Absent,
        }
    }

    fn protect_all(&mut self) {
        let groups = self.groups();
        for figure in Figure::ALL {
            let primary: Vec<bool> = self.totals.iter().map(|t| figure.primary(t)).collect();
            let hidden = match figure.class() {
                Class::Amount => continue,
                Class::Wait => primary,
                Class::Count | Class::Hours => {
                    let values: Vec<i64> = self
                        .totals
                        .iter()
                        .map(|t| figure.raw(t).unwrap_or(0))
                        .collect();
                    protect(&values, &primary, &groups)
                }
            };
            self.hidden.insert(figure, hidden);
        }
    }

    fn groups(&self) -> Vec<Group> {
        let mut groups = Vec::new();
        let quarter_of = |p: &Period| Period::containing(PeriodKind::Quarter, p.start);
        for u in 0..self.units {
            for k in 0..self.kinds.len() {
                for (q, quarter) in self.periods.iter().enumerate() {
                    match quarter.kind {
                        PeriodKind::Quarter => groups.push(Group {
                            cells: (0..self.periods.len())
                                .filter(|&m| {
                                    self.periods[m].kind == PeriodKind::Month
                                        && quarter_of(&self.periods[m]) == *quarter
                                })
                                .map(|m| self.index(u, k, m))
                                .collect(),
                            total: self.index(u, k, q),
                        }),
                        PeriodKind::Year => groups.push(Group {
                            cells: (0..self.periods.len())
                                .filter(|&x| self.periods[x].kind == PeriodKind::Quarter)
                                .map(|x| self.index(u, k, x))
                                .collect(),
                            total: self.index(u, k, q),
                        }),
                        PeriodKind::Month => {}
                    }
                }
            }
            if self.kinds.len() > 1 {
                for p in 0..self.periods.len() {
                    groups.push(Group {
                        cells: (1..self.kinds.len()).map(|k| self.index(u, k, p)).collect(),
                        total: self.index(u, 0, p),
                    });
                }
            }
        }
        if self.unit_total && self.units > 1 {
            let last = self.units - 1;
            for k in 0..self.kinds.len() {
                for p in 0..self.periods.len() {
                    groups.push(Group {
                        cells: (0..last).map(|u| self.index(u, k, p)).collect(),
                        total: self.index(last, k, p),
                    });
                }
            }
        }
        groups
    }
}

impl Shown {
    fn zero_for(self, figure: Figure) -> Self {
        if figure.class() == Class::Wait {
            Self::Absent
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figures::Column;

    fn month(m: u32) -> Period {
        Period::starting(
            PeriodKind::Month,
            chrono::NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
        )
        .unwrap()
    }

    fn active(n: i64) -> Totals {
        let mut t = Totals::default();
        t.add(Column::ActiveVolunteers, n);
        t
    }

    fn q1() -> Period {
        Period::containing(PeriodKind::Quarter, month(1).start)
    }

    #[test]
    fn a_small_kind_cannot_be_had_from_the_office_total() {
        let rows = vec![
            (month(1), "tutoring".to_owned(), active(3)),
            (month(1), "reading".to_owned(), active(30)),
            (month(1), "events".to_owned(), active(12)),
            (month(1), ALL_KINDS.to_owned(), active(45)),
        ];
        let grid = Grid::office(2026, rows);
        let f = Figure::ActiveVolunteers;
        assert_eq!(grid.shown(f, 0, "tutoring", month(1)), Shown::Suppressed);
        assert_eq!(grid.shown(f, 0, "events", month(1)), Shown::Suppressed);
        assert_eq!(grid.shown(f, 0, "reading", month(1)), Shown::Value(30));
        assert_eq!(grid.shown(f, 0, ALL_KINDS, month(1)), Shown::Value(45));
    }

    #[test]
    fn a_small_month_cannot_be_had_from_its_quarter() {
        let mut rows = Vec::new();
        for (m, n) in [(1, 2), (2, 10), (3, 11)] {
            rows.push((month(m), ALL_KINDS.to_owned(), active(n)));
        }
        rows.push((q1(), ALL_KINDS.to_owned(), active(23)));
        let grid = Grid::office(2026, rows);
        let f = Figure::ActiveVolunteers;
        assert_eq!(grid.shown(f, 0, ALL_KINDS, month(1)), Shown::Suppressed);
        assert_eq!(grid.shown(f, 0, ALL_KINDS, month(2)), Shown::Suppressed);
        assert_eq!(grid.shown(f, 0, ALL_KINDS, month(3)), Shown::Value(11));
        assert_eq!(grid.shown(f, 0, ALL_KINDS, q1()), Shown::Value(23));
    }

    #[test]
    fn a_small_office_cannot_be_had_from_the_region_total() {
        let rows = vec![
            (0, month(1), active(3)),
            (1, month(1), active(40)),
            (2, month(1), active(9)),
        ];
        let grid = Grid::region(2026, 3, rows);
        let f = Figure::ActiveVolunteers;
        assert_eq!(grid.shown(f, 0, ALL_KINDS, month(1)), Shown::Suppressed);
        assert_eq!(grid.shown(f, 2, ALL_KINDS, month(1)), Shown::Suppressed);
        assert_eq!(grid.shown(f, 1, ALL_KINDS, month(1)), Shown::Value(40));
        assert_eq!(grid.shown(f, 3, ALL_KINDS, month(1)), Shown::Value(52));
        // Months with no quarter row: the quarter is 0 there, and 0 is shown.
        assert_eq!(grid.shown(f, 1, ALL_KINDS, q1()), Shown::Value(0));
    }
}
