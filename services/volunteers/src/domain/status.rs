//! The lifecycle of a volunteer in the centre.

use poem_openapi::Enum;
use serde::{Deserialize, Serialize};

/// Where a volunteer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum VolunteerStatus {
    /// Signed up; waits for an interview and a coordinator's approval.
    Applicant,
    /// Takes on tasks.
    Active,
    /// Takes a break (exams, illness, holidays); gets no offers.
    Paused,
    /// No longer volunteers here. Final: a returning volunteer signs up again.
    Ended,
}

impl VolunteerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Ended => "ended",
        }
    }

    /// Reads a stored status (unknown text — which the schema never holds — reads as ended, the
    /// state that allows nothing).
    pub fn parse(raw: &str) -> Self {
        match raw {
            "applicant" => Self::Applicant,
            "active" => Self::Active,
            "paused" => Self::Paused,
            _ => Self::Ended,
        }
    }

    /// Polish name, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Applicant => "kandydat",
            Self::Active => "aktywny",
            Self::Paused => "zawieszony",
            Self::Ended => "zakończony",
        }
    }

    /// Whether the lifecycle allows going from `self` to `to`.
    pub fn may_become(self, to: Self) -> bool {
        use VolunteerStatus::{Active, Applicant, Ended, Paused};
        matches!(
            (self, to),
            (Applicant, Active | Ended) | (Active, Paused | Ended) | (Paused, Active | Ended)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::VolunteerStatus::{self, Active, Applicant, Ended, Paused};

    #[test]
    fn the_lifecycle_moves_forward_and_ended_is_final() {
        let all = [Applicant, Active, Paused, Ended];
        let allowed: Vec<(VolunteerStatus, VolunteerStatus)> = all
            .iter()
            .flat_map(|from| all.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.may_become(*to))
            .collect();
        assert_eq!(
            allowed,
            [
                (Applicant, Active),
                (Applicant, Ended),
                (Active, Paused),
                (Active, Ended),
                (Paused, Active),
                (Paused, Ended),
            ]
        );
        for status in all {
            assert_eq!(VolunteerStatus::parse(status.as_str()), status);
        }
    }
}
