//! Behaviour of `rank`, rule by rule, through the public API only.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions build fixtures from literals

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use lacznik_matching::{
    Absence, Candidate, Commitment, Criteria, DistrictId, DistrictMap, Exclusion, KindId, KindSet,
    LanguageId, Outcome, Schedule, SkillId, WeeklySlot, rank, score,
};
use uuid::Uuid;

const PL: LanguageId = LanguageId(0);
const UK: LanguageId = LanguageId(1);
const SHOPPING: KindId = KindId(0);
const WALK: KindId = KindId(1);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_time(NaiveTime::from_hms_opt(h, min, 0).unwrap())
}

fn slot(weekday: Weekday, from: u32, to: u32) -> WeeklySlot {
    WeeklySlot::new(
        weekday,
        NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(to, 0, 0).unwrap(),
    )
    .unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// An adult who offers shopping, speaks Polish, declared nothing else and has nothing assigned.
fn volunteer(n: u128) -> Candidate {
    Candidate {
        id: id(n),
        birth_date: date(1980, 5, 17),
        kinds: [SHOPPING].into_iter().collect(),
        skills: vec![],
        languages: vec![PL],
        districts: vec![],
        slots: vec![],
        absences: vec![],
        max_hours_per_week: None,
        commitments: vec![],
        past_beneficiaries: vec![],
        cleared_for_children: false,
        guardian_consent: false,
    }
}

/// Shopping for someone on Wednesday 11 March 2026, 10:00–12:00, in Polish.
fn visit() -> Criteria {
    Criteria {
        kind: SHOPPING,
        skills: vec![],
        languages: vec![PL],
        district: None,
        max_distance: None,
        schedule: Schedule::Once {
            start: at(2026, 3, 11, 10, 0),
            end: at(2026, 3, 11, 12, 0),
        },
        adults_only: false,
        child_check_required: false,
        wanted: 1,
        beneficiary: None,
        limit: 10,
    }
}

/// Wednesdays 10:00–12:00 from 11 March to the end of June 2026.
fn weekly() -> Criteria {
    Criteria {
        schedule: Schedule::Weekly {
            slots: vec![slot(Weekday::Wed, 10, 12)],
            from: date(2026, 3, 11),
            until: date(2026, 6, 30),
        },
        ..visit()
    }
}

fn chain(count: u16) -> DistrictMap {
    let pairs: Vec<_> = (1..count)
        .map(|i| (DistrictId(i - 1), DistrictId(i)))
        .collect();
    DistrictMap::from_neighbours(count, &pairs)
}

fn run(criteria: &Criteria, candidates: &[Candidate]) -> Outcome {
    rank(criteria, candidates, &DistrictMap::default())
}

/// The single rule that excluded the only candidate, or `None` if they were ranked.
fn verdict(criteria: &Criteria, candidate: Candidate) -> Option<Exclusion> {
    verdict_on(criteria, candidate, &DistrictMap::default())
}

fn verdict_on(criteria: &Criteria, candidate: Candidate, map: &DistrictMap) -> Option<Exclusion> {
    let outcome = rank(criteria, &[candidate], map);
    match (outcome.eligible, outcome.excluded.as_slice()) {
        (1, []) => {
            assert_eq!(outcome.ranked.len(), 1);
            None
        }
        (0, [(rule, 1)]) => {
            assert!(outcome.ranked.is_empty());
            Some(*rule)
        }
        other => panic!("one candidate, but {other:?}"),
    }
}

fn points(outcome: &Outcome, code: &str) -> Vec<u32> {
    outcome
        .ranked
        .iter()
        .map(|r| r.reasons.iter().find(|x| x.code == code).unwrap().points)
        .collect()
}

fn detail(outcome: &Outcome, code: &str) -> String {
    outcome.ranked[0]
        .reasons
        .iter()
        .find(|x| x.code == code)
        .unwrap()
        .detail
        .clone()
}

// ----- each exclusion on its own -----

#[test]
fn a_plain_volunteer_is_eligible() {
    assert_eq!(verdict(&visit(), volunteer(1)), None);
}

#[test]
fn kind() {
    let mut c = volunteer(1);
    c.kinds = KindSet::from_iter([WALK]);
    assert_eq!(verdict(&visit(), c), Some(Exclusion::Kind));
    // An out-of-range kind is never a member rather than aliasing another bit.
    let mut set = KindSet::default();
    assert!(!set.insert(KindId(32)));
    assert!(!set.contains(KindId(32)) && set.is_empty());
}

#[test]
fn language_requires_all_of_them() {
    let need = Criteria {
        languages: vec![PL, UK],
        ..visit()
    };
    assert_eq!(verdict(&need, volunteer(1)), Some(Exclusion::Language));
    let mut both = volunteer(1);
    both.languages = vec![UK, LanguageId(5), PL];
    assert_eq!(verdict(&need, both), None);
    let no_language = Criteria {
        languages: vec![],
        ..visit()
    };
    let mut none = volunteer(1);
    none.languages.clear();
    assert_eq!(verdict(&no_language, none), None);
}

fn aged(birth: NaiveDate, consent: bool) -> Candidate {
    Candidate {
        birth_date: birth,
        guardian_consent: consent,
        ..volunteer(1)
    }
}

#[test]
fn minors_with_consent_help_unless_the_need_is_adults_only() {
    let minor = aged(date(2010, 1, 1), true); // 16 on the day
    assert_eq!(verdict(&visit(), minor.clone()), None);
    let adults = Criteria {
        adults_only: true,
        ..visit()
    };
    assert_eq!(verdict(&adults, minor), Some(Exclusion::Minor));
}

#[test]
fn minors_need_guardian_consent() {
    assert_eq!(
        verdict(&visit(), aged(date(2010, 1, 1), false)),
        Some(Exclusion::NoGuardianConsent)
    );
    // Adults never do.
    assert_eq!(verdict(&visit(), aged(date(1990, 1, 1), false)), None);
}

#[test]
fn age_is_counted_on_the_needs_first_day() {
    let adults = Criteria {
        adults_only: true,
        ..visit()
    };
    // Eighteen on 11 March 2026, the day of the visit.
    assert_eq!(verdict(&adults, aged(date(2008, 3, 11), false)), None);
    // Eighteen a day later.
    assert_eq!(
        verdict(&adults, aged(date(2008, 3, 12), false)),
        Some(Exclusion::Minor)
    );
    // A weekly need counts from its first day, even if the birthday falls within it.
    let weekly_adults = Criteria {
        adults_only: true,
        ..weekly()
    };
    assert_eq!(
        verdict(&weekly_adults, aged(date(2008, 3, 20), false)),
        Some(Exclusion::Minor)
    );
}

#[test]
fn under_thirteen_is_never_placed_even_with_consent() {
    // Thirteen on the day: fine with consent.
    assert_eq!(verdict(&visit(), aged(date(2013, 3, 11), true)), None);
    assert_eq!(
        verdict(&visit(), aged(date(2013, 3, 12), true)),
        Some(Exclusion::Minor)
    );
}

#[test]
fn child_check() {
    let with_children = Criteria {
        child_check_required: true,
        ..visit()
    };
    assert_eq!(
        verdict(&with_children, volunteer(1)),
        Some(Exclusion::ChildCheck)
    );
    let cleared = Candidate {
        cleared_for_children: true,
        ..volunteer(1)
    };
    assert_eq!(verdict(&with_children, cleared), None);
    // Not asked for, not needed.
    assert_eq!(verdict(&visit(), volunteer(1)), None);
}

#[test]
fn absent_on_the_day() {
    let away = |from, until| Candidate {
        absences: vec![Absence { from, until }],
        ..volunteer(1)
    };
    assert_eq!(
        verdict(&visit(), away(date(2026, 3, 11), date(2026, 3, 11))),
        Some(Exclusion::Absent)
    );
    assert_eq!(
        verdict(&visit(), away(date(2026, 3, 1), date(2026, 3, 20))),
        Some(Exclusion::Absent)
    );
    // Back the day of the visit, or leaving the day after: fine.
    assert_eq!(
        verdict(&visit(), away(date(2026, 3, 1), date(2026, 3, 10))),
        None
    );
    assert_eq!(
        verdict(&visit(), away(date(2026, 3, 12), date(2026, 3, 20))),
        None
    );
}

#[test]
fn a_weekly_schedule_hits_an_absence_weeks_later() {
    let away = |from, until| Candidate {
        absences: vec![Absence { from, until }],
        ..volunteer(1)
    };
    // Wednesday 1 April is the fourth occurrence.
    assert_eq!(
        verdict(&weekly(), away(date(2026, 4, 1), date(2026, 4, 1))),
        Some(Exclusion::Absent)
    );
    // A week off from Thursday to Tuesday misses every Wednesday.
    assert_eq!(
        verdict(&weekly(), away(date(2026, 4, 2), date(2026, 4, 7))),
        None
    );
    // Only the first eight weeks are examined: 13 May is the tenth Wednesday.
    assert_eq!(
        verdict(&weekly(), away(date(2026, 5, 13), date(2026, 5, 13))),
        None
    );
}

fn busy_with(commitments: &[(NaiveDateTime, NaiveDateTime)]) -> Candidate {
    Candidate {
        commitments: commitments
            .iter()
            .map(|&(start, end)| Commitment {
                start,
                end,
                beneficiary: None,
            })
            .collect(),
        ..volunteer(1)
    }
}

#[test]
fn never_double_booked() {
    let overlapping = busy_with(&[(at(2026, 3, 11, 11, 30), at(2026, 3, 11, 13, 0))]);
    assert_eq!(verdict(&visit(), overlapping), Some(Exclusion::Busy));
    let inside = busy_with(&[(at(2026, 3, 11, 10, 15), at(2026, 3, 11, 10, 45))]);
    assert_eq!(verdict(&visit(), inside), Some(Exclusion::Busy));
    // Back to back is not an overlap.
    let before = busy_with(&[(at(2026, 3, 11, 8, 0), at(2026, 3, 11, 10, 0))]);
    assert_eq!(verdict(&visit(), before), None);
    let after = busy_with(&[(at(2026, 3, 11, 12, 0), at(2026, 3, 11, 14, 0))]);
    assert_eq!(verdict(&visit(), after), None);
    // The third Wednesday of a weekly need.
    let later = busy_with(&[(at(2026, 3, 25, 9, 0), at(2026, 3, 25, 10, 30))]);
    assert_eq!(verdict(&weekly(), later), Some(Exclusion::Busy));
}

#[test]
fn hours_limit_counts_the_iso_week() {
    let limited = |commitments: &[(NaiveDateTime, NaiveDateTime)]| Candidate {
        max_hours_per_week: Some(5.0),
        ..busy_with(commitments)
    };
    // Monday 9 March is in the visit's ISO week: 3.5 + 2 > 5.
    let same_week = limited(&[(at(2026, 3, 9, 9, 0), at(2026, 3, 9, 12, 30))]);
    assert_eq!(verdict(&visit(), same_week), Some(Exclusion::HoursLimit));
    // Exactly at the limit is allowed: 3 + 2 = 5.
    let at_limit = limited(&[(at(2026, 3, 15, 9, 0), at(2026, 3, 15, 12, 0))]);
    assert_eq!(verdict(&visit(), at_limit), None);
    // Sunday 8 March is the week before.
    let week_before = limited(&[(at(2026, 3, 8, 9, 0), at(2026, 3, 8, 12, 30))]);
    assert_eq!(verdict(&visit(), week_before), None);
    // Across midnight into Monday 9 March: only the Monday part (3.5 h) counts.
    let across = limited(&[(at(2026, 3, 8, 22, 0), at(2026, 3, 9, 3, 30))]);
    assert_eq!(verdict(&visit(), across), Some(Exclusion::HoursLimit));
    let across_less = limited(&[(at(2026, 3, 8, 22, 0), at(2026, 3, 9, 3, 0))]);
    assert_eq!(verdict(&visit(), across_less), None);
    // A need longer than the limit on its own.
    let tiny = Candidate {
        max_hours_per_week: Some(1.5),
        ..volunteer(1)
    };
    assert_eq!(verdict(&visit(), tiny), Some(Exclusion::HoursLimit));
}

#[test]
fn hours_limit_in_any_week_of_a_weekly_need() {
    // Two hours every Wednesday; four hours assigned on Friday 3 April (the fourth week).
    let c = Candidate {
        max_hours_per_week: Some(5.0),
        ..busy_with(&[(at(2026, 4, 3, 9, 0), at(2026, 4, 3, 13, 0))])
    };
    assert_eq!(verdict(&weekly(), c), Some(Exclusion::HoursLimit));
    // Twice a week, 2 h each: 4 h a week fits a 4 h limit only with nothing else that week.
    let twice = Criteria {
        schedule: Schedule::Weekly {
            slots: vec![slot(Weekday::Mon, 10, 12), slot(Weekday::Thu, 10, 12)],
            from: date(2026, 3, 9),
            until: date(2026, 6, 30),
        },
        ..visit()
    };
    let four = Candidate {
        max_hours_per_week: Some(4.0),
        ..volunteer(1)
    };
    assert_eq!(verdict(&twice, four.clone()), None);
    let four_and_a_bit = Candidate {
        commitments: vec![Commitment {
            start: at(2026, 4, 22, 18, 0),
            end: at(2026, 4, 22, 18, 30),
            beneficiary: None,
        }],
        ..four
    };
    assert_eq!(verdict(&twice, four_and_a_bit), Some(Exclusion::HoursLimit));
}

#[test]
fn declared_slots_that_miss_the_need_exclude_undeclared_never_do() {
    let tuesdays = Candidate {
        slots: vec![slot(Weekday::Tue, 9, 17)],
        ..volunteer(1)
    };
    assert_eq!(verdict(&visit(), tuesdays), Some(Exclusion::Unavailable));
    let wednesday_evenings = Candidate {
        slots: vec![slot(Weekday::Wed, 12, 20)],
        ..volunteer(1)
    };
    assert_eq!(
        verdict(&visit(), wednesday_evenings),
        Some(Exclusion::Unavailable)
    );
    let undeclared = run(&visit(), &[volunteer(1)]);
    assert_eq!(
        points(&undeclared, "availability"),
        [score::AVAILABILITY / 2]
    );
    assert_eq!(
        detail(&undeclared, "availability"),
        "nie podano dostępności"
    );
}

#[test]
fn availability_is_the_share_of_the_need_covered() {
    let with = |slots: Vec<WeeklySlot>| Candidate {
        slots,
        ..volunteer(1)
    };
    let outcome = run(
        &visit(),
        &[
            with(vec![slot(Weekday::Wed, 8, 16)]),
            with(vec![slot(Weekday::Wed, 11, 16)]),
            // Overlapping slots are not counted twice: 10–11:00 covered once.
            with(vec![slot(Weekday::Wed, 9, 11), slot(Weekday::Wed, 10, 11)]),
        ],
    );
    assert_eq!(points(&outcome, "availability"), [40, 20, 20]);
    assert_eq!(
        detail(&outcome, "availability"),
        "dostępność pokrywa 100% terminu"
    );
    assert_eq!(
        outcome.ranked[1].reasons[0].detail,
        "dostępność pokrywa 50% terminu"
    );
}

#[test]
fn distance_comes_from_the_map() {
    // 0 - 1 - 2 - 3 - 4 - 5    6 (an island)
    let map = DistrictMap::from_neighbours(
        7,
        &(1..6)
            .map(|i| (DistrictId(i - 1), DistrictId(i)))
            .collect::<Vec<_>>(),
    );
    let need = Criteria {
        district: Some(DistrictId(4)),
        max_distance: Some(3),
        ..visit()
    };
    let in_ = |districts: &[u16]| Candidate {
        districts: districts.iter().map(|&d| DistrictId(d)).collect(),
        ..volunteer(1)
    };
    assert_eq!(verdict_on(&need, in_(&[0]), &map), Some(Exclusion::TooFar));
    assert_eq!(verdict_on(&need, in_(&[1]), &map), None);
    assert_eq!(verdict_on(&need, in_(&[6]), &map), Some(Exclusion::TooFar));
    // Willing anywhere: never too far.
    assert_eq!(verdict_on(&need, in_(&[]), &map), None);

    let anywhere = Criteria {
        max_distance: None,
        ..need.clone()
    };
    let outcome = rank(
        &anywhere,
        &[
            in_(&[4]),
            in_(&[0, 3]),
            in_(&[2]),
            in_(&[1]),
            in_(&[]),
            in_(&[0]),
            in_(&[6]),
        ],
        &map,
    );
    assert_eq!(outcome.eligible, 7);
    // Same district 20, one hop 15, two 10, three 5, "anywhere" 10, four hops or an island 0.
    // All share one id, so equal scores keep their input order.
    assert_eq!(points(&outcome, "distance"), [20, 15, 10, 10, 5, 0, 0]);
    assert_eq!(outcome.ranked[0].reasons[2].detail, "ta sama dzielnica");
    assert_eq!(outcome.ranked[1].reasons[2].detail, "sąsiednia dzielnica");
    assert_eq!(outcome.ranked[2].reasons[2].detail, "2 dzielnice dalej");
    assert_eq!(
        outcome.ranked[3].reasons[2].detail,
        "pomaga w całym mieście"
    );
    assert_eq!(
        outcome.ranked[6].reasons[2].detail,
        "brak połączenia między dzielnicami"
    );

    // A need without a district: place does not matter to anyone.
    let phone = run(&visit(), &[in_(&[0])]);
    assert_eq!(points(&phone, "distance"), [score::DISTANCE]);
}

#[test]
fn continuity_from_past_help_or_assigned_work() {
    let person = id(999);
    let need = Criteria {
        beneficiary: Some(person),
        ..visit()
    };
    let helped_before = Candidate {
        past_beneficiaries: vec![id(5), person],
        ..volunteer(1)
    };
    let assigned = Candidate {
        commitments: vec![Commitment {
            start: at(2026, 3, 4, 10, 0),
            end: at(2026, 3, 4, 11, 0),
            beneficiary: Some(person),
        }],
        ..volunteer(2)
    };
    let stranger = Candidate {
        commitments: vec![Commitment {
            start: at(2026, 3, 4, 10, 0),
            end: at(2026, 3, 4, 11, 0),
            beneficiary: Some(id(5)),
        }],
        ..volunteer(3)
    };
    let outcome = run(&need, &[stranger, assigned, helped_before]);
    assert_eq!(points(&outcome, "continuity"), [10, 10, 0]);
    assert_eq!(detail(&outcome, "continuity"), "pomagał(a) już tej osobie");
    assert_eq!(outcome.ranked[2].id, id(3));
}

#[test]
fn load_prefers_free_weeks() {
    let week_hours = |n: u128, hours: u32, limit: Option<f32>| Candidate {
        max_hours_per_week: limit,
        commitments: (0..hours)
            .map(|h| Commitment {
                start: at(2026, 3, 13, 8 + h, 0),
                end: at(2026, 3, 13, 9 + h, 0),
                beneficiary: None,
            })
            .collect(),
        ..volunteer(n)
    };
    let outcome = run(
        &visit(),
        &[
            week_hours(1, 4, Some(8.0)),
            week_hours(2, 0, Some(8.0)),
            week_hours(3, 4, None),
        ],
    );
    // 0/8 → 10, 4/10 (default week) → 6, 4/8 → 5.
    assert_eq!(points(&outcome, "load"), [10, 6, 5]);
    assert_eq!(detail(&outcome, "load"), "0 z 8 godzin w tym tygodniu");
    assert_eq!(
        outcome.ranked[1].reasons[3].detail,
        "4 godz. w tym tygodniu, bez limitu"
    );
}

// ----- ranking -----

/// A need where every component can tell candidates apart.
fn full_need() -> Criteria {
    Criteria {
        skills: vec![SkillId(1), SkillId(2), SkillId(3)],
        district: Some(DistrictId(2)),
        beneficiary: Some(id(999)),
        ..visit()
    }
}

#[test]
fn ranking_follows_the_weights() {
    let map = chain(7);
    // Full availability, nothing else: 40 + 0 + 0 (4 hops) + 10 + 0 = 50.
    let free = Candidate {
        slots: vec![slot(Weekday::Wed, 9, 13)],
        districts: vec![DistrictId(6)],
        ..volunteer(1)
    };
    // Undeclared availability but every skill, same district and known to the person:
    // 20 + 20 + 20 + 10 + 10 = 80.
    let skilled = Candidate {
        skills: vec![SkillId(3), SkillId(2), SkillId(1), SkillId(7)],
        districts: vec![DistrictId(2)],
        past_beneficiaries: vec![id(999)],
        ..volunteer(2)
    };
    // Full availability, 2 of 3 skills, a neighbour district, 5 of 10 hours taken:
    // 40 + 13 + 15 + 5 + 0 = 73.
    let busy = Candidate {
        slots: vec![slot(Weekday::Wed, 10, 12)],
        skills: vec![SkillId(1), SkillId(3)],
        districts: vec![DistrictId(3)],
        max_hours_per_week: Some(10.0),
        commitments: vec![Commitment {
            start: at(2026, 3, 12, 8, 0),
            end: at(2026, 3, 12, 13, 0),
            beneficiary: None,
        }],
        ..volunteer(3)
    };
    let outcome = rank(&full_need(), &[free, busy, skilled], &map);
    let scores: Vec<(Uuid, u32)> = outcome.ranked.iter().map(|r| (r.id, r.score)).collect();
    assert_eq!(scores, [(id(2), 80), (id(3), 73), (id(1), 50)]);
    assert_eq!(outcome.ranked[1].reasons[1].detail, "2 z 3 umiejętności");
    assert_eq!(
        outcome.ranked[1].reasons[3].detail,
        "5 z 10 godzin w tym tygodniu"
    );
}

#[test]
fn reasons_explain_the_score() {
    let map = chain(5);
    let candidates: Vec<Candidate> = (0..40u128)
        .map(|n| Candidate {
            slots: if n % 3 == 0 {
                vec![]
            } else {
                vec![slot(Weekday::Wed, 9 + (n % 3) as u32, 13)]
            },
            skills: (0..(n % 4) as u32).map(SkillId).collect(),
            districts: if n % 5 == 0 {
                vec![]
            } else {
                vec![DistrictId((n % 5) as u16)]
            },
            past_beneficiaries: if n % 7 == 0 { vec![id(999)] } else { vec![] },
            max_hours_per_week: Some(6.0),
            commitments: vec![Commitment {
                start: at(2026, 3, 10, 8, 0),
                end: at(2026, 3, 10, 8 + (n % 4) as u32, 0),
                beneficiary: None,
            }],
            ..volunteer(n)
        })
        .collect();
    let outcome = rank(
        &Criteria {
            limit: 40,
            ..full_need()
        },
        &candidates,
        &map,
    );
    assert_eq!(outcome.ranked.len(), 40);
    for r in &outcome.ranked {
        let codes: Vec<_> = r.reasons.iter().map(|x| x.code).collect();
        assert_eq!(
            codes,
            ["availability", "skills", "distance", "load", "continuity"]
        );
        assert_eq!(r.reasons.iter().map(|x| x.points).sum::<u32>(), r.score);
        assert!(r.score <= 100);
        assert!(r.reasons.iter().all(|x| !x.detail.is_empty()));
    }
    assert!(outcome.ranked.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn nothing_asked_for_and_nothing_against_scores_one_hundred() {
    let c = Candidate {
        slots: vec![slot(Weekday::Wed, 8, 20)],
        ..volunteer(1)
    };
    let outcome = run(&visit(), &[c]);
    assert_eq!(outcome.ranked[0].score, 100);
}

#[test]
fn ties_go_to_fewer_hours_then_to_the_lower_id() {
    // Load points are whole numbers, so different hours can give the same score: 1 h 10 min and
    // 1 h 50 min of the 10 h default week are 8.8 and 8.2 points, both 8.
    let with_minutes = |n: u128, minutes: u32| Candidate {
        commitments: vec![Commitment {
            start: at(2026, 3, 13, 8, 0),
            end: at(2026, 3, 13, 9 + minutes / 60, minutes % 60),
            beneficiary: None,
        }],
        ..volunteer(n)
    };
    let candidates = [
        with_minutes(7, 50),
        with_minutes(3, 50),
        with_minutes(9, 10),
        with_minutes(5, 10),
    ];
    let outcome = run(&visit(), &candidates);
    let scores: Vec<u32> = outcome.ranked.iter().map(|r| r.score).collect();
    assert!(scores.windows(2).all(|w| w[0] == w[1]), "{scores:?}");
    let ids: Vec<Uuid> = outcome.ranked.iter().map(|r| r.id).collect();
    assert_eq!(ids, [id(5), id(9), id(3), id(7)]);

    // And the input order does not matter.
    let mut reversed = candidates.to_vec();
    reversed.reverse();
    assert_eq!(run(&visit(), &reversed), outcome);
}

#[test]
fn limit_is_respected_and_keeps_the_best() {
    let map = chain(5);
    let candidates: Vec<Candidate> = (0..200u128)
        .map(|n| Candidate {
            skills: (0..(n * 7 % 4) as u32).map(SkillId).collect(),
            districts: vec![DistrictId((n * 11 % 5) as u16)],
            ..volunteer(n * 7919 % 1000)
        })
        .collect();
    let all = rank(
        &Criteria {
            limit: usize::MAX,
            ..full_need()
        },
        &candidates,
        &map,
    );
    assert_eq!(all.ranked.len(), 200);
    for limit in [0, 1, 7, 199, 200, 201] {
        let some = rank(
            &Criteria {
                limit,
                ..full_need()
            },
            &candidates,
            &map,
        );
        assert_eq!(some.eligible, 200);
        assert_eq!(some.ranked.len(), limit.min(200));
        assert_eq!(some.ranked[..], all.ranked[..limit.min(200)]);
    }
}

#[test]
fn excluded_counts_add_up() {
    let map = chain(5);
    let need = Criteria {
        adults_only: true,
        district: Some(DistrictId(0)),
        max_distance: Some(2),
        ..visit()
    };
    let mut candidates = vec![volunteer(1), volunteer(2), volunteer(3)];
    // Two of another kind — one of them also too young: counted once, under Kind.
    candidates.push(Candidate {
        kinds: KindSet::from_iter([WALK]),
        ..volunteer(4)
    });
    candidates.push(Candidate {
        kinds: KindSet::from_iter([WALK]),
        birth_date: date(2012, 1, 1),
        ..volunteer(5)
    });
    candidates.push(Candidate {
        languages: vec![UK],
        ..volunteer(6)
    });
    candidates.push(Candidate {
        birth_date: date(2011, 1, 1),
        guardian_consent: true,
        ..volunteer(7)
    });
    candidates.push(Candidate {
        districts: vec![DistrictId(4)],
        ..volunteer(8)
    });
    candidates.push(Candidate {
        absences: vec![Absence {
            from: date(2026, 3, 11),
            until: date(2026, 3, 11),
        }],
        ..volunteer(9)
    });
    candidates.push(Candidate {
        id: id(10),
        ..busy_with(&[(at(2026, 3, 11, 9, 0), at(2026, 3, 11, 11, 0))])
    });
    candidates.push(Candidate {
        max_hours_per_week: Some(1.0),
        ..volunteer(11)
    });
    candidates.push(Candidate {
        slots: vec![slot(Weekday::Sat, 9, 12)],
        ..volunteer(12)
    });

    let outcome = rank(&need, &candidates, &map);
    assert_eq!(outcome.eligible, 3);
    assert_eq!(
        outcome.excluded,
        [
            (Exclusion::Kind, 2),
            (Exclusion::Language, 1),
            (Exclusion::Minor, 1),
            (Exclusion::TooFar, 1),
            (Exclusion::Unavailable, 1),
            (Exclusion::Absent, 1),
            (Exclusion::Busy, 1),
            (Exclusion::HoursLimit, 1),
        ]
    );
    assert_eq!(outcome.excluded_by(Exclusion::Kind), 2);
    assert_eq!(outcome.excluded_by(Exclusion::ChildCheck), 0);
    let total: u32 = outcome.excluded.iter().map(|(_, n)| n).sum();
    assert_eq!(total + outcome.eligible, candidates.len() as u32);
}

#[test]
fn exclusion_codes_are_stable_and_distinct() {
    let codes: Vec<_> = Exclusion::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        [
            "kind",
            "language",
            "minor",
            "no_guardian_consent",
            "child_check",
            "too_far",
            "unavailable",
            "absent",
            "busy",
            "hours_limit"
        ]
    );
    assert!(Exclusion::ALL.iter().all(|e| !e.describe().is_empty()));
}

#[test]
fn a_need_without_time_conflicts_with_nothing() {
    let backwards = Criteria {
        schedule: Schedule::Once {
            start: at(2026, 3, 11, 12, 0),
            end: at(2026, 3, 11, 10, 0),
        },
        ..visit()
    };
    let c = Candidate {
        slots: vec![slot(Weekday::Mon, 9, 10)],
        max_hours_per_week: Some(0.5),
        ..busy_with(&[(at(2026, 3, 11, 9, 0), at(2026, 3, 11, 13, 0))])
    };
    let outcome = run(&backwards, &[c]);
    assert_eq!(outcome.eligible, 1);
    assert_eq!(points(&outcome, "availability"), [score::AVAILABILITY]);
}
