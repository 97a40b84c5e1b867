//! Which offices there are, in which voivodeship, and how many people live in each: the
//! identity service owns that register and lists it on its internal API; the list is kept for
//! `stats.office_cache_secs` and read again at once (at most once a second) when someone asks
//! for an office it does not hold yet.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use uuid::Uuid;

/// An office as the statistics show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Office {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub short_name: String,
    /// TERYT code of the voivodeship.
    pub region_code: String,
    /// Inhabitants, for rates per 10,000.
    pub population: i32,
}

/// Every office, by slug and by voivodeship.
#[derive(Debug, Default)]
pub struct Offices {
    by_slug: HashMap<String, Office>,
}

impl Offices {
    pub fn new(list: Vec<Office>) -> Self {
        Self {
            by_slug: list.into_iter().map(|o| (o.slug.clone(), o)).collect(),
        }
    }

    pub fn get(&self, slug: &str) -> Option<&Office> {
        self.by_slug.get(slug)
    }

    /// The offices of a voivodeship, by name.
    pub fn in_region(&self, code: &str) -> Vec<&Office> {
        let mut list: Vec<&Office> = self
            .by_slug
            .values()
            .filter(|o| o.region_code == code)
            .collect();
        list.sort_by(|a, b| a.short_name.cmp(&b.short_name).then(a.slug.cmp(&b.slug)));
        list
    }
}

/// The identity service could not be asked.
#[derive(Debug, thiserror::Error)]
#[error("office register unavailable: {0}")]
pub struct Unavailable(#[from] reqwest::Error);

/// The cached register.
pub struct OfficeRegister {
    client: reqwest::Client,
    url: String,
    keep: Duration,
    cached: Mutex<Option<(Instant, Arc<Offices>)>>,
}

impl OfficeRegister {
    /// Reads from the identity service at `identity_url`, keeping answers for `keep`.
    pub fn new(identity_url: &str, keep: Duration) -> Self {
        Self {
            client: reqwest::Client::new(),
            url: format!("{}/internal/v1/tenants", identity_url.trim_end_matches('/')),
            keep,
            cached: Mutex::new(None),
        }
    }

    /// A register fixed in advance (tests, benchmarks).
    pub fn fixed(list: Vec<Office>) -> Self {
        Self {
            client: reqwest::Client::new(),
            url: String::new(),
            keep: Duration::MAX,
            cached: Mutex::new(Some((Instant::now(), Arc::new(Offices::new(list))))),
        }
    }

    /// The register, read again when older than the cache time.
    pub async fn all(&self) -> Result<Arc<Offices>, Unavailable> {
        self.read(self.keep).await
    }

    /// The register, read again (if a second old) when it lacks `slug`.
    pub async fn with(&self, slug: &str) -> Result<Arc<Offices>, Unavailable> {
        let offices = self.all().await?;
        if offices.get(slug).is_some() {
            return Ok(offices);
        }
        self.read(Duration::from_secs(1)).await
    }

    async fn read(&self, older_than: Duration) -> Result<Arc<Offices>, Unavailable> {
        let mut cached = self.cached.lock().await;
        if let Some((at, offices)) = cached.as_ref()
            && (at.elapsed() < older_than || self.url.is_empty())
        {
            return Ok(offices.clone());
        }
        let list: Vec<Office> = self
            .client
            .get(&self.url)
            .timeout(Duration::from_secs(5))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let offices = Arc::new(Offices::new(list));
        *cached = Some((Instant::now(), offices.clone()));
        Ok(offices)
    }
}
