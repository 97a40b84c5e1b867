//! What the notifications service takes from configuration.

use std::time::Duration;

use lacznik_config::Config;

use crate::queue::Fairness;

/// Delivery settings, from configuration.
#[derive(Clone, Debug)]
pub struct NotificationSettings {
    /// Where people reach the platform; office pages live on `<slug>.<host>`.
    pub public_url: String,
    /// Right-hand side of Message-IDs and calendar UIDs.
    pub message_domain: String,
    pub platform_from_name: String,
    pub platform_from_address: String,
    pub send_timeout: Duration,
    /// How long a sender holds a delivery it claimed; longer than a send can take.
    pub lease: Duration,
    /// Jobs unacknowledged this long are taken over by another sender.
    pub claim_idle: Duration,
    pub concurrency: usize,
    pub max_attempts: i32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub fairness: Fairness,
    /// A delivery waiting this long without its job moving is queued again.
    pub stale_after: Duration,
    pub daily_digest_hour: u32,
    pub weekly_digest_day: u32,
    /// How long a finished message's content is kept (for resending) before it is forgotten.
    pub keep_content: chrono::Duration,
    pub keep_content_days: u32,
}

impl NotificationSettings {
    pub fn from_config(config: &Config) -> Self {
        let n = &config.notifications;
        let send_timeout = Duration::from_secs(n.send_timeout_secs.max(1));
        let claim_idle = Duration::from_secs(config.queue.claim_idle_secs.max(1));
        let public_url = config.gateway.public_url.clone();
        let message_domain = n.message_id_domain.clone().unwrap_or_else(|| {
            url::Url::parse(&public_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| "lacznik.localhost".to_owned())
        });
        Self {
            public_url,
            message_domain,
            platform_from_name: n.platform_from_name.clone(),
            platform_from_address: n.platform_from_address.clone(),
            send_timeout,
            lease: send_timeout + Duration::from_secs(5),
            claim_idle,
            concurrency: n.concurrency.max(1) as usize,
            max_attempts: i32::try_from(n.max_attempts.max(1)).unwrap_or(8),
            retry_base: Duration::from_millis(n.retry_base_ms.max(1)),
            retry_max: Duration::from_secs(n.retry_max_secs.max(1)),
            fairness: Fairness {
                per_office: 16,
                rate_per_sec: f64::from(n.tenant_rate_per_sec.max(1)),
                burst: f64::from(n.tenant_burst.max(1)),
            },
            stale_after: (claim_idle * 2).max(Duration::from_secs(120)),
            daily_digest_hour: n.daily_digest_hour.min(23),
            weekly_digest_day: n.weekly_digest_day.clamp(1, 7),
            keep_content: chrono::Duration::days(i64::from(n.keep_content_days.max(1))),
            keep_content_days: n.keep_content_days.max(1),
        }
    }

    /// How long before attempt `attempt + 1`: exponential from `retry_base`, capped at
    /// `retry_max`, with full jitter (a random part of it), so retries of many messages after
    /// one outage do not all come back at the same moment.
    pub fn backoff(&self, attempt: i32) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
        let ceiling = self
            .retry_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.retry_max);
        let half = ceiling / 2;
        half + ceiling.mul_f64(rand::random::<f64>() * 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_the_cap() {
        let mut config = Config::default();
        config.notifications.retry_base_ms = 1000;
        config.notifications.retry_max_secs = 60;
        let settings = NotificationSettings::from_config(&config);
        for _ in 0..50 {
            let first = settings.backoff(1);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_millis(1000));
            let fourth = settings.backoff(4);
            assert!(fourth >= Duration::from_secs(4) && fourth <= Duration::from_secs(8));
            let late = settings.backoff(30);
            assert!(late >= Duration::from_secs(30) && late <= Duration::from_secs(60));
        }
    }
}
