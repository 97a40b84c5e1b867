//! What the actions API sends and receives.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::{Enum, Object};

use super::rules::{day_of, is_minor};
use crate::store::actions::{SignupStatus, action, shift, signup, signup_group, tally};

/// What kind of action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ActionKind {
    /// Zbiórka żywności (in shops).
    FoodCollection,
    /// Wydawanie paczek.
    ParcelDistribution,
    /// Festyn.
    Festival,
    /// Zbiórka nakrętek.
    CapsCollection,
    Other,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FoodCollection => "food_collection",
            Self::ParcelDistribution => "parcel_distribution",
            Self::Festival => "festival",
            Self::CapsCollection => "caps_collection",
            Self::Other => "other",
        }
    }

    fn parse(raw: &str) -> Self {
        [
            Self::FoodCollection,
            Self::ParcelDistribution,
            Self::Festival,
            Self::CapsCollection,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
        .unwrap_or(Self::Other)
    }
}

/// A new action.
#[derive(Debug, Object)]
pub struct ActionInput {
    /// e.g. "Świąteczna zbiórka żywności".
    #[oai(validator(max_length = 200))]
    pub title: String,
    pub kind: ActionKind,
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// e.g. "Lidl, ul. Warszawska 20".
    #[oai(validator(max_length = 200))]
    pub place: Option<String>,
    /// The partner institution running it with the office.
    pub partner_id: Option<uuid::Uuid>,
    pub starts_on: NaiveDate,
    /// Inclusive.
    pub ends_on: NaiveDate,
}

/// An action.
#[derive(Debug, Clone, Object)]
pub struct Action {
    pub id: uuid::Uuid,
    pub title: String,
    pub kind: ActionKind,
    pub description: Option<String>,
    pub place: Option<String>,
    pub partner_id: Option<uuid::Uuid>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// `planned`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<action::Model> for Action {
    fn from(m: action::Model) -> Self {
        Self {
            id: m.id,
            kind: ActionKind::parse(&m.kind),
            title: m.title,
            description: m.description,
            place: m.place,
            partner_id: m.partner_id,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            status: m.status,
            created_at: m.created_at,
        }
    }
}

/// An action with its shifts.
#[derive(Debug, Clone, Object)]
pub struct ActionDetail {
    #[oai(flatten)]
    pub action: Action,
    pub shifts: Vec<Shift>,
}

/// A new shift.
#[derive(Debug, Object)]
pub struct ShiftInput {
    /// Where, when not the action's place (e.g. one of several shops).
    #[oai(validator(max_length = 200))]
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// How many people it takes; the rest go on the waitlist.
    pub capacity: i32,
    /// Only for people who are 18 on the day.
    #[oai(default)]
    pub adults_only: bool,
}

/// A shift and how full it is. No names: volunteers see this too.
#[derive(Debug, Clone, Object)]
pub struct Shift {
    pub id: uuid::Uuid,
    pub action_id: uuid::Uuid,
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub adults_only: bool,
    /// People with a place (checked in or not).
    pub registered: i64,
    pub waitlisted: i64,
    pub free_places: i64,
    /// The calling volunteer's own sign-up, if any.
    #[oai(skip_serializing_if_is_none)]
    pub my_signup: Option<OwnSignup>,
}

impl Shift {
    pub fn new(m: shift::Model, registered: i64, waitlisted: i64) -> Self {
        Self {
            id: m.id,
            action_id: m.action_id,
            place: m.place,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            adults_only: m.adults_only,
            registered,
            waitlisted,
            free_places: (i64::from(m.capacity) - registered).max(0),
            my_signup: None,
        }
    }
}

/// The calling volunteer's place on a shift.
#[derive(Debug, Clone, Object)]
pub struct OwnSignup {
    pub id: uuid::Uuid,
    pub status: SignupStatus,
    /// Place on the waitlist.
    pub position: Option<i32>,
}

/// Who to sign up. A volunteer sends `{}` to sign themself up. A coordinator sends either
/// `volunteer_id`, or the details of a person without a profile. Someone aged 13–17 needs
/// their guardian's name and consent, which the coordinator confirms having received.
#[derive(Debug, Object)]
pub struct SignupInput {
    pub volunteer_id: Option<uuid::Uuid>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub guardian_name: Option<String>,
    #[oai(default)]
    pub guardian_consent: bool,
}

