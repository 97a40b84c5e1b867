//! Time arithmetic. Everything becomes whole seconds on one line: seconds since Monday
//! 0001-01-01 00:00 (day 1 of the proleptic Gregorian calendar, a Monday), so an ISO week is just
//! `seconds.div_euclid(WEEK)` and the position within the week `seconds.rem_euclid(WEEK)`. The
//! need is turned into sorted, disjoint spans once per ranking; each candidate is then checked
//! with binary searches and small fixed arrays, never allocating.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::types::{Absence, Commitment, Schedule, WeeklySlot};

pub(crate) const DAY: i64 = 86_400;
pub(crate) const WEEK: i64 = 7 * DAY;

/// How many weeks of a schedule are examined, counted from its first day. A weekly need can run
/// for a year; eight weeks of occurrences are enough to see someone's routine (commitments are
/// rarely assigned further ahead) and keep the per-candidate work bounded.
pub const EXAMINED_WEEKS: u32 = 8;
const EXAMINED_DAYS: i64 = EXAMINED_WEEKS as i64 * 7;

/// ISO weeks that `EXAMINED_DAYS` consecutive days can touch: one more than the weeks, because
/// the first day need not be a Monday.
pub(crate) const MAX_WEEKS: usize = EXAMINED_WEEKS as usize + 1;

pub(crate) fn day_start(day: NaiveDate) -> i64 {
    (i64::from(day.num_days_from_ce()) - 1) * DAY
}

pub(crate) fn instant(at: NaiveDateTime) -> i64 {
    day_start(at.date()) + i64::from(at.time().num_seconds_from_midnight())
}

/// A half-open stretch of time `[start, end)` in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: i64,
    pub end: i64,
}

/// The need's examined time, prepared once per ranking.
#[derive(Debug)]
pub(crate) struct NeedTime {
    /// Occurrences within the examined window, sorted and merged so they are disjoint: binary
    /// search works and overlapping need slots are not counted twice.
    spans: Vec<Span>,
    /// Seconds of need in all of `spans`.
    total: i64,
    /// ISO week index of `week_need[0]`.
    first_week: i64,
    /// Seconds of need per ISO week, from `first_week`.
    week_need: [i64; MAX_WEEKS],
    /// The same time folded onto one week: (offset from Monday 00:00, end offset, how many
    /// occurrences). Availability is a weekly pattern, so coverage is computed once per distinct
    /// offset instead of once per occurrence.
    pattern: Vec<(i64, i64, u32)>,
}

impl NeedTime {
    pub fn new(schedule: &Schedule) -> Self {
        let first = day_start(schedule.first_day());
        let window = Span {
            start: first,
            end: first + EXAMINED_DAYS * DAY,
        };
        let mut spans = Vec::new();
        match schedule {
            Schedule::Once { start, end } => spans.push(Span {
                start: instant(*start),
                end: instant(*end),
            }),
            Schedule::Weekly { slots, until, .. } => {
                let last = (day_start(*until) - first) / DAY;
                for day in 0..=last.min(EXAMINED_DAYS - 1) {
                    let midnight = first + day * DAY;
                    let monday = midnight - midnight.rem_euclid(WEEK);
                    for slot in slots.iter().filter(|s| s.is_valid()) {
                        let (a, b) = slot.week_offsets();
                        if (monday + a) / DAY == midnight / DAY {
                            spans.push(Span {
                                start: monday + a,
                                end: monday + b,
                            });
                        }
                    }
                }
            }
        }
        // Clip to the window and drop empty spans, then sort and merge.
        for span in &mut spans {
            span.start = span.start.max(window.start);
            span.end = span.end.min(window.end);
        }
        spans.retain(|s| s.end > s.start);
        spans.sort_unstable_by_key(|s| s.start);
        let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
        for span in spans {
            match merged.last_mut() {
                Some(prev) if span.start <= prev.end => prev.end = prev.end.max(span.end),
                _ => merged.push(span),
            }
        }

        let first_week = window.start.div_euclid(WEEK);
        let mut week_need = [0; MAX_WEEKS];
        let mut pattern: Vec<(i64, i64, u32)> = Vec::new();
        let mut total = 0;
        for span in &merged {
            total += span.end - span.start;
            let mut at = span.start;
            while at < span.end {
                let week = at.div_euclid(WEEK);
                let piece_end = span.end.min((week + 1) * WEEK);
                if let Some(slot) = week_need.get_mut((week - first_week) as usize) {
                    *slot += piece_end - at;
                }
                let offsets = (at - week * WEEK, piece_end - week * WEEK);
                match pattern.iter_mut().find(|p| (p.0, p.1) == offsets) {
                    Some(p) => p.2 += 1,
                    None => pattern.push((offsets.0, offsets.1, 1)),
                }
                at = piece_end;
            }
        }
        Self {
            spans: merged,
            total,
            first_week,
            week_need,
            pattern,
        }
    }

