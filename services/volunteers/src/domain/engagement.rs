//! Whether a volunteer may take on an assignment. The rules come from the law and the
//! office's duty of care, and each refusal says which one stopped it:
//! - only active volunteers take work;
//! - a minor (13–17) needs a legal guardian's recorded consent, and adults-only tasks take
//!   adults only;
//! - work with children needs valid KRK and sex-offender-register checks (art. 21 of the Act on
//!   counteracting threats of sexual crime) for the whole assignment;
//! - nobody is booked twice for the same time, nor on days they said they are away;
//! - art. 44 of the Act on public benefit activity and volunteerism: an engagement longer than
//!   30 days needs a written agreement, so an assignment that would end after day 30 of the
//!   engagement needs a signed agreement covering it. The engagement is counted from the start
//!   of the volunteer's first assignment.

use chrono::{DateTime, NaiveDate, Utc};

use super::VolunteerStatus;

/// The 30-day threshold of art. 44 ust. 2.
pub const WRITTEN_AGREEMENT_AFTER_DAYS: i64 = 30;

/// How many days before day 30 the office is warned.
pub const AGREEMENT_WARNING_DAYS: i64 = 7;

/// An assignment the needs service wants to book.
#[derive(Clone, Debug)]
pub struct Proposed {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub child_related: bool,
    pub adults_only: bool,
}

/// A signed or unsigned agreement, as far as the rule cares.
#[derive(Clone, Copy, Debug)]
pub struct AgreementSpan {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
}

impl AgreementSpan {
    /// Signed by `day` and in force for every day from `from` to `until`.
    pub fn covers(&self, day: NaiveDate, from: NaiveDate, until: NaiveDate) -> bool {
        self.signed_on.is_some_and(|s| s <= day)
            && self.starts_on <= from
            && self.ends_on.is_none_or(|e| e >= until)
    }
}

/// What is known about the volunteer when deciding.
#[derive(Clone, Debug)]
pub struct Facts {
    pub status: VolunteerStatus,
    pub birth_date: NaiveDate,
    pub guardian_consent: bool,
    /// (valid from, valid until) of each kind of check; see [`super::cleared_for_children`].
    pub checks: Vec<(super::CheckKind, NaiveDate, NaiveDate)>,
    /// Booked (not cancelled) assignments: start and end.
    pub booked: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Declared absences, first and last day.
    pub absences: Vec<(NaiveDate, NaiveDate)>,
    pub agreements: Vec<AgreementSpan>,
}

/// Why an assignment was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotActive(VolunteerStatus),
    AdultsOnly {
        age: u32,
    },
    GuardianConsentMissing,
    ChildCheckMissing,
    DoubleBooked {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    Absent {
        from: NaiveDate,
        until: NaiveDate,
    },
    AgreementRequired {
        engaged_since: NaiveDate,
        day: i64,
    },
}

impl Refusal {
    /// Stable code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotActive(_) => "volunteer_not_active",
            Self::AdultsOnly { .. } => "adults_only",
            Self::GuardianConsentMissing => "guardian_consent_missing",
            Self::ChildCheckMissing => "child_check_missing",
            Self::DoubleBooked { .. } => "double_booked",
            Self::Absent { .. } => "volunteer_absent",
            Self::AgreementRequired { .. } => "agreement_required",
        }
    }

    /// Polish explanation for the coordinator.
    pub fn detail(&self) -> String {
        let when = |t: &DateTime<Utc>| t.format("%d.%m.%Y %H:%M UTC").to_string();
        match self {
            Self::NotActive(status) => format!(
                "Wolontariusz ma status „{}”; zadania przydziela się tylko aktywnym wolontariuszom.",
                status.label()
            ),
            Self::AdultsOnly { age } => {
                format!("Zadanie jest tylko dla pełnoletnich, a wolontariusz ma {age} lat.")
            }
            Self::GuardianConsentMissing => "Wolontariusz jest niepełnoletni i nie ma \
                potwierdzonej zgody przedstawiciela ustawowego."
                .to_owned(),
            Self::ChildCheckMissing => "Zadanie dotyczy pracy z dziećmi: wolontariusz nie ma \
                ważnego na cały czas zadania sprawdzenia w Krajowym Rejestrze Karnym i w Rejestrze \
                Sprawców Przestępstw na Tle Seksualnym."
                .to_owned(),
            Self::DoubleBooked { start, end } => format!(
                "Wolontariusz ma już w tym czasie inne zadanie ({} – {}).",
                when(start),
                when(end)
            ),
            Self::Absent { from, until } => format!(
                "Wolontariusz zgłosił nieobecność od {} do {}.",
                from.format("%d.%m.%Y"),
                until.format("%d.%m.%Y")
            ),
            Self::AgreementRequired { engaged_since, day } => format!(
                "Współpraca trwa od {} — to zadanie kończy się w {day}. dniu. Po 30 dniach ustawa \
                 o działalności pożytku publicznego i o wolontariacie (art. 44 ust. 2) wymaga \
                 pisemnego porozumienia: podpisz porozumienie obejmujące ten termin.",
                engaged_since.format("%d.%m.%Y")
            ),
        }
    }
}

/// Day of the engagement (counting its first day as 1) on which `day` falls.
pub fn engagement_day(since: NaiveDate, day: NaiveDate) -> i64 {
    (day - since).num_days() + 1
}

/// The first day of the engagement: the start of the earliest booked assignment.
pub fn engaged_since(booked: &[(DateTime<Utc>, DateTime<Utc>)]) -> Option<NaiveDate> {
    booked.iter().map(|(s, _)| s.date_naive()).min()
}