/// One person on a shift.
#[derive(Debug, Clone, Object)]
pub struct Signup {
    pub id: uuid::Uuid,
    pub shift_id: uuid::Uuid,
    pub volunteer_id: Option<uuid::Uuid>,
    /// The class they came with.
    pub group_id: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    /// Under 18 on the day of the shift.
    pub minor: bool,
    pub guardian_name: Option<String>,
    pub guardian_consent_at: Option<DateTime<Utc>>,
    pub status: SignupStatus,
    /// Place on the waitlist (1 = next in line).
    pub position: Option<i32>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Signup {
    pub fn new(m: signup::Model, shift: &shift::Model) -> Self {
        let status = SignupStatus::parse(&m.status);
        Self {
            id: m.id,
            shift_id: m.shift_id,
            volunteer_id: m.volunteer_id,
            group_id: m.group_id,
            minor: is_minor(m.birth_date, day_of(shift.starts_at)),
            first_name: m.first_name,
            last_name: m.last_name,
            birth_date: m.birth_date,
            guardian_name: m.guardian_name,
            guardian_consent_at: m.guardian_consent_at,
            status,
            position: (status == SignupStatus::Waitlisted).then_some(m.position),
            checked_in_at: m.checked_in_at,
            created_at: m.created_at,
        }
    }
}

/// A cancelled sign-up.
#[derive(Debug, Clone, Object)]
pub struct SignupCancelled {
    pub signup: Signup,
    /// Who got the freed place from the waitlist.
    pub promoted_signup_id: Option<uuid::Uuid>,
}

/// One pupil of a class.
#[derive(Debug, Object)]
pub struct Pupil {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub guardian_name: Option<String>,
    /// The school or the office holds the guardian's written consent.
    #[oai(default)]
    pub guardian_consent: bool,
}

/// A class registered by its teacher.
#[derive(Debug, Object)]
pub struct SignupGroupInput {
    /// The school, when it is a partner.
    pub partner_id: Option<uuid::Uuid>,
    /// The class, e.g. "3b".
    #[oai(validator(max_length = 100))]
    pub name: String,
    #[oai(validator(max_length = 200))]
    pub teacher_name: String,
    pub teacher_email: Option<String>,
    /// 1–40 pupils.
    pub pupils: Vec<Pupil>,
}

/// A registered class.
#[derive(Debug, Clone, Object)]
pub struct SignupGroup {
    pub id: uuid::Uuid,
    pub shift_id: uuid::Uuid,
    pub partner_id: Option<uuid::Uuid>,
    pub name: String,
    pub teacher_name: String,
    pub teacher_email: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<signup_group::Model> for SignupGroup {
    fn from(m: signup_group::Model) -> Self {
        Self {
            id: m.id,
            shift_id: m.shift_id,
            partner_id: m.partner_id,
            name: m.name,
            teacher_name: m.teacher_name,
            teacher_email: m.teacher_email,
            created_at: m.created_at,
        }
    }
}

/// A class and where its pupils stand.
#[derive(Debug, Clone, Object)]
pub struct SignupGroupRegistered {
    pub group: SignupGroup,
    /// Pupils with a place.
    pub registered: u32,
    /// Pupils on the waitlist.
    pub waitlisted: u32,
    pub signups: Vec<Signup>,
}

/// The insurer's list (NNW) for an action.
#[derive(Debug, Clone, Object)]
pub struct ActionRoster {
    pub action_id: uuid::Uuid,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub people: u32,
    pub minors: u32,
    pub lines: Vec<ActionRosterLine>,
}

/// One insured person.
#[derive(Debug, Clone, Object)]
pub struct ActionRosterLine {
    pub signup_id: uuid::Uuid,
    pub volunteer_id: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub shift_id: uuid::Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Polish time, e.g. "13.12.2026 10:00–14:00".
    pub shift_time: String,
    pub place: Option<String>,
    /// The class, e.g. "3b".
    pub group: Option<String>,
    pub minor: bool,
    pub guardian_name: Option<String>,
    pub checked_in: bool,
}

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Measure {
    /// Food collected, kg.
    Kilograms,
    /// Parcels given out.
    Parcels,
    /// People served.
    PeopleServed,
    /// Bottle caps collected, kg.
    CapsKilograms,
}

impl Measure {
    pub const ALL: [Self; 4] = [
        Self::Kilograms,
        Self::Parcels,
        Self::PeopleServed,
        Self::CapsKilograms,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kilograms => "kilograms",
            Self::Parcels => "parcels",
            Self::PeopleServed => "people_served",
            Self::CapsKilograms => "caps_kilograms",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }

    /// Counted in whole units (parcels, people), not weighed.
    pub fn whole(self) -> bool {
        matches!(self, Self::Parcels | Self::PeopleServed)
    }
}

/// One entry of a tally: what a shift (or the action) counted.
#[derive(Debug, Object)]
pub struct TallyInput {
    pub shift_id: Option<uuid::Uuid>,
    pub measure: Measure,
    pub amount: f64,
    #[oai(validator(max_length = 200))]
    pub note: Option<String>,
}

/// A recorded entry.
#[derive(Debug, Clone, Object)]
pub struct Tally {
    pub id: uuid::Uuid,
    pub shift_id: Option<uuid::Uuid>,
    pub measure: Measure,
    pub amount: f64,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl Tally {
    pub fn new(m: tally::Model, measure: Measure) -> Self {
        Self {
            id: m.id,
            shift_id: m.shift_id,
            measure,
            amount: m.amount,
            note: m.note,
            recorded_at: m.recorded_at,
        }
    }
}

/// The sum of one measure.
#[derive(Debug, Clone, Object)]
pub struct TallyTotal {
    pub measure: Measure,
    pub amount: f64,
    /// e.g. "1 234,5 kg", "312 paczek".
    pub formatted: String,
}

/// An action's tally.
#[derive(Debug, Clone, Object)]
pub struct Tallies {
    pub entries: Vec<Tally>,
    pub totals: Vec<TallyTotal>,
}
