//! The data the caller hands in (a need's criteria, an office's candidates) and what it gets back.
//! Plain values: the volunteers service converts its rows into these, so nothing here knows about
//! a database or a wire format.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use uuid::Uuid;

/// A skill from the office's catalogue (first aid, driving licence, sign language, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SkillId(pub u32);

/// A language from the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageId(pub u16);

/// One of an office's districts (dzielnica, osiedle); numbered from 0 within the office so it can
/// index a [`crate::DistrictMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DistrictId(pub u16);

/// A kind of help (shopping, a walk, a lift to the doctor, …). Below [`KindSet::CAPACITY`], so a
/// set of them is one machine word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindId(pub u8);

/// The kinds of help a volunteer offers, one bit per [`KindId`]: the first filter every candidate
/// meets, so it is a single AND.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct KindSet(u32);

impl KindSet {
    /// Kinds `0..CAPACITY` fit; larger ids are never members.
    pub const CAPACITY: u8 = 32;

    pub const fn empty() -> Self {
        Self(0)
    }

    pub const fn contains(self, kind: KindId) -> bool {
        match 1u32.checked_shl(kind.0 as u32) {
            Some(bit) => self.0 & bit != 0,
            None => false,
        }
    }

    /// Adds `kind`; returns `false` (and adds nothing) when it is out of range, so a bad id
    /// fails the kind filter instead of aliasing another kind.
    pub fn insert(&mut self, kind: KindId) -> bool {
        match 1u32.checked_shl(u32::from(kind.0)) {
            Some(bit) => {
                self.0 |= bit;
                true
            }
            None => false,
        }
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The raw mask, for storing the set in one integer column.
    pub const fn bits(self) -> u32 {
        self.0
    }

    pub const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }
}

impl FromIterator<KindId> for KindSet {
    fn from_iter<I: IntoIterator<Item = KindId>>(iter: I) -> Self {
        let mut set = Self::empty();
        for kind in iter {
            set.insert(kind);
        }
        set
    }
}

/// A weekly recurring stretch of time within one day, e.g. Tuesdays 16:00–19:00. `end > start`;
/// a slot that breaks this is treated as empty (it covers nothing and declares nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeeklySlot {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl WeeklySlot {
    /// `None` unless `end > start`.
    pub fn new(weekday: Weekday, start: NaiveTime, end: NaiveTime) -> Option<Self> {
        (end > start).then_some(Self {
            weekday,
            start,
            end,
        })
    }

    pub fn is_valid(&self) -> bool {
        self.end > self.start
    }

    /// Seconds from Monday 00:00 to the slot's start and end. Sub-second parts are dropped:
    /// nobody schedules help to the second.
    pub(crate) fn week_offsets(&self) -> (i64, i64) {
        let day = i64::from(self.weekday.num_days_from_monday()) * 86_400;
        (
            day + i64::from(self.start.num_seconds_from_midnight()),
            day + i64::from(self.end.num_seconds_from_midnight()),
        )
    }
}

/// When the need's help happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// A single visit or errand.
    Once {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
    /// The same slots every week on the days `from..=until`. Only the first
    /// [`crate::EXAMINED_WEEKS`] weeks are checked (see the crate docs).
    Weekly {
        slots: Vec<WeeklySlot>,
        from: NaiveDate,
        until: NaiveDate,
    },
}

impl Schedule {
    /// The day the help starts: ages are counted on it.
    pub fn first_day(&self) -> NaiveDate {
        match self {
            Schedule::Once { start, .. } => start.date(),
            Schedule::Weekly { from, .. } => *from,
        }
    }
}

/// Days off (holiday, hospital, exams), both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// Work the volunteer is already assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commitment {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// The person helped, when there is one: counts towards continuity.
    pub beneficiary: Option<Uuid>,
}

/// A volunteer as the matcher sees them, loaded by the caller for one office.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: Uuid,
    pub birth_date: NaiveDate,
    pub kinds: KindSet,
    pub skills: Vec<SkillId>,
    pub languages: Vec<LanguageId>,
    /// Where they are willing to help; empty means the whole town.
    pub districts: Vec<DistrictId>,
    /// Declared weekly availability; empty means not declared (scored neutral, never excluded).
    pub slots: Vec<WeeklySlot>,
    pub absences: Vec<Absence>,
    /// `None` (or a non-finite number) means no limit.
    pub max_hours_per_week: Option<f32>,
    /// Assigned work: checked for overlap, summed for load and the hours limit, read for continuity.
    pub commitments: Vec<Commitment>,
    /// People they helped before.
    pub past_beneficiaries: Vec<Uuid>,
    /// Valid criminal-record (KRK) and sex-offender-register check for the need's dates; the
    /// caller decides validity because it knows the documents' dates.
    pub cleared_for_children: bool,
    /// For a minor (13–17): a parent's or guardian's consent is on file.
    pub guardian_consent: bool,
}

