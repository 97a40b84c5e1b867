//! Synthetic offices for the benchmark and the latency example, generated from a seed so every
//! run measures the same data. The proportions are guesses at a mid-sized town's volunteer
//! centre: 14 kinds of help with a few popular ones, 60 skills of which a handful are common,
//! 8 languages with Polish nearly universal, 12 districts in a 3×4 grid, 0–4 declared weekly
//! slots, a few commitments around the need's date, the odd absence, and 15% minors.
// Shared by two targets; each uses only part of it.
#![allow(dead_code)]

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use lacznik_matching::{
    Absence, Candidate, Commitment, Criteria, DistrictId, DistrictMap, KindId, KindSet, LanguageId,
    Schedule, SkillId, WeeklySlot,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// The day every benchmark need starts: Wednesday 11 March 2026.
pub fn need_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 11).unwrap_or_default()
}

const KINDS: usize = 14;
/// Relative popularity of the kinds: shopping and walks are most of the work.
const KIND_WEIGHTS: [u32; KINDS] = [30, 20, 14, 10, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1];
const SKILLS: u32 = 60;
/// Share of volunteers speaking each language: Polish, Ukrainian, English, German, Russian,
/// Belarusian, French, Polish Sign Language.
const LANGUAGE_SHARE: [f64; 8] = [0.97, 0.12, 0.30, 0.05, 0.08, 0.02, 0.03, 0.01];
const GRID_ROWS: u16 = 3;
const GRID_COLUMNS: u16 = 4;
const BENEFICIARIES: usize = 400;

pub struct Office {
    pub candidates: Vec<Candidate>,
    pub map: DistrictMap,
    pub beneficiaries: Vec<Uuid>,
}

pub fn office(size: usize, seed: u64) -> Office {
    let mut rng = StdRng::seed_from_u64(seed);
    let beneficiaries: Vec<Uuid> = (0..BENEFICIARIES)
        .map(|_| Uuid::from_u128(rng.random()))
        .collect();
    let candidates = (0..size)
        .map(|_| candidate(&mut rng, &beneficiaries))
        .collect();
    Office {
        candidates,
        map: grid(),
        beneficiaries,
    }
}

/// A one-off two-hour visit: shopping, two preferred skills, Polish, in district 5 within three
/// hops, for a known person — the most common request.
pub fn typical_need(office: &Office) -> Criteria {
    let day = need_day();
    Criteria {
        kind: KindId(0),
        skills: vec![SkillId(3), SkillId(17)],
        languages: vec![LanguageId(0)],
        district: Some(DistrictId(5)),
        max_distance: Some(3),
        schedule: Schedule::Once {
            start: day.and_time(hm(10, 0)),
            end: day.and_time(hm(12, 0)),
        },
        adults_only: false,
        child_check_required: false,
        wanted: 1,
        beneficiary: office.beneficiaries.get(7).copied(),
        limit: 20,
    }
}

/// A walk twice a week for three months: the heaviest common case for the time checks.
pub fn weekly_need(office: &Office) -> Criteria {
    let day = need_day();
    Criteria {
        kind: KindId(1),
        schedule: Schedule::Weekly {
            slots: vec![
                WeeklySlot {
                    weekday: Weekday::Mon,
                    start: hm(15, 0),
                    end: hm(16, 30),
                },
                WeeklySlot {
                    weekday: Weekday::Thu,
                    start: hm(10, 0),
                    end: hm(11, 30),
                },
            ],
            from: day,
            until: day + Days::new(90),
        },
        ..typical_need(office)
    }
}

fn grid() -> DistrictMap {
    let mut pairs = Vec::new();
    for row in 0..GRID_ROWS {
        for column in 0..GRID_COLUMNS {
            let at = row * GRID_COLUMNS + column;
            if column + 1 < GRID_COLUMNS {
                pairs.push((DistrictId(at), DistrictId(at + 1)));
            }
            if row + 1 < GRID_ROWS {
                pairs.push((DistrictId(at), DistrictId(at + GRID_COLUMNS)));
            }
        }
    }
    DistrictMap::from_neighbours(GRID_ROWS * GRID_COLUMNS, &pairs)
}

