//! Work with children requires, under the Act on counteracting threats of sexual crime
//! (art. 21), a criminal-record certificate (KRK) and a check in the sex-offender register.
//! The office records that it saw a clean result; validity is the office's policy.

use chrono::NaiveDate;
use poem_openapi::Enum;
use serde::{Deserialize, Serialize};

/// Which check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum CheckKind {
    /// Zaświadczenie z Krajowego Rejestru Karnego.
    CriminalRecord,
    /// Rejestr Sprawców Przestępstw na Tle Seksualnym.
    SexOffenderRegister,
}

impl CheckKind {
    pub const ALL: [Self; 2] = [Self::CriminalRecord, Self::SexOffenderRegister];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CriminalRecord => "criminal_record",
            Self::SexOffenderRegister => "sex_offender_register",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Cleared for work with children on `day`: every kind of check recorded and valid that day.
pub fn cleared_for_children(checks: &[(CheckKind, NaiveDate, NaiveDate)], day: NaiveDate) -> bool {
    CheckKind::ALL.iter().all(|kind| {
        checks
            .iter()
            .any(|(k, from, until)| k == kind && *from <= day && day <= *until)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn both_checks_must_be_valid_on_the_day() {
        let krk = (CheckKind::CriminalRecord, d("2026-01-10"), d("2027-01-10"));
        let register = (
            CheckKind::SexOffenderRegister,
            d("2026-01-10"),
            d("2026-12-31"),
        );
        assert!(!cleared_for_children(&[krk], d("2026-06-01")));
        assert!(cleared_for_children(&[krk, register], d("2026-06-01")));
        assert!(cleared_for_children(&[krk, register], d("2026-12-31")));
        assert!(!cleared_for_children(&[krk, register], d("2027-01-01")));
        assert!(!cleared_for_children(&[krk, register], d("2026-01-09")));
    }
}