/// Decides whether `proposed` may be booked, `today` being the day of booking.
pub fn admit(facts: &Facts, proposed: &Proposed, today: NaiveDate) -> Result<(), Refusal> {
    if facts.status != VolunteerStatus::Active {
        return Err(Refusal::NotActive(facts.status));
    }
    let first_day = proposed.starts_at.date_naive();
    let last_day = proposed.ends_at.date_naive();
    let age = first_day.years_since(facts.birth_date).unwrap_or(0);
    if age < 18 {
        if proposed.adults_only {
            return Err(Refusal::AdultsOnly { age });
        }
        if !facts.guardian_consent {
            return Err(Refusal::GuardianConsentMissing);
        }
    }
    if proposed.child_related
        && !(super::cleared_for_children(&facts.checks, first_day)
            && super::cleared_for_children(&facts.checks, last_day))
    {
        return Err(Refusal::ChildCheckMissing);
    }
    if let Some((from, until)) = facts
        .absences
        .iter()
        .find(|(from, until)| *from <= last_day && first_day <= *until)
    {
        return Err(Refusal::Absent {
            from: *from,
            until: *until,
        });
    }
    if let Some((start, end)) = facts
        .booked
        .iter()
        .find(|(s, e)| *s < proposed.ends_at && proposed.starts_at < *e)
    {
        return Err(Refusal::DoubleBooked {
            start: *start,
            end: *end,
        });
    }
    let since = engaged_since(&facts.booked).map_or(first_day, |s| s.min(first_day));
    let day = engagement_day(since, last_day);
    if day > WRITTEN_AGREEMENT_AFTER_DAYS
        && !facts
            .agreements
            .iter()
            .any(|a| a.covers(today.max(first_day), first_day, last_day))
    {
        return Err(Refusal::AgreementRequired {
            engaged_since: since,
            day,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CheckKind;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap()
    }

    fn adult() -> Facts {
        Facts {
            status: VolunteerStatus::Active,
            birth_date: NaiveDate::from_ymd_opt(1990, 5, 1).unwrap(),
            guardian_consent: false,
            checks: Vec::new(),
            booked: Vec::new(),
            absences: Vec::new(),
            agreements: Vec::new(),
        }
    }

    fn visit(d: u32, m: u32) -> Proposed {
        Proposed {
            starts_at: at(2026, m, d, 10),
            ends_at: at(2026, m, d, 12),
            child_related: false,
            adults_only: false,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    }

    #[test]
    fn minors_need_consent_and_are_kept_from_adult_tasks() {
        let mut minor = adult();
        minor.birth_date = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        assert_eq!(
            admit(&minor, &visit(2, 11), today()),
            Err(Refusal::GuardianConsentMissing)
        );
        minor.guardian_consent = true;
        assert_eq!(admit(&minor, &visit(2, 11), today()), Ok(()));
        let mut adults_only = visit(2, 11);
        adults_only.adults_only = true;
        assert_eq!(
            admit(&minor, &adults_only, today()),
            Err(Refusal::AdultsOnly { age: 16 })
        );
    }

    #[test]
    fn child_work_needs_checks_valid_for_the_whole_task() {
        let mut facts = adult();
        let mut task = visit(2, 11);
        task.child_related = true;
        assert_eq!(
            admit(&facts, &task, today()),
            Err(Refusal::ChildCheckMissing)
        );
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let until = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        facts.checks = vec![
            (CheckKind::CriminalRecord, from, until),
            (CheckKind::SexOffenderRegister, from, until),
        ];
        assert_eq!(admit(&facts, &task, today()), Ok(()));
        task.ends_at = at(2026, 11, 3, 1);
        assert_eq!(
            admit(&facts, &task, today()),
            Err(Refusal::ChildCheckMissing)
        );
    }

    #[test]
    fn day_thirty_one_needs_a_signed_agreement() {
        let mut facts = adult();
        facts.booked = vec![(at(2026, 11, 2, 10), at(2026, 11, 2, 12))];
        // 2 Nov is day 1; 1 Dec is day 30; 2 Dec is day 31.
        assert_eq!(admit(&facts, &visit(1, 12), today()), Ok(()));
        assert_eq!(
            admit(&facts, &visit(2, 12), today()),
            Err(Refusal::AgreementRequired {
                engaged_since: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                day: 31
            })
        );
        let mut agreement = AgreementSpan {
            starts_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            ends_on: None,
            signed_on: None,
        };
        facts.agreements = vec![agreement];
        assert!(admit(&facts, &visit(2, 12), today()).is_err(), "unsigned");
        agreement.signed_on = Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        facts.agreements = vec![agreement];
        assert_eq!(admit(&facts, &visit(2, 12), today()), Ok(()));
    }

    #[test]
    fn declared_absences_are_respected() {
        let mut facts = adult();
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        facts.absences = vec![(d(3), d(5))];
        assert_eq!(admit(&facts, &visit(2, 11), today()), Ok(()));
        assert_eq!(
            admit(&facts, &visit(5, 11), today()),
            Err(Refusal::Absent {
                from: d(3),
                until: d(5)
            })
        );
    }

    #[test]
    fn overlapping_times_are_refused_and_touching_ones_are_not() {
        let mut facts = adult();
        facts.booked = vec![(at(2026, 11, 2, 10), at(2026, 11, 2, 12))];
        let mut overlapping = visit(2, 11);
        overlapping.starts_at = at(2026, 11, 2, 11);
        overlapping.ends_at = at(2026, 11, 2, 13);
        assert!(matches!(
            admit(&facts, &overlapping, today()),
            Err(Refusal::DoubleBooked { .. })
        ));
        let mut after = visit(2, 11);
        after.starts_at = at(2026, 11, 2, 12);
        after.ends_at = at(2026, 11, 2, 14);
        assert_eq!(admit(&facts, &after, today()), Ok(()));
    }
}
