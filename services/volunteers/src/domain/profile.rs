//! What a volunteer offers — kinds of help, skills, languages, districts, weekly availability
//! and a weekly hours limit — parsed against the shared catalogues and the office's own.

use std::collections::HashSet;

use chrono::NaiveTime;
use lacznik_http::problem::Validator;
use lacznik_types::catalogue::{self, KINDS_OF_HELP};
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

/// Day of the week.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Enum,
)]
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
    pub fn to_chrono(self) -> chrono::Weekday {
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

/// A weekly window when the volunteer can help, e.g. Tuesdays 16:00–19:00.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct Slot {
    pub weekday: Weekday,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`, later than `start` on the same day.
    pub end: String,
}

impl Slot {
    /// Start and end as times; `None` for a slot that was never validated.
    pub fn times(&self) -> Option<(NaiveTime, NaiveTime)> {
        Some((parse_time(&self.start)?, parse_time(&self.end)?))
    }
}

fn parse_time(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// Codes the office itself defines, against which a profile is checked.
#[derive(Clone, Debug, Default)]
pub struct OfficeCatalogue {
    pub skills: HashSet<String>,
    pub districts: HashSet<String>,
}

/// A profile as sent; absent lists stay as they are.
#[derive(Clone, Debug, Default)]
pub struct RawProfile {
    pub kinds: Option<Vec<String>>,
    pub skills: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub districts: Option<Vec<String>>,
    pub availability: Option<Vec<Slot>>,
    pub max_hours_per_week: Option<Option<u16>>,
}

/// Parsed profile changes: each `Some` replaces the stored value. Serialisable so a sign-up can
/// keep them until it is confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileChanges {
    pub kinds: Option<Vec<String>>,
    pub skills: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub districts: Option<Vec<String>>,
    pub availability: Option<Vec<Slot>>,
    pub max_hours_per_week: Option<Option<u16>>,
}

impl ProfileChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Checks codes of one list: each known, none twice; returns them in the given order.
fn codes(
    v: &mut Validator,
    field: &str,
    raw: Option<Vec<String>>,
    known: impl Fn(&str) -> bool,
    unknown: &str,
) -> Option<Vec<String>> {
    let raw = raw?;
    let mut seen = HashSet::new();
    let mut ok = true;
    for (i, code) in raw.iter().enumerate() {
        if !known(code) {
            v.reject(&format!("{field}[{i}]"), unknown);
            ok = false;
        } else if !seen.insert(code.as_str()) {
            v.reject(
                &format!("{field}[{i}]"),
                "Ta pozycja powtarza się na liście.",
            );
            ok = false;
        }
    }
    ok.then_some(raw)
}

/// Parses profile fields into `v`, which collects every problem.
pub fn parse_profile(
    v: &mut Validator,
    raw: RawProfile,
    office: &OfficeCatalogue,
) -> ProfileChanges {
    let kinds = codes(
        v,
        "kinds",
        raw.kinds,
        |c| catalogue::kind_index(c).is_some(),
        "Nieznany rodzaj pomocy.",
    );
    let skills = codes(
        v,
        "skills",
        raw.skills,
        |c| catalogue::is_shared_skill(c) || office.skills.contains(c),
        "Nieznana umiejętność — wybierz z katalogu ośrodka.",
    );
    let languages = codes(
        v,
        "languages",
        raw.languages,
        catalogue::is_language,
        "Nieznany język.",
    );
    let districts = codes(
        v,
        "districts",
        raw.districts,
        |c| office.districts.contains(c),
        "Nieznana dzielnica — wybierz z listy ośrodka.",
    );
    let availability = raw.availability.and_then(|slots| availability(v, slots));
    let max_hours_per_week = match raw.max_hours_per_week {
        Some(Some(h)) if h == 0 || h > 60 => {
            v.reject(
                "max_hours_per_week",
                "Limit godzin tygodniowo to liczba od 1 do 60.",
            );
            None
        }
        other => other,
    };
    ProfileChanges {
        kinds,
        skills,
        languages,
        districts,
        availability,
        max_hours_per_week,
    }
}

/// Weekly slots: valid times, end after start, no two overlapping on the same day. Sorted.
fn availability(v: &mut Validator, mut slots: Vec<Slot>) -> Option<Vec<Slot>> {
    let mut ok = true;
    let mut parsed = Vec::new();
    for (i, slot) in slots.iter_mut().enumerate() {
        match slot.times() {
            Some((start, end)) if end > start => {
                slot.start = start.format("%H:%M").to_string();
                slot.end = end.format("%H:%M").to_string();
                parsed.push((slot.weekday, start, end, i));
            }
            Some(_) => {
                v.reject(
                    &format!("availability[{i}]"),
                    "Koniec musi być później niż początek.",
                );
                ok = false;
            }
            None => {
                v.reject(
                    &format!("availability[{i}]"),
                    "Godzina w formacie GG:MM, np. 16:30.",
                );
                ok = false;
            }
        }
    }
    parsed.sort();
    for pair in parsed.windows(2) {
        let ((day_a, _, end_a, _), (day_b, start_b, _, i)) = (pair[0], pair[1]);
        if day_a == day_b && start_b < end_a {
            v.reject(
                &format!("availability[{i}]"),
                "Przedziały dostępności w tym samym dniu nakładają się.",
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    slots.sort_by(|a, b| (a.weekday, &a.start).cmp(&(b.weekday, &b.start)));
    Some(slots)
}

/// Polish names of kinds of help, for documents.
pub fn kind_names(codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|c| KINDS_OF_HELP.iter().find(|k| k.code == c))
        .map(|k| k.name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(weekday: Weekday, start: &str, end: &str) -> Slot {
        Slot {
            weekday,
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn overlapping_slots_and_unknown_codes_are_reported() {
        let mut v = Validator::new();
        let office = OfficeCatalogue {
            skills: ["gotowanie".to_owned()].into(),
            districts: ["centrum".to_owned()].into(),
        };
        let parsed = parse_profile(
            &mut v,
            RawProfile {
                kinds: Some(vec!["tutoring".into(), "juggling".into()]),
                skills: Some(vec!["first_aid".into(), "gotowanie".into()]),
                districts: Some(vec!["centrum".into(), "centrum".into()]),
                availability: Some(vec![
                    slot(Weekday::Tue, "16:00", "19:00"),
                    slot(Weekday::Tue, "18:30", "20:00"),
                    slot(Weekday::Sat, "9:00", "12:00"),
                ]),
                ..RawProfile::default()
            },
            &office,
        );
        let problem = v.finish().unwrap_err();
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kinds[1]", "districts[1]", "availability[1]"]);
        assert_eq!(
            parsed.skills,
            Some(vec!["first_aid".into(), "gotowanie".into()])
        );
    }

    #[test]
    fn slots_are_normalised_and_sorted() {
        let mut v = Validator::new();
        let parsed = parse_profile(
            &mut v,
            RawProfile {
                availability: Some(vec![
                    slot(Weekday::Sat, "9:00", "12:00"),
                    slot(Weekday::Tue, "16:00", "19:00"),
                ]),
                ..RawProfile::default()
            },
            &OfficeCatalogue::default(),
        );
        assert!(v.finish().is_ok());
        assert_eq!(
            parsed.availability,
            Some(vec![
                slot(Weekday::Tue, "16:00", "19:00"),
                slot(Weekday::Sat, "09:00", "12:00")
            ])
        );
    }
}
