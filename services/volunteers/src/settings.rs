//! What the volunteers service takes from configuration, and where it learns an office's
//! details for letters and documents (the identity service owns the register of offices).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lacznik_config::Config;
use lacznik_http::Problem;
use lacznik_types::TenantId;

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

/// An office as it appears on documents.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct OfficeDetails {
    pub slug: String,
    pub name: String,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub email: String,
}

impl OfficeDetails {
    pub fn address(&self) -> String {
        format!(
            "{}, {} {}",
            self.street_address, self.postal_code, self.city
        )
    }
}

const CACHE_FOR: Duration = Duration::from_secs(60);

/// Reads offices' details from the identity service's internal API, caching them briefly.
pub struct OfficeDirectory {
    client: reqwest::Client,
    identity_url: String,
    cache: Mutex<HashMap<TenantId, (Instant, OfficeDetails)>>,
}

impl OfficeDirectory {
    pub fn new(identity_url: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            identity_url: identity_url.trim_end_matches('/').to_owned(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Every office's id.
    pub async fn all(&self) -> anyhow::Result<Vec<TenantId>> {
        #[derive(serde::Deserialize)]
        struct Listed {
            id: uuid::Uuid,
        }
        let listed: Vec<Listed> = self
            .client
            .get(format!("{}/internal/v1/tenants", self.identity_url))
            .timeout(Duration::from_secs(10))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(listed
            .into_iter()
            .map(|t| TenantId::from_uuid(t.id))
            .collect())
    }

    /// The office's details; 503 when the identity service cannot be asked.
    pub async fn get(&self, tenant: TenantId, slug: &str) -> Result<OfficeDetails, Problem> {
        if let Ok(cache) = self.cache.lock()
            && let Some((at, details)) = cache.get(&tenant)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(details.clone());
        }
        let unavailable = |e: &dyn std::fmt::Display| {
            tracing::warn!(error = %e, "office details unavailable");
            Problem::unavailable("Dane ośrodka są chwilowo niedostępne. Spróbuj za chwilę.")
                .with_retry_after(5)
        };
        let details: OfficeDetails = self
            .client
            .get(format!("{}/internal/v1/tenants/resolve", self.identity_url))
            .query(&[("slug", slug)])
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| unavailable(&e))?
            .json()
            .await
            .map_err(|e| unavailable(&e))?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(tenant, (Instant::now(), details.clone()));
        }
        Ok(details)
    }
}