/// What a need asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    pub kind: KindId,
    /// Preferred, not required: the share matched is scored.
    pub skills: Vec<SkillId>,
    /// Required: a candidate must speak all of them.
    pub languages: Vec<LanguageId>,
    /// Where the help happens; `None` when it does not matter (e.g. phone calls).
    pub district: Option<DistrictId>,
    /// Most hops from a candidate's nearest district; `None` means any distance.
    pub max_distance: Option<u8>,
    pub schedule: Schedule,
    pub adults_only: bool,
    /// The help involves children, so a valid check ([`Candidate::cleared_for_children`]) is
    /// required.
    pub child_check_required: bool,
    /// How many volunteers the need wants. Not used for ranking: [`Outcome::eligible`] below it
    /// tells the caller that this office cannot fill the need.
    pub wanted: u32,
    /// The person helped, for continuity.
    pub beneficiary: Option<Uuid>,
    /// How many ranked candidates to return.
    pub limit: usize,
}

/// One eligible candidate, with the score and how it was made up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub id: Uuid,
    /// 0–100; always the sum of the reasons' points.
    pub score: u32,
    /// One reason per scoring component, always in the same order (availability, skills,
    /// distance, load, continuity), including those that gave 0 points.
    pub reasons: Vec<Reason>,
}

/// One component of a score, in words a coordinator can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Stable snake_case: `availability`, `skills`, `distance`, `load`, `continuity`.
    pub code: &'static str,
    pub points: u32,
    /// Short Polish explanation, e.g. "dostępność pokrywa 100% terminu".
    pub detail: String,
}

/// Why a candidate was filtered out. Variants are declared, and checked, in this order — from
/// facts about the person (kind, language, age, checks, place) to facts about the date (declared
/// slots, absences, commitments, hours) — and a candidate is counted once, under the first rule
/// it fails. So the counts tell a coordinator whether to widen the need or move its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exclusion {
    /// Does not offer this kind of help.
    Kind,
    /// Does not speak every required language.
    Language,
    /// A minor on an adults-only need, or younger than 13 (never placed anywhere).
    Minor,
    /// A minor (13–17) without a guardian's consent on file.
    NoGuardianConsent,
    /// The need involves children and the candidate has no valid check.
    ChildCheck,
    /// Nearest willing district is more than `max_distance` hops away (or not connected).
    TooFar,
    /// Declared weekly slots that do not overlap the need at all.
    Unavailable,
    /// An absence falls on the need.
    Absent,
    /// Overlaps an assigned commitment: never double-book.
    Busy,
    /// The need would take an ISO week past the candidate's maximum hours.
    HoursLimit,
}

impl Exclusion {
    /// Every variant, in checking order.
    pub const ALL: [Exclusion; 10] = [
        Exclusion::Kind,
        Exclusion::Language,
        Exclusion::Minor,
        Exclusion::NoGuardianConsent,
        Exclusion::ChildCheck,
        Exclusion::TooFar,
        Exclusion::Unavailable,
        Exclusion::Absent,
        Exclusion::Busy,
        Exclusion::HoursLimit,
    ];

    /// Stable snake_case code for APIs and logs.
    pub const fn code(self) -> &'static str {
        match self {
            Exclusion::Kind => "kind",
            Exclusion::Language => "language",
            Exclusion::Minor => "minor",
            Exclusion::NoGuardianConsent => "no_guardian_consent",
            Exclusion::ChildCheck => "child_check",
            Exclusion::TooFar => "too_far",
            Exclusion::Unavailable => "unavailable",
            Exclusion::Absent => "absent",
            Exclusion::Busy => "busy",
            Exclusion::HoursLimit => "hours_limit",
        }
    }

    /// Short Polish description for the "why so few?" panel.
    pub const fn describe(self) -> &'static str {
        match self {
            Exclusion::Kind => "nie oferuje tego rodzaju pomocy",
            Exclusion::Language => "nie zna wymaganego języka",
            Exclusion::Minor => "osoba niepełnoletnia lub poniżej 13 lat",
            Exclusion::NoGuardianConsent => "brak zgody opiekuna",
            Exclusion::ChildCheck => "brak ważnego zaświadczenia do pracy z dziećmi",
            Exclusion::TooFar => "za daleko",
            Exclusion::Unavailable => "zadeklarowana dostępność nie obejmuje terminu",
            Exclusion::Absent => "nieobecność w terminie",
            Exclusion::Busy => "inne zadanie w tym czasie",
            Exclusion::HoursLimit => "przekroczyłby limit godzin w tygodniu",
        }
    }
}

/// The result of ranking one need against one office's candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Best first, at most [`Criteria::limit`].
    pub ranked: Vec<Ranked>,
    /// How many were filtered out by each rule, in checking order; rules that excluded nobody
    /// are left out.
    pub excluded: Vec<(Exclusion, u32)>,
    /// How many passed every rule (may exceed `ranked.len()`).
    pub eligible: u32,
}

impl Outcome {
    /// How many were filtered out by `rule`.
    pub fn excluded_by(&self, rule: Exclusion) -> u32 {
        self.excluded
            .iter()
            .find(|(r, _)| *r == rule)
            .map_or(0, |(_, n)| *n)
    }
}
