//! Parsing a volunteer's details: all fields are checked and every failure is reported at once.

use chrono::NaiveDate;
use lacznik_http::Problem;
use lacznik_http::problem::Validator;
use lacznik_types::{BirthDate, Email, PersonName, PhoneNumber};

/// Youngest age at which someone can be a volunteer (13–17 need a guardian's consent).
pub const MIN_AGE: u32 = 13;

/// A volunteer to be registered.
#[derive(Clone, Debug)]
pub struct NewVolunteer {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub phone: Option<PhoneNumber>,
    pub birth_date: BirthDate,
}

/// Changes to a volunteer; `None` leaves a field as it is, `Some(None)` clears the phone.
#[derive(Clone, Debug, Default)]
pub struct VolunteerChanges {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<Email>,
    pub phone: Option<Option<PhoneNumber>>,
    pub birth_date: Option<BirthDate>,
}

/// Raw fields as they arrived.
pub struct RawVolunteer<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<Option<&'a str>>,
    pub birth_date: Option<NaiveDate>,
}

impl VolunteerChanges {
    /// Parses whichever fields are present.
    pub fn parse(raw: RawVolunteer<'_>, today: NaiveDate) -> Result<Self, Problem> {
        let mut v = Validator::new();
        let changes = Self {
            first_name: raw
                .first_name
                .and_then(|s| v.check(PersonName::parse("first_name", s))),
            last_name: raw
                .last_name
                .and_then(|s| v.check(PersonName::parse("last_name", s))),
            email: raw.email.and_then(|s| v.check(Email::parse(s))),
            phone: match raw.phone {
                None => None,
                Some(None) => Some(None),
                Some(Some(s)) if s.trim().is_empty() => Some(None),
                Some(Some(s)) => v.check(PhoneNumber::parse(s)).map(Some),
            },
            birth_date: raw.birth_date.and_then(|d| {
                let parsed = v.check(BirthDate::parse(d, today))?;
                if parsed.age_on(today) < MIN_AGE {
                    v.reject(
                        "birth_date",
                        "Wolontariuszem może zostać osoba, która ukończyła 13 lat.",
                    );
                    return None;
                }
                Some(parsed)
            }),
        };
        v.finish()?;
        Ok(changes)
    }
}

impl NewVolunteer {
    /// Parses a complete volunteer; every field but the phone is required.
    pub fn parse(raw: RawVolunteer<'_>, today: NaiveDate) -> Result<Self, Problem> {
        let missing: Vec<&str> = [
            ("first_name", raw.first_name.is_none()),
            ("last_name", raw.last_name.is_none()),
            ("email", raw.email.is_none()),
            ("birth_date", raw.birth_date.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        let changes = VolunteerChanges::parse(raw, today);
        let mut v = Validator::new();
        for field in missing {
            v.reject(field, "Pole jest wymagane.");
        }
        let c = v.finish_with(changes)?;
        match (c.first_name, c.last_name, c.email, c.birth_date) {
            (Some(first_name), Some(last_name), Some(email), Some(birth_date)) => Ok(Self {
                first_name,
                last_name,
                email,
                phone: c.phone.flatten(),
                birth_date,
            }),
            _ => Err(Problem::validation(Vec::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let problem = NewVolunteer::parse(
            RawVolunteer {
                first_name: Some(" "),
                last_name: None,
                email: Some("nie-email"),
                phone: Some(Some("123")),
                birth_date: NaiveDate::from_ymd_opt(2030, 1, 1),
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(problem.code, "validation_failed");
        for field in ["first_name", "last_name", "email", "phone", "birth_date"] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }

    #[test]
    fn children_under_thirteen_are_refused() {
        let problem = NewVolunteer::parse(
            RawVolunteer {
                first_name: Some("Jan"),
                last_name: Some("Kowalski"),
                email: Some("jan@example.pl"),
                phone: None,
                birth_date: NaiveDate::from_ymd_opt(2015, 1, 1),
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(problem.errors[0].field, "birth_date");
    }
}