    /// Seconds of need examined; 0 when the schedule has no time in it.
    pub fn total(&self) -> i64 {
        self.total
    }

    /// Seconds of need in each examined ISO week.
    pub fn week_need(&self) -> &[i64; MAX_WEEKS] {
        &self.week_need
    }

    /// Whether `span` shares any time with the need (touching ends do not count).
    pub fn overlaps(&self, span: Span) -> bool {
        if span.end <= span.start {
            return false;
        }
        let i = self.spans.partition_point(|s| s.end <= span.start);
        self.spans.get(i).is_some_and(|s| s.start < span.end)
    }

    pub fn hits_absence(&self, absences: &[Absence]) -> bool {
        absences.iter().any(|a| {
            self.overlaps(Span {
                start: day_start(a.from),
                end: day_start(a.until) + DAY,
            })
        })
    }

    /// Seconds of the need covered by the union of the weekly slots.
    pub fn coverage(&self, slots: &[WeeklySlot]) -> i64 {
        self.pattern
            .iter()
            .map(|&(lo, hi, count)| i64::from(count) * union_within(slots, lo, hi))
            .sum()
    }

    /// Goes through the commitments once: `Err(())` as soon as one overlaps the need, otherwise
    /// the committed seconds in each examined ISO week (a commitment across midnight on Sunday is
    /// split between the two weeks).
    pub fn committed(&self, commitments: &[Commitment]) -> Result<[i64; MAX_WEEKS], ()> {
        let mut weeks = [0; MAX_WEEKS];
        let last_week = self.first_week + MAX_WEEKS as i64 - 1;
        for c in commitments {
            let span = Span {
                start: instant(c.start),
                end: instant(c.end),
            };
            if span.end <= span.start {
                continue;
            }
            if self.overlaps(span) {
                return Err(());
            }
            let from = span.start.div_euclid(WEEK).max(self.first_week);
            let to = (span.end - 1).div_euclid(WEEK).min(last_week);
            for week in from..=to {
                let piece = span.end.min((week + 1) * WEEK) - span.start.max(week * WEEK);
                if let Some(slot) = weeks.get_mut((week - self.first_week) as usize) {
                    *slot += piece;
                }
            }
        }
        Ok(weeks)
    }
}

