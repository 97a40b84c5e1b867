//! Keyset pagination. Ids are UUIDv7 and so sort by creation time; a cursor is the last id of
//! the previous page, opaque to clients (base64url) so its form can change later.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::StatusCode;
use uuid::Uuid;

use crate::Problem;

/// Where the next page starts: after this id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(pub Uuid);

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    pub fn decode(raw: &str) -> Result<Self, Problem> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| Uuid::from_slice(&bytes).ok())
            .map(Self)
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_cursor",
                    "Niepoprawny kursor strony",
                )
                .with_detail("Użyj wartości `next_cursor` z poprzedniej odpowiedzi.")
            })
    }
}

/// How many items a page holds: 1–100, 20 when not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLimit(u64);

impl PageLimit {
    pub const DEFAULT: u64 = 20;
    pub const MAX: u64 = 100;

    pub fn parse(raw: Option<u64>) -> Result<Self, Problem> {
        match raw.unwrap_or(Self::DEFAULT) {
            n @ 1..=Self::MAX => Ok(Self(n)),
            _ => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_limit",
                "Niepoprawny rozmiar strony",
            )
            .with_detail(format!(
                "Parametr limit musi być liczbą od 1 do {}.",
                Self::MAX
            ))),
        }
    }

    pub fn get(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor(Uuid::now_v7());
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert_eq!(
            Cursor::decode("nie-kursor").unwrap_err().code,
            "invalid_cursor"
        );
    }

    #[test]
    fn limits() {
        assert_eq!(PageLimit::parse(None).unwrap().get(), 20);
        assert_eq!(PageLimit::parse(Some(100)).unwrap().get(), 100);
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(PageLimit::parse(Some(101)).is_err());
    }
}
