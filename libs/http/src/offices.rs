//! Where a service learns an office's details for letters, documents and emails: the identity
//! service owns the register of offices and answers on its internal API; answers are cached
//! briefly.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lacznik_types::TenantId;

use crate::{Problem, TenantContext};

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
    /// e.g. "MOPR Kielce".
    #[serde(default)]
    pub short_name: String,
    /// Who the office's emails come from (display name and address) and where replies go.
    #[serde(default)]
    pub mail_from_name: String,
    #[serde(default)]
    pub mail_from_address: String,
    #[serde(default)]
    pub mail_reply_to: String,
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

    /// Every office.
    pub async fn all(&self) -> Result<Vec<TenantContext>, reqwest::Error> {
        #[derive(serde::Deserialize)]
        struct Listed {
            id: uuid::Uuid,
            slug: String,
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
            .map(|t| TenantContext {
                id: TenantId::from_uuid(t.id),
                slug: t.slug,
            })
            .collect())
    }

    /// The office's details; 503 when the identity service cannot be asked.
    pub async fn get(&self, tenant: TenantId, slug: &str) -> Result<OfficeDetails, Problem> {
        self.lookup(tenant, ("slug", slug)).await
    }

    /// The office's details by its id alone (for work that starts from an event).
    pub async fn get_by_id(&self, tenant: TenantId) -> Result<OfficeDetails, Problem> {
        self.lookup(tenant, ("id", &tenant.to_string())).await
    }

    async fn lookup(
        &self,
        tenant: TenantId,
        query: (&str, &str),
    ) -> Result<OfficeDetails, Problem> {
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
            .query(&[query])
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
