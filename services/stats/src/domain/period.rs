//! Periods of the statistics: calendar months, quarters and years in Polish local time. Distinct
//! counts (active volunteers, people helped) cannot be summed from months, so every figure is
//! kept for all three kinds of period; a period is named by its kind and its first day.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

/// How long a period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: [Self; 3] = [Self::Month, Self::Quarter, Self::Year];

    /// The name in the API and in the rollup table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        }
    }
}

/// A calendar month, quarter or year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub kind: PeriodKind,
    /// The first day.
    pub start: NaiveDate,
}

/// `start` is not the first day of a period of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not the first day of a period")]
pub struct NotABoundary;

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Self {
        let month = match kind {
            PeriodKind::Month => day.month(),
            PeriodKind::Quarter => (day.month() - 1) / 3 * 3 + 1,
            PeriodKind::Year => 1,
        };
        Self {
            kind,
            start: first_of(day.year(), month),
        }
    }

    /// The period of `kind` starting on `start`, which must be its first day.
    pub fn starting(kind: PeriodKind, start: NaiveDate) -> Result<Self, NotABoundary> {
        let period = Self::containing(kind, start);
        if period.start == start {
            Ok(period)
        } else {
            Err(NotABoundary)
        }
    }

    /// The three periods (month, quarter, year) a day belongs to.
    pub fn all_containing(day: NaiveDate) -> [Self; 3] {
        PeriodKind::ALL.map(|kind| Self::containing(kind, day))
    }

    /// The first day after the period.
    pub fn end(self) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(self.kind.months()))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last day of the period.
    pub fn last_day(self) -> NaiveDate {
        self.end().pred_opt().unwrap_or(self.start)
    }

    pub fn previous(self) -> Self {
        Self {
            kind: self.kind,
            start: self
                .start
                .checked_sub_months(Months::new(self.kind.months()))
                .unwrap_or(NaiveDate::MIN),
        }
    }

    pub fn next(self) -> Self {
        Self {
            kind: self.kind,
            start: self.end(),
        }
    }

    /// The same period a year earlier.
    pub fn year_ago(self) -> Self {
        Self {
            kind: self.kind,
            start: self
                .start
                .checked_sub_months(Months::new(12))
                .unwrap_or(NaiveDate::MIN),
        }
    }

    pub fn year(self) -> i32 {
        self.start.year()
    }

    /// Every period of a calendar year: 12 months, 4 quarters and the year, in that order.
    pub fn year_block(year: i32) -> Vec<Self> {
        let months = (1..=12).map(|m| Self {
            kind: PeriodKind::Month,
            start: first_of(year, m),
        });
        let quarters = [1, 4, 7, 10].into_iter().map(|m| Self {
            kind: PeriodKind::Quarter,
            start: first_of(year, m),
        });
        months
            .chain(quarters)
            .chain(std::iter::once(Self {
                kind: PeriodKind::Year,
                start: first_of(year, 1),
            }))
            .collect()
    }

    /// A Polish name: `styczeń 2026`, `I kwartał 2026`, `2026`.
    pub fn label(self) -> String {
        const MONTHS: [&str; 12] = [
            "styczeń",
            "luty",
            "marzec",
            "kwiecień",
            "maj",
            "czerwiec",
            "lipiec",
            "sierpień",
            "wrzesień",
            "październik",
            "listopad",
            "grudzień",
        ];
        const QUARTERS: [&str; 4] = ["I", "II", "III", "IV"];
        let month = self.start.month0() as usize;
        match self.kind {
            PeriodKind::Month => format!("{} {}", MONTHS[month], self.year()),
            PeriodKind::Quarter => format!("{} kwartał {}", QUARTERS[month / 3], self.year()),
            PeriodKind::Year => self.year().to_string(),
        }
    }
}

/// The days from 1 January of `first` up to (not including) 1 January after `last`.
pub fn years(first: i32, last: i32) -> (NaiveDate, NaiveDate) {
    (first_of(first, 1), first_of(last + 1, 1))
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// The Polish calendar day of an instant (periods follow the offices' local time).
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    lacznik_types::local_time::warsaw(at).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_contain_their_days_and_step_by_their_length() {
        let q = Period::containing(PeriodKind::Quarter, day("2026-05-31"));
        assert_eq!(q.start, day("2026-04-01"));
        assert_eq!(q.last_day(), day("2026-06-30"));
        assert_eq!(q.previous().start, day("2026-01-01"));
        assert_eq!(q.next().start, day("2026-07-01"));
        assert_eq!(q.year_ago().start, day("2025-04-01"));
        let m = Period::containing(PeriodKind::Month, day("2026-01-15"));
        assert_eq!(m.previous().start, day("2025-12-01"));
        assert_eq!(m.label(), "styczeń 2026");
        assert_eq!(q.label(), "II kwartał 2026");
        assert_eq!(
            Period::containing(PeriodKind::Year, day("2026-12-31")).label(),
            "2026"
        );
    }

    #[test]
    fn only_first_days_start_a_period() {
        assert!(Period::starting(PeriodKind::Month, day("2026-02-01")).is_ok());
        assert!(Period::starting(PeriodKind::Month, day("2026-02-02")).is_err());
        assert!(Period::starting(PeriodKind::Quarter, day("2026-02-01")).is_err());
        assert!(Period::starting(PeriodKind::Quarter, day("2026-10-01")).is_ok());
        assert!(Period::starting(PeriodKind::Year, day("2026-07-01")).is_err());
    }

    #[test]
    fn a_year_block_has_every_period_once() {
        let block = Period::year_block(2026);
        assert_eq!(block.len(), 17);
        for d in ["2026-01-01", "2026-06-30", "2026-12-31"] {
            for p in Period::all_containing(day(d)) {
                assert_eq!(block.iter().filter(|b| **b == p).count(), 1);
            }
        }
    }

    #[test]
    fn days_are_polish() {
        let late = "2026-01-31T23:30:00Z".parse().unwrap();
        assert_eq!(local_day(late), day("2026-02-01"));
    }
}
