//! Filtering and ranking. Two passes: every candidate is checked and, if eligible, scored into a
//! 16-byte record (no allocation per candidate); then the best `limit` are picked by partial
//! selection, sorted, and only they are scored again with their reasons written out. Scoring is a
//! pure function of the candidate, so the second time gives the same numbers.

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};

use crate::districts::DistrictMap;
use crate::schedule::{MAX_WEEKS, NeedTime};
use crate::score::{Availability, Breakdown, Load, Place};
use crate::types::{Candidate, Criteria, Exclusion, Outcome, Ranked};

/// Youngest age at which a volunteer can be placed at all (with a guardian's consent).
pub const MIN_AGE: i32 = 13;
/// Age of majority in Poland.
pub const ADULT_AGE: i32 = 18;

/// Ranks `candidates` for the need described by `criteria`: filters by the hard rules (see
/// [`Exclusion`]), scores the rest (see the crate docs for the weights) and returns the best
/// `criteria.limit`, best first. Ties go to fewer committed hours in the need's busiest week,
/// then to the lower id, then to the earlier position in `candidates`, so the result never depends
/// on hashing or on the sort algorithm.
pub fn rank(criteria: &Criteria, candidates: &[Candidate], map: &DistrictMap) -> Outcome {
    let need = Need::new(criteria, map);
    let mut excluded = [0u32; Exclusion::ALL.len()];
    let mut eligible: Vec<Scored> = Vec::new();
    for (index, candidate) in candidates.iter().enumerate() {
        match need.evaluate(candidate) {
            Ok(breakdown) => eligible.push(Scored {
                index: index as u32,
                score: breakdown.score(),
                busiest: breakdown.load.busiest,
            }),
            Err(rule) => excluded[rule as usize] += 1,
        }
    }

    let order = |a: &Scored, b: &Scored| -> Ordering {
        b.score
            .cmp(&a.score)
            .then(a.busiest.cmp(&b.busiest))
            .then_with(|| {
                candidates[a.index as usize]
                    .id
                    .cmp(&candidates[b.index as usize].id)
            })
            .then(a.index.cmp(&b.index))
    };
    let eligible_count = eligible.len() as u32;
    let limit = criteria.limit.min(eligible.len());
    if limit == 0 {
        eligible.clear();
    } else if limit < eligible.len() {
        eligible.select_nth_unstable_by(limit - 1, order);
        eligible.truncate(limit);
    }
    eligible.sort_unstable_by(order);

    let ranked = eligible
        .iter()
        .filter_map(|s| {
            let candidate = &candidates[s.index as usize];
            // Eligible a moment ago and nothing changed, so this is always `Ok`.
            let breakdown = need.evaluate(candidate).ok()?;
            debug_assert_eq!(breakdown.score(), s.score);
            Some(Ranked {
                id: candidate.id,
                score: s.score,
                reasons: breakdown.reasons(),
            })
        })
        .collect();

    Outcome {
        ranked,
        excluded: Exclusion::ALL
            .iter()
            .zip(excluded)
            .filter(|(_, n)| *n > 0)
            .map(|(rule, n)| (*rule, n))
            .collect(),
        eligible: eligible_count,
    }
}

/// An eligible candidate, kept small so the selection moves little memory.
#[derive(Debug, Clone, Copy)]
struct Scored {
    index: u32,
    score: u32,
    busiest: i64,
}

/// The criteria with everything that does not depend on the candidate worked out once.
struct Need<'a> {
    criteria: &'a Criteria,
    map: &'a DistrictMap,
    time: NeedTime,
    /// Born on or before this day: adult on the need's first day.
    adult_if_born_by: NaiveDate,
    /// Born on or before this day: at least [`MIN_AGE`] on the need's first day.
    placeable_if_born_by: NaiveDate,
    /// Weeks in which the need takes any time: the load and the hours limit look only at these.
    need_weeks: usize,
}

impl<'a> Need<'a> {
    fn new(criteria: &'a Criteria, map: &'a DistrictMap) -> Self {
        let time = NeedTime::new(&criteria.schedule);
        let need_weeks = time.week_need().iter().filter(|&&s| s > 0).count();
        let first_day = criteria.schedule.first_day();
        Self {
            criteria,
            map,
            adult_if_born_by: latest_birth(first_day, ADULT_AGE),
            placeable_if_born_by: latest_birth(first_day, MIN_AGE),
            time,
            need_weeks,
        }
    }

