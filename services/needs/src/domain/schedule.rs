//! When a need's help happens: one visit, or weekly slots over a period (Polish wall-clock
//! time). A recurring need's visits are its occurrences, each booked on its own so the
//! volunteer stays free between them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use lacznik_documents::format::long_date;
use lacznik_types::local_time::{from_warsaw, warsaw};
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

/// Day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    fn to_chrono(self) -> chrono::Weekday {
        match self {
            Self::Mon => chrono::Weekday::Mon,
            Self::Tue => chrono::Weekday::Tue,
            Self::Wed => chrono::Weekday::Wed,
            Self::Thu => chrono::Weekday::Thu,
            Self::Fri => chrono::Weekday::Fri,
            Self::Sat => chrono::Weekday::Sat,
            Self::Sun => chrono::Weekday::Sun,
        }
    }
}

/// e.g. Tuesdays 16:00–18:00 (local time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct WeeklySlot {
    pub weekday: Weekday,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`, later than `start`.
    pub end: String,
}

impl WeeklySlot {
    /// Start and end, if both are `HH:MM` and the end is later.
    pub fn times(&self) -> Option<(NaiveTime, NaiveTime)> {
        let start = NaiveTime::parse_from_str(self.start.trim(), "%H:%M").ok()?;
        let end = NaiveTime::parse_from_str(self.end.trim(), "%H:%M").ok()?;
        (end > start).then_some((start, end))
    }
}

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    Once {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    Weekly {
        slots: Vec<WeeklySlot>,
        from: NaiveDate,
        until: NaiveDate,
    },
}

impl Schedule {
    /// The first moment and the last of the help.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match self {
            Self::Once { starts_at, ends_at } => Some((*starts_at, *ends_at)),
            Self::Weekly { .. } => {
                let all = occurrences(self);
                Some((all.first()?.0, all.last()?.1))
            }
        }
    }
}

const WEEKDAYS: [&str; 7] = [
    "poniedziałek",
    "wtorek",
    "środa",
    "czwartek",
    "piątek",
    "sobota",
    "niedziela",
];

const WEEKDAYS_PLURAL: [&str; 7] = [
    "poniedziałki",
    "wtorki",
    "środy",
    "czwartki",
    "piątki",
    "soboty",
    "niedziele",
];

impl Schedule {
    /// In Polish, for emails and pages: "wtorek, 24 listopada 2026 r., 10:00–12:00" or
    /// "wtorki 16:00–18:00, od 1 grudnia 2026 r. do 30 czerwca 2027 r.".
    pub fn describe(&self) -> String {
        match self {
            Self::Once { starts_at, ends_at } => {
                let (start, end) = (warsaw(*starts_at), warsaw(*ends_at));
                let day = WEEKDAYS[start.weekday().num_days_from_monday() as usize];
                let same_day = start.date() == end.date();
                format!(
                    "{day}, {}, {}–{}",
                    long_date(start.date()),
                    start.format("%H:%M"),
                    if same_day {
                        end.format("%H:%M").to_string()
                    } else {
                        format!("{} {}", long_date(end.date()), end.format("%H:%M"))
                    }
                )
            }
            Self::Weekly { slots, from, until } => {
                let slots: Vec<String> = slots
                    .iter()
                    .map(|s| {
                        let day = s.weekday.to_chrono().num_days_from_monday() as usize;
                        format!("{} {}–{}", WEEKDAYS_PLURAL[day], s.start, s.end)
                    })
                    .collect();
                format!(
                    "{}, od {} do {}",
                    slots.join(", "),
                    long_date(*from),
                    long_date(*until)
                )
            }
        }
    }
}

/// Every visit of the schedule, earliest first.
pub fn occurrences(schedule: &Schedule) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    match schedule {
        Schedule::Once { starts_at, ends_at } => vec![(*starts_at, *ends_at)],
        Schedule::Weekly { slots, from, until } => {
            let mut out = Vec::new();
            let mut day = *from;
            while day <= *until {
                for slot in slots {
                    if slot.weekday.to_chrono() == day.weekday()
                        && let Some((start, end)) = slot.times()
                    {
                        out.push((
                            from_warsaw(day.and_time(start)),
                            from_warsaw(day.and_time(end)),
                        ));
                    }
                }
                day += Duration::days(1);
            }
            out.sort();
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(weekday: Weekday, start: &str, end: &str) -> WeeklySlot {
        WeeklySlot {
            weekday,
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn weekly_visits_fall_on_their_days_in_polish_time() {
        let schedule = Schedule::Weekly {
            slots: vec![slot(Weekday::Tue, "16:00", "18:00")],
            from: NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
            until: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
        };
        let visits = occurrences(&schedule);
        assert_eq!(visits.len(), 3);
        // 20 October is summer time (UTC+2), 27 October and 3 November winter time (UTC+1).
        assert_eq!(visits[0].0.to_rfc3339(), "2026-10-20T14:00:00+00:00");
        assert_eq!(visits[1].0.to_rfc3339(), "2026-10-27T15:00:00+00:00");
        assert_eq!(visits[2].1.to_rfc3339(), "2026-11-03T17:00:00+00:00");
    }

    #[test]
    fn schedules_read_in_polish() {
        let once = Schedule::Once {
            starts_at: "2026-11-24T09:00:00Z".parse().unwrap(),
            ends_at: "2026-11-24T11:00:00Z".parse().unwrap(),
        };
        assert_eq!(once.describe(), "wtorek, 24 listopada 2026 r., 10:00–12:00");
        let weekly = Schedule::Weekly {
            slots: vec![slot(Weekday::Tue, "16:00", "18:00")],
            from: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            until: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        };
        assert_eq!(
            weekly.describe(),
            "wtorki 16:00–18:00, od 1 grudnia 2026 r. do 30 czerwca 2027 r."
        );
    }

    #[test]
    fn a_slot_that_ends_before_it_starts_is_not_a_slot() {
        assert!(slot(Weekday::Mon, "18:00", "16:00").times().is_none());
        assert!(slot(Weekday::Mon, "25:00", "26:00").times().is_none());
    }
}
