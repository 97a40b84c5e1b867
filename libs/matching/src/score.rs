//! The score: five components with fixed weights that add up to 100, each turned into a
//! [`Reason`] a coordinator can read. Points are whole numbers rounded down, so full points always
//! mean a full match (a 99% cover is not shown as 100%).

use crate::types::Reason;

/// Share of the need's time inside the declared weekly slots.
pub const AVAILABILITY: u32 = 40;
/// Share of the preferred skills the candidate has.
pub const SKILLS: u32 = 20;
/// Hops from the nearest district the candidate is willing to help in.
pub const DISTANCE: u32 = 20;
/// How little of the need's week is already taken by assigned work.
pub const LOAD: u32 = 10;
/// Has helped this person before.
pub const CONTINUITY: u32 = 10;

/// Distance points lost per hop: same district 20, neighbour 15, then 10, 5, and 0 from four hops.
pub const DISTANCE_STEP: u32 = 5;

/// The week load is measured against when the volunteer set no limit: a typical volunteer's
/// generous week.
pub const DEFAULT_WEEK_HOURS: u32 = 10;

const HOUR: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Availability {
    /// The need has no examinable time (e.g. an empty weekly schedule): nothing to compare.
    NoTime,
    /// The candidate declared no slots: unknown, half the points.
    Undeclared,
    Covered {
        covered: i64,
        total: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// The need has no district: place does not matter.
    Irrelevant,
    /// The candidate will help anywhere in town: known to be willing, but not known to be near,
    /// so half the points.
    Anywhere,
    /// Hops from the nearest willing district ([`crate::DistrictMap::UNREACHABLE`] if none).
    Hops(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Load {
    /// Committed seconds in the busiest of the need's weeks.
    pub busiest: i64,
    /// The candidate's own weekly limit in seconds, if any.
    pub limit: Option<i64>,
    /// Whether the need spans more than one week (only changes the wording).
    pub many_weeks: bool,
}

/// Everything a score is made of, for one eligible candidate. Small and `Copy`: it is computed
/// for every candidate, and its reasons are written only for the ones returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Breakdown {
    pub availability: Availability,
    /// (matched, preferred)
    pub skills: (u32, u32),
    pub place: Place,
    pub load: Load,
    /// `None` when the need names nobody.
    pub continuity: Option<bool>,
}

impl Breakdown {
    /// Points per component, in the order of [`Self::reasons`].
    pub fn points(&self) -> [u32; 5] {
        [
            self.availability_points(),
            self.skill_points(),
            self.distance_points(),
            self.load_points(),
            self.continuity_points(),
        ]
    }

    pub fn score(&self) -> u32 {
        self.points().iter().sum()
    }

    fn availability_points(&self) -> u32 {
        match self.availability {
            Availability::NoTime => AVAILABILITY,
            Availability::Undeclared => AVAILABILITY / 2,
            Availability::Covered { covered, total } => share(AVAILABILITY, covered, total),
        }
    }

    fn skill_points(&self) -> u32 {
        let (matched, wanted) = self.skills;
        if wanted == 0 {
            SKILLS
        } else {
            share(SKILLS, i64::from(matched), i64::from(wanted))
        }
    }

    fn distance_points(&self) -> u32 {
        match self.place {
            Place::Irrelevant => DISTANCE,
            Place::Anywhere => DISTANCE / 2,
            Place::Hops(hops) => DISTANCE.saturating_sub(u32::from(hops) * DISTANCE_STEP),
        }
    }

    fn load_points(&self) -> u32 {
        let reference = self.load_reference();
        share(LOAD, (reference - self.load.busiest).max(0), reference)
    }

    fn load_reference(&self) -> i64 {
        self.load
            .limit
            .filter(|&l| l > 0)
            .unwrap_or(i64::from(DEFAULT_WEEK_HOURS) * HOUR)
    }

    fn continuity_points(&self) -> u32 {
        match self.continuity {
            None | Some(true) => CONTINUITY,
            Some(false) => 0,
        }
    }

    /// The score in words: one reason per component, points summing to [`Self::score`].
    pub fn reasons(&self) -> Vec<Reason> {
        let [availability, skills, distance, load, continuity] = self.points();
        vec![
            Reason {
                code: "availability",
                points: availability,
                detail: match self.availability {
                    Availability::NoTime => "termin bez określonych godzin".to_owned(),
                    Availability::Undeclared => "nie podano dostępności".to_owned(),
                    Availability::Covered { covered, total } => {
                        format!("dostępność pokrywa {}% terminu", share(100, covered, total))
                    }
                },
            },
            Reason {
                code: "skills",
                points: skills,
                detail: match self.skills {
                    (_, 0) => "brak preferowanych umiejętności".to_owned(),
                    (matched, wanted) => format!("{matched} z {wanted} umiejętności"),
                },
            },
            Reason {
                code: "distance",
                points: distance,
                detail: match self.place {
                    Place::Irrelevant => "miejsce nie ma znaczenia".to_owned(),
                    Place::Anywhere => "pomaga w całym mieście".to_owned(),
                    Place::Hops(0) => "ta sama dzielnica".to_owned(),
                    Place::Hops(1) => "sąsiednia dzielnica".to_owned(),
                    Place::Hops(crate::DistrictMap::UNREACHABLE) => {
                        "brak połączenia między dzielnicami".to_owned()
                    }
                    Place::Hops(n) => format!("{n} {} dalej", districts_word(n)),
                },
            },
            Reason {
                code: "load",
                points: load,
                detail: {
                    let week = if self.load.many_weeks {
                        "w najbardziej zajętym tygodniu"
                    } else {
                        "w tym tygodniu"
                    };
                    let busy = hours(self.load.busiest);
                    match self.load.limit {
                        Some(limit) => format!(
                            "{busy} z {} {} {week}",
                            hours(limit),
                            hours_word_after_z(limit)
                        ),
                        None => format!("{busy} godz. {week}, bez limitu"),
                    }
                },
            },
            Reason {
                code: "continuity",
                points: continuity,
                detail: match self.continuity {
                    None => "nie wskazano osoby".to_owned(),
                    Some(true) => "pomagał(a) już tej osobie".to_owned(),
                    Some(false) => "nie pomagał(a) jeszcze tej osobie".to_owned(),
                },
            },
        ]
    }
}

/// `weight × part / whole`, rounded down; `weight` when `whole` is not positive.
fn share(weight: u32, part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        return weight;
    }
    let part = part.clamp(0, whole);
    // Plain i64 for the usual seconds-sized numbers (this runs for every candidate); i128 only
    // for an absurd limit such as `f32::MAX` hours. `part ≤ whole`, so the result is ≤ `weight`.
    let points = match i64::from(weight).checked_mul(part) {
        Some(product) => i128::from(product / whole),
        None => i128::from(weight) * i128::from(part) / i128::from(whole),
    };
    u32::try_from(points).unwrap_or(weight)
}

/// Seconds as hours the Polish way: "3", "1,5", "0,3" (one decimal, rounded to the nearest tenth).
fn hours(seconds: i64) -> String {
    let tenths = (seconds * 10 + HOUR / 2) / HOUR;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

/// "z 1 godziny", "z 1,5 godziny", "z 8 godzin".
fn hours_word_after_z(seconds: i64) -> &'static str {
    let tenths = (seconds * 10 + HOUR / 2) / HOUR;
    if tenths == 10 || tenths % 10 != 0 {
        "godziny"
    } else {
        "godzin"
    }
}

/// "2 dzielnice", "5 dzielnic", "22 dzielnice", "12 dzielnic".
fn districts_word(n: u8) -> &'static str {
    match (n % 10, n % 100) {
        (2..=4, 12..=14) => "dzielnic",
        (2..=4, _) => "dzielnice",
        _ => "dzielnic",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_add_up_to_one_hundred() {
        assert_eq!(AVAILABILITY + SKILLS + DISTANCE + LOAD + CONTINUITY, 100);
    }

    #[test]
    fn polish_numbers() {
        assert_eq!(hours(0), "0");
        assert_eq!(hours(8 * HOUR), "8");
        assert_eq!(hours(HOUR + HOUR / 2), "1,5");
        assert_eq!(hours(20 * 60), "0,3");
        assert_eq!(hours_word_after_z(8 * HOUR), "godzin");
        assert_eq!(hours_word_after_z(HOUR), "godziny");
        assert_eq!(hours_word_after_z(HOUR / 2), "godziny");
        assert_eq!(districts_word(2), "dzielnice");
        assert_eq!(districts_word(5), "dzielnic");
        assert_eq!(districts_word(13), "dzielnic");
        assert_eq!(districts_word(23), "dzielnice");
    }

    #[test]
    fn shares_round_down() {
        assert_eq!(share(20, 2, 3), 13);
        assert_eq!(share(40, 99, 100), 39);
        assert_eq!(share(40, 100, 100), 40);
        assert_eq!(share(10, 5, 0), 10);
        assert_eq!(share(10, i64::MAX / 2, i64::MAX), 4);
    }
}
