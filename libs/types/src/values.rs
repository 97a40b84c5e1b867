//! Values parsed once at the edge. Each constructor rejects what a Polish office would not
//! accept and says why in Polish; the message is shown to the user as is.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Why a value was rejected: which field and a message for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValueError {
    pub field: &'static str,
    pub message: &'static str,
}

impl ValueError {
    pub const fn new(field: &'static str, message: &'static str) -> Self {
        Self { field, message }
    }
}

/// A person's given or family name: trimmed, 1–100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 {
            return Err(ValueError::new(field, "Pole nie może być puste."));
        }
        if length > 100 {
            return Err(ValueError::new(
                field,
                "Pole może mieć najwyżej 100 znaków.",
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ValueError::new(field, "Pole zawiera niedozwolone znaki."));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address, lower-cased domain, checked for the shape a mail server would accept.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        const BAD: ValueError =
            ValueError::new("email", "Podaj poprawny adres e-mail, np. jan@example.pl.");
        let trimmed = raw.trim();
        if trimmed.len() > 254 || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(BAD);
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(BAD);
        };
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local.is_empty() || local.len() > 64 || local.contains('@') || !labels_ok {
            return Err(BAD);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The address with most of the local part hidden, for logs: `a***@example.pl`.
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        }
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A Polish phone number, stored as `+48 601 234 567`. Foreign numbers keep their `+CC` prefix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        const BAD: ValueError = ValueError::new(
            "phone",
            "Podaj numer telefonu: 9 cyfr (np. 601 234 567) lub z numerem kierunkowym kraju (+48…).",
        );
        let trimmed = raw.trim();
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+')))
        {
            return Err(BAD);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let digits = digits
            .strip_prefix("00")
            .map(str::to_owned)
            .unwrap_or(digits);
        let national = if !international && digits.len() == 9 {
            Some(digits.clone())
        } else if international && digits.len() == 11 && digits.starts_with("48") {
            Some(digits[2..].to_owned())
        } else {
            None
        };
        match national {
            Some(n) => Ok(Self(format!("+48 {} {} {}", &n[0..3], &n[3..6], &n[6..9]))),
            None if international && (8..=15).contains(&digits.len()) => {
                Ok(Self(format!("+{digits}")))
            }
            None => Err(BAD),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A birth date: in the past and plausible. No PESEL is ever stored, the age comes from this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    pub fn parse(date: NaiveDate, today: NaiveDate) -> Result<Self, ValueError> {
        if date > today {
            return Err(ValueError::new(
                "birth_date",
                "Data urodzenia nie może być w przyszłości.",
            ));
        }
        if date.year() < 1900 {
            return Err(ValueError::new(
                "birth_date",
                "Data urodzenia musi być po 1900 roku.",
            ));
        }
        Ok(Self(date))
    }

    pub fn date(&self) -> NaiveDate {
        self.0
    }

    /// Full years of age on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.0).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Anna.Nowak@Example.PL ").unwrap().as_str(),
            "Anna.Nowak@example.pl"
        );
        assert_eq!(
            Email::parse("zofia@poczta.kielce.pl").unwrap().masked(),
            "z***@poczta.kielce.pl"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.pl",
            "anna@example",
            "an na@example.pl",
            "a@-x.pl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(
            PhoneNumber::parse("601234567").unwrap().as_str(),
            "+48 601 234 567"
        );
        assert_eq!(
            PhoneNumber::parse("+48 41 331-25-24").unwrap().as_str(),
            "+48 413 312 524"
        );
        assert_eq!(
            PhoneNumber::parse("0048601234567").unwrap().as_str(),
            "+48 601 234 567"
        );
        assert_eq!(
            PhoneNumber::parse("+420 601 234 567").unwrap().as_str(),
            "+420601234567"
        );
        for bad in ["12345", "60123456a", "6012345678", ""] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn birth_dates_and_age() {
        let today = day(2026, 11, 22);
        assert!(BirthDate::parse(day(2030, 1, 1), today).is_err());
        assert!(BirthDate::parse(day(1899, 12, 31), today).is_err());
        let b = BirthDate::parse(day(2010, 11, 23), today).unwrap();
        assert_eq!(b.age_on(today), 15);
        assert_eq!(b.age_on(day(2026, 11, 23)), 16);
    }

    #[test]
    fn names() {
        assert_eq!(
            PersonName::parse("first_name", "  Zofia ")
                .unwrap()
                .as_str(),
            "Zofia"
        );
        assert!(PersonName::parse("first_name", "   ").is_err());
        assert!(PersonName::parse("first_name", "a\u{0}b").is_err());
    }
}
