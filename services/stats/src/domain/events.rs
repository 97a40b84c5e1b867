//! What each event means for the statistics (the contract is `docs/events.md`): a pure
//! translation from an event to [`Effect`]s, which the store applies. Every figure is counted
//! on the Polish calendar day of the moment the event describes (the hours' working day, the
//! completion, the signature…), or of the event itself when the payload names none.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::figures::Column;
use super::grid::ALL_KINDS;
use super::period::local_day;

/// Events without a kind of help (emails, hours logged without an assignment) are counted
/// under this kind, so the kinds of an office still add up to its `*` total.
pub const NO_KIND: &str = "-";

/// Topics the statistics consume.
pub const TOPICS: [&str; 15] = [
    "volunteers.volunteer.registered",
    "volunteers.volunteer.status_changed",
    "volunteers.hours.approved",
    "volunteers.agreement.signed",
    "needs.need.opened",
    "needs.need.status_changed",
    "needs.offer.accepted",
    "needs.offer.declined",
    "needs.offer.expired",
    "needs.assignment.confirmed",
    "needs.assignment.completed",
    "needs.visit.recorded",
    "needs.shift.checked_in",
    "needs.tally.recorded",
    "notifications.deliveries.recorded",
];

/// Whether the statistics consume `topic`.
pub fn wanted(topic: &str) -> bool {
    TOPICS.contains(&topic)
}

/// Who a distinct count counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Active volunteers (and, through their birth year, active minors).
    Active,
    /// Active minors.
    Minor,
    /// Beneficiaries helped.
    Helped,
    /// Volunteers with approved hours (to protect hours of few people).
    Hours,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Minor => "minor",
            Self::Helped => "helped",
            Self::Hours => "hours",
        }
    }

    /// The column a newly counted person adds one to.
    pub fn column(self) -> Column {
        match self {
            Self::Active => Column::ActiveVolunteers,
            Self::Minor => Column::MinorsActive,
            Self::Helped => Column::BeneficiariesHelped,
            Self::Hours => Column::HourVolunteers,
        }
    }
}

/// One consequence of an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Adds `amount` to `column` on `day`, for each of `kinds` and once for all kinds.
    Add {
        column: Column,
        day: NaiveDate,
        kinds: Vec<String>,
        amount: i64,
    },
    /// `person` counts once per period, kind (and all kinds) in `category`. For active
    /// volunteers `minor` is what the event says (people without a profile); otherwise the
    /// volunteer's birth year decides.
    Person {
        category: Category,
        day: NaiveDate,
        kind: String,
        person: Uuid,
        minor: Option<bool>,
    },
    /// A volunteer's birth year (to tell minors).
    Volunteer { id: Uuid, birth_year: i32 },
    /// A need was opened.
    NeedOpened {
        need: Uuid,
        kind: String,
        at: DateTime<Utc>,
    },
    /// A volunteer was booked for a need; the first booking ends the wait.
    NeedAssigned {
        need: Uuid,
        kind: String,
        at: DateTime<Utc>,
        opened_hint: Option<DateTime<Utc>>,
    },
}

/// An event that cannot be counted (a payload missing what it promised).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{topic}: {reason}")]
pub struct Unusable {
    pub topic: String,
    pub reason: &'static str,
}