    /// The hard rules in [`Exclusion`] order, cheapest facts first; then the score's inputs.
    fn evaluate(&self, c: &Candidate) -> Result<Breakdown, Exclusion> {
        let criteria = self.criteria;
        if !c.kinds.contains(criteria.kind) {
            return Err(Exclusion::Kind);
        }
        if !criteria.languages.iter().all(|l| c.languages.contains(l)) {
            return Err(Exclusion::Language);
        }
        // Two date comparisons instead of calendar arithmetic per candidate.
        let minor = c.birth_date > self.adult_if_born_by;
        if c.birth_date > self.placeable_if_born_by || (minor && criteria.adults_only) {
            return Err(Exclusion::Minor);
        }
        if minor && !c.guardian_consent {
            return Err(Exclusion::NoGuardianConsent);
        }
        if criteria.child_check_required && !c.cleared_for_children {
            return Err(Exclusion::ChildCheck);
        }

        let place = match criteria.district {
            None => Place::Irrelevant,
            Some(_) if c.districts.is_empty() => Place::Anywhere,
            Some(to) => Place::Hops(
                c.districts
                    .iter()
                    .map(|&from| self.map.distance(from, to))
                    .min()
                    .unwrap_or(DistrictMap::UNREACHABLE),
            ),
        };
        if let (Place::Hops(hops), Some(max)) = (place, criteria.max_distance)
            && hops > max
        {
            return Err(Exclusion::TooFar);
        }

        let total = self.time.total();
        let availability = if total == 0 {
            Availability::NoTime
        } else if !c.slots.iter().any(|s| s.is_valid()) {
            Availability::Undeclared
        } else {
            let covered = self.time.coverage(&c.slots);
            if covered == 0 {
                return Err(Exclusion::Unavailable);
            }
            Availability::Covered { covered, total }
        };

        if self.time.hits_absence(&c.absences) {
            return Err(Exclusion::Absent);
        }
        let committed = self
            .time
            .committed(&c.commitments)
            .map_err(|()| Exclusion::Busy)?;
        let week_need = self.time.week_need();
        let limit = c
            .max_hours_per_week
            .filter(|h| h.is_finite())
            .map(|h| (f64::from(h) * 3600.0).round() as i64);
        let mut busiest = 0;
        for week in 0..MAX_WEEKS {
            if week_need[week] == 0 {
                continue;
            }
            if limit.is_some_and(|l| committed[week] + week_need[week] > l) {
                return Err(Exclusion::HoursLimit);
            }
            busiest = busiest.max(committed[week]);
        }

        let matched = criteria
            .skills
            .iter()
            .filter(|s| c.skills.contains(s))
            .count() as u32;
        let continuity = criteria.beneficiary.map(|b| {
            c.past_beneficiaries.contains(&b)
                || c.commitments.iter().any(|k| k.beneficiary == Some(b))
        });
        Ok(Breakdown {
            availability,
            skills: (matched, criteria.skills.len() as u32),
            place,
            load: Load {
                busiest,
                limit,
                many_weeks: self.need_weeks > 1,
            },
            continuity,
        })
    }
}

/// Completed years on `day`, the way Polish law counts them: a birthday on 29 February is reached
/// on 28 February in common years.
fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let (month, mut dom) = (birth.month(), birth.day());
    if month == 2 && dom == 29 && !is_leap(day.year()) {
        dom = 28;
    }
    let before_birthday = (day.month(), day.day()) < (month, dom);
    day.year() - birth.year() - i32::from(before_birthday)
}

/// The last birth date that makes someone at least `years` old on `day`. Age only grows the
/// earlier one was born, so start at the same day `years` earlier and step to the boundary, with
/// [`age_on`] deciding (it knows the 29 February rule).
fn latest_birth(day: NaiveDate, years: i32) -> NaiveDate {
    let mut birth = NaiveDate::from_ymd_opt(day.year() - years, day.month(), day.day())
        .or_else(|| NaiveDate::from_ymd_opt(day.year() - years, day.month(), day.day() - 1))
        .unwrap_or(day);
    while let Some(later) = birth.succ_opt().filter(|&b| age_on(b, day) >= years) {
        birth = later;
    }
    while age_on(birth, day) < years {
        match birth.pred_opt() {
            Some(earlier) => birth = earlier,
            None => break,
        }
    }
    birth
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        assert_eq!(age_on(date(2008, 3, 11), date(2026, 3, 10)), 17);
        assert_eq!(age_on(date(2008, 3, 11), date(2026, 3, 11)), 18);
        assert_eq!(age_on(date(2030, 1, 1), date(2026, 3, 11)), -4);
    }

    #[test]
    fn leap_day_birthdays_count_on_the_28th_in_common_years() {
        assert_eq!(age_on(date(2008, 2, 29), date(2026, 2, 27)), 17);
        assert_eq!(age_on(date(2008, 2, 29), date(2026, 2, 28)), 18);
        assert_eq!(age_on(date(2008, 2, 29), date(2028, 2, 28)), 19);
        assert_eq!(age_on(date(2008, 2, 29), date(2028, 2, 29)), 20);
    }

    #[test]
    fn birth_cutoffs_agree_with_age_on() {
        let mut day = date(2023, 1, 1);
        while day < date(2029, 1, 1) {
            for years in [MIN_AGE, ADULT_AGE] {
                let cutoff = latest_birth(day, years);
                assert!(age_on(cutoff, day) >= years, "{day} {years}");
                assert!(
                    age_on(cutoff.succ_opt().unwrap(), day) < years,
                    "{day} {years}"
                );
            }
            day = day.succ_opt().unwrap();
        }
        // Born on 29 February 2008: adult on 28 February 2026.
        assert_eq!(
            latest_birth(date(2026, 2, 28), ADULT_AGE),
            date(2008, 2, 29)
        );
        assert_eq!(
            latest_birth(date(2026, 3, 11), ADULT_AGE),
            date(2008, 3, 11)
        );
    }
}
