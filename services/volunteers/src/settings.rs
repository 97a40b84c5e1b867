//! What the volunteers service takes from configuration.

use lacznik_config::Config;

/// Lifetimes and retention, from configuration.
#[derive(Clone, Debug)]
pub struct VolunteerSettings {
    /// Where people reach the platform; office pages live on `<slug>.<host>`.
    pub public_url: String,
    pub signup_ttl: chrono::Duration,
    pub guardian_ttl: chrono::Duration,
    pub retention_after_end: chrono::Duration,
}

impl VolunteerSettings {
    pub fn from_config(config: &Config) -> Self {
        let v = &config.volunteers;
        Self {
            public_url: config.gateway.public_url.clone(),
            signup_ttl: chrono::Duration::hours(i64::from(v.signup_link_ttl_hours)),
            guardian_ttl: chrono::Duration::days(i64::from(v.guardian_link_ttl_days)),
            retention_after_end: chrono::Duration::days(i64::from(v.retention_days_after_end)),
        }
    }
}

pub use lacznik_http::offices::{OfficeDetails, OfficeDirectory};