/// What `topic` with `payload`, written at `created_at`, means for the statistics.
pub fn effects(
    topic: &str,
    payload: &Value,
    created_at: DateTime<Utc>,
) -> Result<Vec<Effect>, Unusable> {
    let p = Payload {
        topic,
        value: payload,
        created_at,
    };
    let add = |column, day, kinds, amount| Effect::Add {
        column,
        day,
        kinds,
        amount,
    };
    Ok(match topic {
        "volunteers.volunteer.registered" => {
            let mut out = vec![add(
                Column::NewVolunteers,
                p.day("at")?,
                p.kinds("kinds"),
                1,
            )];
            if let Some(year) = p.int("birth_year") {
                out.push(Effect::Volunteer {
                    id: p.uuid("volunteer_id")?,
                    birth_year: i32::try_from(year).unwrap_or(0),
                });
            }
            out
        }
        "volunteers.volunteer.status_changed" if p.str("to") == Some("ended") => {
            vec![add(
                Column::EndedVolunteers,
                p.day("at")?,
                p.kinds("kinds"),
                1,
            )]
        }
        "volunteers.hours.approved" => {
            let day = p.date("worked_on")?;
            let volunteer = p.uuid("volunteer_id")?;
            let kind = p.kind("kind");
            vec![
                add(
                    Column::VolunteerMinutes,
                    day,
                    vec![kind.clone()],
                    p.int("minutes").unwrap_or(0).max(0),
                ),
                person(Category::Active, day, &kind, volunteer),
                person(Category::Hours, day, &kind, volunteer),
            ]
        }
        "volunteers.agreement.signed" => {
            vec![add(
                Column::AgreementsSigned,
                p.date("signed_on")?,
                p.kinds("scope"),
                1,
            )]
        }
        "needs.need.opened" => {
            let at = p.time("opened_at")?;
            let kind = p.kind("kind");
            vec![
                add(Column::NeedsOpened, local_day(at), vec![kind.clone()], 1),
                Effect::NeedOpened {
                    need: p.uuid("need_id")?,
                    kind,
                    at,
                },
            ]
        }
        "needs.need.status_changed" => {
            let column = match p.str("to") {
                Some("fulfilled") => Column::NeedsFulfilled,
                Some("cancelled") => Column::NeedsCancelled,
                Some("expired") => Column::NeedsExpired,
                _ => return Ok(Vec::new()),
            };
            vec![add(column, p.day("at")?, vec![p.kind("kind")], 1)]
        }
        "needs.offer.accepted" | "needs.offer.declined" => {
            let column = if topic.ends_with("accepted") {
                Column::OffersAccepted
            } else {
                Column::OffersDeclined
            };
            vec![add(column, p.day("answered_at")?, vec![p.kind("kind")], 1)]
        }
        "needs.offer.expired" => {
            vec![add(
                Column::OffersTimedOut,
                local_day(created_at),
                vec![p.kind("kind")],
                1,
            )]
        }
        "needs.assignment.confirmed" => vec![Effect::NeedAssigned {
            need: p.uuid("need_id")?,
            kind: p.kind("kind"),
            at: created_at,
            opened_hint: p.time("need_opened_at").ok(),
        }],
        "needs.assignment.completed" | "needs.visit.recorded" => {
            let field = if topic.ends_with("completed") {
                "completed_at"
            } else {
                "starts_at"
            };
            let day = p.day(field)?;
            let kind = p.kind("kind");
            let mut out = vec![person(
                Category::Active,
                day,
                &kind,
                p.uuid("volunteer_id")?,
            )];
            if let Ok(beneficiary) = p.uuid("beneficiary_id") {
                out.push(person(Category::Helped, day, &kind, beneficiary));
            }
            out
        }
        "needs.shift.checked_in" => {
            let day = p.day("at")?;
            let kind = action_kind(p.str("kind"));
            let (who, minor) = match p.uuid("volunteer_id") {
                Ok(volunteer) => (volunteer, None),
                // Someone without a profile (a pupil of a registered class): their sign-up.
                Err(_) => (
                    p.uuid("signup_id")?,
                    Some(p.value.get("minor").and_then(Value::as_bool) == Some(true)),
                ),
            };
            vec![Effect::Person {
                category: Category::Active,
                day,
                kind: kind.to_owned(),
                person: who,
                minor,
            }]
        }
        "needs.tally.recorded" => {
            let day = p.day("at")?;
            let amount = p.value.get("amount").and_then(Value::as_f64).unwrap_or(0.0);
            let (column, amount) = match p.str("measure") {
                Some("kilograms") => (Column::KilogramGrams, (amount * 1000.0).round()),
                Some("caps_kilograms") => (Column::CapsGrams, (amount * 1000.0).round()),
                Some("parcels") => (Column::Parcels, amount.round()),
                Some("people_served") => (Column::PeopleServed, amount.round()),
                _ => return Ok(Vec::new()),
            };
            let kind = action_kind(p.str("kind")).to_owned();
            vec![add(column, day, vec![kind], whole(amount))]
        }
        "notifications.deliveries.recorded" => {
            let day = p.day("at")?;
            let mut out = Vec::new();
            for (field, column) in [
                ("sent", Column::EmailsSent),
                ("failed", Column::EmailsFailed),
            ] {
                let n = p.int(field).unwrap_or(0);
                if n > 0 {
                    out.push(add(column, day, vec![NO_KIND.to_owned()], n));
                }
            }
            out
        }
        _ => Vec::new(),
    })
}

fn person(category: Category, day: NaiveDate, kind: &str, who: Uuid) -> Effect {
    Effect::Person {
        category,
        day,
        kind: kind.to_owned(),
        person: who,
        minor: None,
    }
}

/// A tally's amount as a whole number of its unit (at most a million per entry, by the needs
/// service's rule; anything beyond `i64` is not a real amount).
fn whole(amount: f64) -> i64 {
    if amount.is_finite() && amount.abs() < 9.0e15 {
        amount as i64
    } else {
        0
    }
}

/// The kind of help an action counts under: food collections and parcel distributions are
/// `food_collection`, every other action (festivals, bottle-cap collections) is `events`.
pub fn action_kind(action: Option<&str>) -> &'static str {
    match action {
        Some("food_collection" | "parcel_distribution") => "food_collection",
        Some(_) => "events",
        None => NO_KIND,
    }
}

