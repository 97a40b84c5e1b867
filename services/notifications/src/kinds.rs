//! What kind of mail each template is: the category a person can choose about (or not, for
//! security mail), and the priority tier it is sent with. Security mail goes before a new
//! assignment, which goes before a reminder, a broadcast and a digest.

use serde::{Deserialize, Serialize};

/// Priority tiers, most urgent first; the sender serves a lower tier only when every higher one
/// is empty (or held back by its office's rate).
pub const TIERS: u8 = 5;

/// A kind of mail, as preferences name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Category {
    /// Sign-in links, password resets, invitations, address confirmations, guardian consent:
    /// always sent, never refusable.
    Security,
    /// Offers of a task.
    Offers,
    /// Confirmations, cancellations and changes of a volunteer's assignments, certificates.
    Assignments,
    /// Reminders before a task, and notices about agreements and checks.
    Reminders,
    /// Messages from the office to its volunteers.
    Broadcasts,
    /// The weekly digest of open needs that match the volunteer.
    Digest,
    /// Alerts to the office's own address (a missed visit): always sent.
    OfficeAlerts,
}

/// How often a person wants a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Frequency {
    /// Each message as it comes.
    Instant,
    /// Collected into one email a day.
    Daily,
    /// Not at all.
    Off,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Daily => "daily",
            Self::Off => "off",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "instant" => Some(Self::Instant),
            "daily" => Some(Self::Daily),
            "off" => Some(Self::Off),
            _ => None,
        }
    }
}

impl Category {
    /// Every category a person may choose about, in the order pages show them.
    pub const CHOOSABLE: [Category; 5] = [
        Self::Offers,
        Self::Assignments,
        Self::Reminders,
        Self::Broadcasts,
        Self::Digest,
    ];

    /// The category of a template; unknown templates count as assignments (refusable, sent at
    /// the assignment tier) until they are classified here.
    pub fn of_template(template: &str) -> Self {
        match template {
            "password_reset"
            | "login_link"
            | "invitation"
            | "signup_confirmation"
            | "guardian_consent" => Self::Security,
            "offer" | "offer_filled" => Self::Offers,
            "assignment_confirmed"
            | "assignment_cancelled"
            | "assignment_changed"
            | "certificate_ready"
            | "shift_signup" => Self::Assignments,
            "reminder" | "agreement_due" | "check_expiring" => Self::Reminders,
            "visit_alert" | "agreement_due_office" => Self::OfficeAlerts,
            "broadcast" => Self::Broadcasts,
            "weekly_digest" => Self::Digest,
            "daily_digest" => Self::Digest,
            _ => Self::Assignments,
        }
    }

    /// Whether a person may refuse it (and so whether it carries an unsubscribe link).
    pub fn choosable(self) -> bool {
        Self::CHOOSABLE.contains(&self)
    }

    /// The send priority: 0 first.
    pub fn tier(self) -> u8 {
        match self {
            Self::Security => 0,
            Self::Offers | Self::Assignments | Self::OfficeAlerts => 1,
            Self::Reminders => 2,
            Self::Broadcasts => 3,
            Self::Digest => 4,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Offers => "offers",
            Self::Assignments => "assignments",
            Self::Reminders => "reminders",
            Self::Broadcasts => "broadcasts",
            Self::Digest => "digest",
            Self::OfficeAlerts => "office_alerts",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Security,
            Self::Offers,
            Self::Assignments,
            Self::Reminders,
            Self::Broadcasts,
            Self::Digest,
            Self::OfficeAlerts,
        ]
        .into_iter()
        .find(|c| c.as_str() == raw)
    }

    /// Its name for people, in Polish.
    pub fn label(self) -> &'static str {
        match self {
            Self::Security => "bezpieczeństwo konta",
            Self::Offers => "propozycje zadań",
            Self::Assignments => "potwierdzenia i zmiany zadań",
            Self::Reminders => "przypomnienia",
            Self::Broadcasts => "komunikaty ośrodka",
            Self::Digest => "cotygodniowe zestawienie potrzeb",
            Self::OfficeAlerts => "alerty dla ośrodka",
        }
    }

    /// Whether a daily digest makes sense for it (a weekly digest is already a digest).
    pub fn can_be_daily(self) -> bool {
        matches!(
            self,
            Self::Offers | Self::Assignments | Self::Reminders | Self::Broadcasts
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_mail_is_first_and_never_refusable() {
        for template in [
            "password_reset",
            "login_link",
            "invitation",
            "guardian_consent",
        ] {
            let category = Category::of_template(template);
            assert_eq!(category.tier(), 0, "{template}");
            assert!(!category.choosable(), "{template}");
        }
        let tiers: Vec<u8> = ["offer", "reminder", "broadcast", "weekly_digest"]
            .iter()
            .map(|t| Category::of_template(t).tier())
            .collect();
        assert_eq!(tiers, [1, 2, 3, 4]);
        assert!(Category::of_template("assignment_confirmed").choosable());
        assert!(!Category::of_template("visit_alert").choosable());
    }
}
