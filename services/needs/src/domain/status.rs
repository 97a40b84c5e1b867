//! Where a need, an offer and an assignment stand.

use poem_openapi::Enum;
use serde::{Deserialize, Serialize};

/// A need's lifecycle: draft → open → offered → assigned → in progress → fulfilled, or
/// cancelled / expired on the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum NeedStatus {
    Draft,
    Open,
    Offered,
    Assigned,
    InProgress,
    Fulfilled,
    Cancelled,
    Expired,
}

impl NeedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Offered => "offered",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    /// The status stored as `raw`; an unknown value reads as draft (never written).
    pub fn parse(raw: &str) -> Self {
        [
            Self::Open,
            Self::Offered,
            Self::Assigned,
            Self::InProgress,
            Self::Fulfilled,
            Self::Cancelled,
            Self::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .unwrap_or(Self::Draft)
    }

    /// Finished one way or another: nothing more can be offered or assigned.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Fulfilled | Self::Cancelled | Self::Expired)
    }

    /// Volunteers may be offered the need.
    pub fn takes_offers(self) -> bool {
        matches!(self, Self::Open | Self::Offered)
    }

    /// The status that follows from how many volunteers are assigned and offered.
    pub fn staffing(self, assigned: usize, wanted: usize, pending_offers: usize) -> Self {
        if self.is_closed() || self == Self::Draft || self == Self::InProgress {
            return self;
        }
        if assigned >= wanted {
            Self::Assigned
        } else if pending_offers > 0 {
            Self::Offered
        } else {
            Self::Open
        }
    }
}

/// An offer made to one volunteer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum OfferStatus {
    /// Waiting for the volunteer's answer.
    Pending,
    Accepted,
    Declined,
    /// Others filled the places first.
    Filled,
    /// Not answered in time.
    Expired,
    /// Taken back by the office (the need was cancelled).
    Withdrawn,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Filled => "filled",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Self {
        [
            Self::Accepted,
            Self::Declined,
            Self::Filled,
            Self::Expired,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .unwrap_or(Self::Pending)
    }
}

/// A volunteer's part in a need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum AssignmentStatus {
    /// Booked; the volunteer knows.
    Confirmed,
    /// Checked in (or, for a pairing, the first visit done).
    InProgress,
    Completed,
    Cancelled,
    /// The volunteer did not come.
    NoShow,
}

impl AssignmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Self {
        [
            Self::InProgress,
            Self::Completed,
            Self::Cancelled,
            Self::NoShow,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .unwrap_or(Self::Confirmed)
    }

    /// Still holds the volunteer's time.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Confirmed | Self::InProgress)
    }

    /// Counts towards the places a need wants filled.
    pub fn fills_a_place(self) -> bool {
        !matches!(self, Self::Cancelled | Self::NoShow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staffing_follows_assignments_and_offers() {
        assert_eq!(NeedStatus::Open.staffing(0, 1, 2), NeedStatus::Offered);
        assert_eq!(NeedStatus::Offered.staffing(1, 1, 1), NeedStatus::Assigned);
        assert_eq!(NeedStatus::Offered.staffing(1, 2, 0), NeedStatus::Open);
        assert_eq!(NeedStatus::Assigned.staffing(0, 1, 0), NeedStatus::Open);
        assert_eq!(
            NeedStatus::Cancelled.staffing(0, 1, 3),
            NeedStatus::Cancelled
        );
        assert_eq!(NeedStatus::Draft.staffing(0, 1, 0), NeedStatus::Draft);
    }

    #[test]
    fn statuses_read_back_as_written() {
        for s in [
            NeedStatus::Draft,
            NeedStatus::Open,
            NeedStatus::InProgress,
            NeedStatus::Expired,
        ] {
            assert_eq!(NeedStatus::parse(s.as_str()), s);
        }
        assert_eq!(OfferStatus::parse("filled"), OfferStatus::Filled);
        assert_eq!(AssignmentStatus::parse("no_show"), AssignmentStatus::NoShow);
    }
}