/// A kind of help as stored: a catalogue-like code, or [`NO_KIND`].
pub fn clean_kind(raw: Option<&str>) -> String {
    match raw {
        Some(k)
            if k != ALL_KINDS
                && (1..=40).contains(&k.len())
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            k.to_owned()
        }
        _ => NO_KIND.to_owned(),
    }
}

struct Payload<'a> {
    topic: &'a str,
    value: &'a Value,
    created_at: DateTime<Utc>,
}

impl Payload<'_> {
    fn missing(&self, reason: &'static str) -> Unusable {
        Unusable {
            topic: self.topic.to_owned(),
            reason,
        }
    }

    fn str(&self, field: &str) -> Option<&str> {
        self.value.get(field).and_then(Value::as_str)
    }

    fn int(&self, field: &str) -> Option<i64> {
        self.value.get(field).and_then(Value::as_i64)
    }

    fn uuid(&self, field: &'static str) -> Result<Uuid, Unusable> {
        self.str(field)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| self.missing(field))
    }

    fn time(&self, field: &'static str) -> Result<DateTime<Utc>, Unusable> {
        self.str(field)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| self.missing(field))
    }

    /// The Polish day of the instant in `field`, or of the event when the field is absent.
    fn day(&self, field: &'static str) -> Result<NaiveDate, Unusable> {
        match self.value.get(field) {
            None | Some(Value::Null) => Ok(local_day(self.created_at)),
            Some(_) => self.time(field).map(local_day),
        }
    }

    fn date(&self, field: &'static str) -> Result<NaiveDate, Unusable> {
        self.str(field)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| self.missing(field))
    }

    fn kind(&self, field: &str) -> String {
        clean_kind(self.str(field))
    }

    /// A list of kinds (deduplicated), or [`NO_KIND`] when it is empty.
    fn kinds(&self, field: &str) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .value
            .get(field)
            .and_then(Value::as_array)
            .map(|list| list.iter().map(|k| clean_kind(k.as_str())).collect())
            .unwrap_or_default();
        kinds.sort();
        kinds.dedup();
        if kinds.is_empty() {
            kinds.push(NO_KIND.to_owned());
        }
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at() -> DateTime<Utc> {
        "2026-03-31T22:30:00Z".parse().unwrap()
    }

    #[test]
    fn hours_count_the_volunteer_and_the_minutes_on_the_working_day() {
        let v = Uuid::now_v7();
        let effects = effects(
            "volunteers.hours.approved",
            &json!({"volunteer_id": v, "worked_on": "2026-03-30", "minutes": 90, "kind": "reading"}),
            at(),
        )
        .unwrap();
        let day: NaiveDate = "2026-03-30".parse().unwrap();
        assert_eq!(
            effects[0],
            Effect::Add {
                column: Column::VolunteerMinutes,
                day,
                kinds: vec!["reading".into()],
                amount: 90
            }
        );
        assert!(
            matches!(effects[1], Effect::Person { category: Category::Active, person, .. } if person == v)
        );
    }

    #[test]
    fn events_without_a_time_count_on_their_own_polish_day() {
        let effects = effects(
            "needs.offer.expired",
            &json!({"offer_id": Uuid::now_v7(), "kind": "tutoring"}),
            at(),
        )
        .unwrap();
        assert!(matches!(&effects[0], Effect::Add { day, .. } if day.to_string() == "2026-04-01"));
    }

    #[test]
    fn pupils_count_by_their_signup_with_the_events_minor_flag() {
        let signup = Uuid::now_v7();
        let effects = effects(
            "needs.shift.checked_in",
            &json!({"signup_id": signup, "volunteer_id": null, "kind": "festival", "minor": true, "at": at()}),
            at(),
        )
        .unwrap();
        assert_eq!(
            effects,
            [Effect::Person {
                category: Category::Active,
                day: "2026-04-01".parse().unwrap(),
                kind: "events".into(),
                person: signup,
                minor: Some(true)
            }]
        );
    }

    #[test]
    fn unusable_payloads_say_why_and_odd_kinds_become_no_kind() {
        let error = effects("needs.need.opened", &json!({"kind": "x"}), at()).unwrap_err();
        assert_eq!(error.reason, "opened_at");
        assert_eq!(clean_kind(Some("*")), NO_KIND);
        assert_eq!(clean_kind(Some("DROP TABLE")), NO_KIND);
        assert_eq!(clean_kind(Some("senior_company")), "senior_company");
        assert!(wanted("needs.tally.recorded"));
        assert!(!wanted("needs.visit.missed"));
        assert!(!wanted("email.requested"));
    }
}
