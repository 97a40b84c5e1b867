//! What the needs service takes from configuration.

use lacznik_config::Config;

/// Offer lifetimes and reminders, from configuration.
#[derive(Clone, Debug)]
pub struct NeedsSettings {
    /// Where people reach the platform; office pages live on `<slug>.<host>`.
    pub public_url: String,
    pub offer_ttl: chrono::Duration,
    /// Minutes before an assignment's start when a reminder falls due, longest first.
    pub reminder_leads: Vec<u32>,
}

impl NeedsSettings {
    pub fn from_config(config: &Config) -> Self {
        let mut reminder_leads = config.needs.reminder_leads_minutes.clone();
        reminder_leads.sort_unstable_by(|a, b| b.cmp(a));
        reminder_leads.dedup();
        Self {
            public_url: config.gateway.public_url.clone(),
            offer_ttl: chrono::Duration::hours(i64::from(config.needs.offer_ttl_hours.max(1))),
            reminder_leads,
        }
    }
}
