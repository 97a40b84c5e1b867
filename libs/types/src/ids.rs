//! Newtype identifiers. Entity ids are UUIDv7 so that they sort by creation time, which is what
//! keyset pagination orders by.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValueError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an identifier read from storage or a trusted source.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> sea_orm::Value {
                id.0.into()
            }
        }
    };
}

uuid_id!(
    /// One office (a tenant of the platform).
    TenantId
);
uuid_id!(
    /// One volunteer within an office.
    VolunteerId
);

/// The URL-safe short name of an office: `kielce`, `plock`, `czechowice-dziedzice`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantSlug(String);

impl TenantSlug {
    /// Parses a slug: 2–63 characters of `a-z`, `0-9` and inner hyphens, usable as a DNS label.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok_len = (2..=63).contains(&raw.len());
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_edges = !raw.starts_with('-') && !raw.ends_with('-');
        if ok_len && ok_chars && ok_edges {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "slug",
                "Identyfikator ośrodka może zawierać tylko małe litery a–z, cyfry i łączniki (2–63 znaki).",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantSlug {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TenantSlug> for String {
    fn from(slug: TenantSlug) -> String {
        slug.0
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A voivodeship by its two-digit TERYT code (`26` = świętokrzyskie).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// The 16 voivodeship codes of TERYT: even numbers 02–32.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let valid = raw.len() == 2
            && raw
                .parse::<u8>()
                .is_ok_and(|n| (2..=32).contains(&n) && n % 2 == 0);
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "region",
                "Kod województwa to dwucyfrowy kod TERYT (02, 04, …, 32).",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_dns_labels() {
        assert!(TenantSlug::parse("czechowice-dziedzice").is_ok());
        assert!(TenantSlug::parse("Kielce").is_err());
        assert!(TenantSlug::parse("-plock").is_err());
        assert!(TenantSlug::parse("płock").is_err());
        assert!(TenantSlug::parse("k").is_err());
    }

    #[test]
    fn region_codes_are_teryt_voivodeships() {
        assert!(RegionCode::parse("26").is_ok());
        assert!(RegionCode::parse("14").is_ok());
        assert!(RegionCode::parse("15").is_err());
        assert!(RegionCode::parse("34").is_err());
        assert!(RegionCode::parse("2").is_err());
    }
}