fn candidate(rng: &mut StdRng, beneficiaries: &[Uuid]) -> Candidate {
    let day = need_day();
    let minor = rng.random_bool(0.15);
    let age_days = if minor {
        rng.random_range(13 * 365 + 5..18 * 365 - 5)
    } else {
        rng.random_range(18 * 365 + 5..80 * 365)
    };

    let kinds: KindSet = (0..rng.random_range(1..=4))
        .map(|_| KindId(weighted(rng, &KIND_WEIGHTS) as u8))
        .collect();
    // Squaring a uniform number skews towards low ids: a few skills are common, most are rare.
    let skills = (0..rng.random_range(0..=5))
        .map(|_| SkillId((rng.random::<f64>().powi(2) * f64::from(SKILLS)) as u32))
        .collect();
    let languages = LANGUAGE_SHARE
        .iter()
        .enumerate()
        .filter(|(_, share)| rng.random_bool(**share))
        .map(|(id, _)| LanguageId(id as u16))
        .collect();

    let home = rng.random_range(0..GRID_ROWS * GRID_COLUMNS);
    let districts = if rng.random_bool(0.2) {
        Vec::new()
    } else {
        let mut list = vec![DistrictId(home)];
        for _ in 0..rng.random_range(0..=2) {
            let step = [1, GRID_COLUMNS][rng.random_range(0..2)];
            let next = if rng.random_bool(0.5) {
                home + step
            } else {
                home.wrapping_sub(step)
            };
            if next < GRID_ROWS * GRID_COLUMNS && !list.contains(&DistrictId(next)) {
                list.push(DistrictId(next));
            }
        }
        list
    };

    let slots = (0..rng.random_range(0..=4))
        .map(|_| {
            let start = rng.random_range(8..20);
            let end = (start + rng.random_range(1..=5)).min(22);
            WeeklySlot {
                weekday: Weekday::try_from(rng.random_range(0..7u8)).unwrap_or(Weekday::Mon),
                start: hm(start, 0),
                end: hm(end, 0),
            }
        })
        .collect();

    let absences = if rng.random_bool(0.12) {
        let from = shift(day, rng.random_range(-40..40));
        vec![Absence {
            from,
            until: shift(from, rng.random_range(0..14)),
        }]
    } else {
        Vec::new()
    };

    let commitments = (0..weighted(rng, &[35, 30, 20, 10, 5]))
        .map(|_| {
            let on = shift(day, rng.random_range(-9..19));
            let start = rng.random_range(8..19);
            Commitment {
                start: at(on, start),
                end: at(on, start + rng.random_range(1..=3)),
                beneficiary: rng
                    .random_bool(0.6)
                    .then(|| beneficiaries[rng.random_range(0..beneficiaries.len())]),
            }
        })
        .collect();
    let past_beneficiaries = (0..rng.random_range(0..=4))
        .map(|_| beneficiaries[rng.random_range(0..beneficiaries.len())])
        .collect();

    Candidate {
        id: Uuid::from_u128(rng.random()),
        birth_date: shift(day, -age_days),
        kinds,
        skills,
        languages,
        districts,
        slots,
        absences,
        max_hours_per_week: rng
            .random_bool(0.6)
            .then(|| rng.random_range(2..=15) as f32),
        commitments,
        past_beneficiaries,
        cleared_for_children: rng.random_bool(0.35),
        guardian_consent: minor && rng.random_bool(0.8),
    }
}

fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let mut pick = rng.random_range(0..weights.iter().sum::<u32>());
    for (i, &w) in weights.iter().enumerate() {
        if pick < w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()
}

fn at(day: NaiveDate, hour: u32) -> NaiveDateTime {
    day.and_time(hm(hour, 0))
}

fn shift(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_signed(chrono::TimeDelta::days(days))
        .unwrap_or(day)
}

/// Sanity numbers about an office, printed by the latency example so a reader can judge the data.
pub fn describe(office: &Office) -> String {
    let n = office.candidates.len().max(1) as f64;
    let minors = office
        .candidates
        .iter()
        .filter(|c| (need_day().year() - c.birth_date.year()) < 18)
        .count() as f64;
    let kind0 = office
        .candidates
        .iter()
        .filter(|c| c.kinds.contains(KindId(0)))
        .count() as f64;
    format!(
        "{} candidates: {:.0}% offer kind 0, ~{:.0}% minors",
        office.candidates.len(),
        100.0 * kind0 / n,
        100.0 * minors / n
    )
}