/// Length of the part of `[lo, hi)` (offsets within a week) covered by at least one slot. Slots
/// may overlap each other, so this is a union: repeatedly take the earliest slot still reaching
/// past what is counted and extend it through every slot that touches it. Quadratic in the number
/// of slots, which is a handful, and free of allocation.
fn union_within(slots: &[WeeklySlot], lo: i64, hi: i64) -> i64 {
    let clipped = |slot: &WeeklySlot| {
        let (a, b) = slot.week_offsets();
        (a.max(lo), b.min(hi))
    };
    let mut covered = 0;
    let mut reach = lo;
    loop {
        let mut next: Option<(i64, i64)> = None;
        for slot in slots {
            let (a, b) = clipped(slot);
            if b <= a || b <= reach {
                continue;
            }
            let a = a.max(reach);
            if next.is_none_or(|(na, _)| a < na) {
                next = Some((a, b));
            }
        }
        let Some((start, mut end)) = next else {
            return covered;
        };
        loop {
            let mut grown = false;
            for slot in slots {
                let (a, b) = clipped(slot);
                if b > a && a <= end && b > end {
                    end = b;
                    grown = true;
                }
            }
            if !grown {
                break;
            }
        }
        covered += end - start;
        reach = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Weekday};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn slot(weekday: Weekday, from: u32, to: u32) -> WeeklySlot {
        WeeklySlot {
            weekday,
            start: time(from, 0),
            end: time(to, 0),
        }
    }

    #[test]
    fn the_epoch_is_a_monday_so_week_indices_change_on_mondays() {
        assert_eq!(date(1, 1, 1).weekday(), Weekday::Mon);
        // 2026-03-08 is a Sunday, 2026-03-09 a Monday.
        let sunday = day_start(date(2026, 3, 8));
        let monday = day_start(date(2026, 3, 9));
        assert_eq!(sunday.div_euclid(WEEK) + 1, monday.div_euclid(WEEK));
        assert_eq!(monday.rem_euclid(WEEK), 0);
        assert_eq!(
            instant(date(2026, 3, 9).and_time(time(10, 30))),
            monday + 10 * 3600 + 30 * 60
        );
    }

    #[test]
    fn union_does_not_count_overlapping_slots_twice() {
        let slots = [
            slot(Weekday::Mon, 9, 12),
            slot(Weekday::Mon, 11, 14),
            slot(Weekday::Mon, 16, 17),
            slot(Weekday::Mon, 9, 10),
        ];
        // Monday 08:00–18:00: covered 09–14 and 16–17.
        assert_eq!(union_within(&slots, 8 * 3600, 18 * 3600), 6 * 3600);
        // Monday 13:00–16:30: covered 13–14 and 16–16:30.
        assert_eq!(
            union_within(&slots, 13 * 3600, 16 * 3600 + 1800),
            3600 + 1800
        );
        assert_eq!(union_within(&slots, 0, 9 * 3600), 0);
        assert_eq!(union_within(&[], 0, WEEK), 0);
    }

    #[test]
    fn weekly_needs_are_examined_for_eight_weeks_only() {
        // Wednesdays 10–12 for half a year, starting on a Wednesday.
        let need = NeedTime::new(&Schedule::Weekly {
            slots: vec![slot(Weekday::Wed, 10, 12)],
            from: date(2026, 3, 11),
            until: date(2026, 9, 30),
        });
        assert_eq!(need.total(), i64::from(EXAMINED_WEEKS) * 2 * 3600);
        assert_eq!(need.pattern.len(), 1);
        assert_eq!(need.pattern[0].2, EXAMINED_WEEKS);
        assert_eq!(need.week_need()[0], 2 * 3600);
        assert_eq!(need.week_need()[MAX_WEEKS - 1], 0);
    }

    #[test]
    fn weekly_needs_respect_both_ends_and_merge_overlapping_slots() {
        // From a Thursday to the Tuesday twelve days later: Mondays and Thursdays, with two
        // overlapping Monday slots.
        let need = NeedTime::new(&Schedule::Weekly {
            slots: vec![
                slot(Weekday::Mon, 9, 11),
                slot(Weekday::Mon, 10, 12),
                slot(Weekday::Thu, 18, 19),
            ],
            from: date(2026, 3, 12),
            until: date(2026, 3, 24),
        });
        // Thu 12, Mon 16, Thu 19, Mon 23: 1 + 3 + 1 + 3 hours.
        assert_eq!(need.total(), 8 * 3600);
        assert_eq!(need.week_need()[..3], [3600, 4 * 3600, 3 * 3600]);
    }

    #[test]
    fn a_once_need_across_sunday_midnight_is_split_between_weeks() {
        let need = NeedTime::new(&Schedule::Once {
            start: date(2026, 3, 15).and_time(time(22, 0)),
            end: date(2026, 3, 16).and_time(time(1, 0)),
        });
        assert_eq!(need.week_need()[..2], [2 * 3600, 3600]);
        // Sunday 22–24 and Monday 00–01 folded onto the week.
        assert_eq!(need.coverage(&[slot(Weekday::Mon, 0, 9)]), 3600);
        assert_eq!(need.coverage(&[slot(Weekday::Sun, 20, 23)]), 3600);
    }

    #[test]
    fn a_schedule_without_time_examines_nothing() {
        let backwards = NeedTime::new(&Schedule::Once {
            start: date(2026, 3, 11).and_time(time(12, 0)),
            end: date(2026, 3, 11).and_time(time(10, 0)),
        });
        assert_eq!(backwards.total(), 0);
        assert!(!backwards.overlaps(Span {
            start: 0,
            end: i64::MAX
        }));
        let ended_before_it_began = NeedTime::new(&Schedule::Weekly {
            slots: vec![slot(Weekday::Mon, 9, 11)],
            from: date(2026, 3, 20),
            until: date(2026, 3, 10),
        });
        assert_eq!(ended_before_it_began.total(), 0);
    }
}
