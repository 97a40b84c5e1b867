//! Which office a request is for. Lookups go to the identity service's internal API and are
//! cached for a short time (misses too, briefly, so a scan of unknown hosts cannot flood it).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lacznik_types::TenantId;
use serde::Deserialize;

/// How long an unknown host or slug is remembered as unknown.
const NEGATIVE_TTL: Duration = Duration::from_secs(5);

/// The office a request resolved to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ResolvedTenant {
    pub id: TenantId,
    pub slug: String,
    pub status: String,
}

impl ResolvedTenant {
    pub fn is_suspended(&self) -> bool {
        self.status == "suspended"
    }
}

/// How a request names its office.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TenantKey {
    Slug(String),
    Host(String),
}

/// Why a lookup failed.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("the office registry is unreachable: {0}")]
    Unavailable(String),
}

/// Resolves and caches tenants.
pub struct TenantResolver {
    client: reqwest::Client,
    identity_url: String,
    ttl: Duration,
    cache: Mutex<HashMap<TenantKey, (Instant, Option<ResolvedTenant>)>>,
}

impl TenantResolver {
    pub fn new(client: reqwest::Client, identity_url: String, ttl: Duration) -> Self {
        Self {
            client,
            identity_url: identity_url.trim_end_matches('/').to_owned(),
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The office for `key`, `None` if there is none.
    pub async fn resolve(&self, key: &TenantKey) -> Result<Option<ResolvedTenant>, ResolveError> {
        if let Some(hit) = self.cached(key) {
            return Ok(hit);
        }
        let (param, value) = match key {
            TenantKey::Slug(slug) => ("slug", slug),
            TenantKey::Host(host) => ("host", host),
        };
        let response = self
            .client
            .get(format!("{}/internal/v1/tenants/resolve", self.identity_url))
            .query(&[(param, value)])
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .map_err(|e| ResolveError::Unavailable(e.to_string()))?;
        let found = match response.status() {
            reqwest::StatusCode::OK => Some(
                response
                    .json::<ResolvedTenant>()
                    .await
                    .map_err(|e| ResolveError::Unavailable(e.to_string()))?,
            ),
            reqwest::StatusCode::NOT_FOUND => None,
            status => {
                return Err(ResolveError::Unavailable(format!(
                    "identity answered {status}"
                )));
            }
        };
        let ttl = if found.is_some() {
            self.ttl
        } else {
            NEGATIVE_TTL
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key.clone(), (Instant::now() + ttl, found.clone()));
        }
        Ok(found)
    }

    /// Drops what is cached about the office `slug` (after its status changed).
    pub fn forget(&self, slug: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|key, (_, value)| {
                key != &TenantKey::Slug(slug.to_owned())
                    && value.as_ref().is_none_or(|t| t.slug != slug)
            });
        }
    }

    fn cached(&self, key: &TenantKey) -> Option<Option<ResolvedTenant>> {
        let cache = self.cache.lock().ok()?;
        let (expires, value) = cache.get(key)?;
        (Instant::now() < *expires).then(|| value.clone())
    }

    /// Readiness: the registry answers.
    pub async fn ping(&self) -> Result<(), String> {
        self.client
            .get(format!("{}/healthz", self.identity_url))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map(|_| ())
            .map_err(|e| format!("identity: {e}"))
    }
}

/// Where the request names its office: a `/t/<slug>/` prefix (returned with the rest of the
/// path) or the host.
pub fn key_from_request(
    host: Option<&str>,
    path: &str,
    base_domain: &str,
) -> (Option<TenantKey>, Option<TenantKey>, String) {
    let from_path = path.strip_prefix("/t/").map(|rest| {
        let (slug, rest) = rest.split_once('/').unwrap_or((rest, ""));
        (
            TenantKey::Slug(slug.to_ascii_lowercase()),
            format!("/{rest}"),
        )
    });
    let from_host = host.and_then(|h| key_from_host(h, base_domain));
    match from_path {
        Some((key, rest)) => (Some(key), from_host, rest),
        None => (None, from_host, path.to_owned()),
    }
}

/// `kielce.localhost:8080` → slug `kielce`; `wolontariat.kielce.pl` → host lookup; the bare
/// base domain or an IP address → no office.
fn key_from_host(host: &str, base_domain: &str) -> Option<TenantKey> {
    let host = host.trim().to_ascii_lowercase();
    if host.starts_with('[') {
        return None; // an IPv6 literal names no office
    }
    let host = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host.as_str(),
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() || host == base_domain || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    match host
        .strip_suffix(base_domain)
        .and_then(|p| p.strip_suffix('.'))
    {
        Some(label) if !label.contains('.') => Some(TenantKey::Slug(label.to_owned())),
        Some(_) => None,
        None => Some(TenantKey::Host(host.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Option<TenantKey> {
        Some(TenantKey::Slug(s.into()))
    }

    #[test]
    fn hosts() {
        assert_eq!(
            key_from_host("kielce.localhost:8080", "localhost"),
            slug("kielce")
        );
        assert_eq!(
            key_from_host("Plock.Lacznik.PL", "lacznik.pl"),
            slug("plock")
        );
        assert_eq!(key_from_host("localhost:8080", "localhost"), None);
        assert_eq!(key_from_host("127.0.0.1:8080", "localhost"), None);
        assert_eq!(key_from_host("a.b.localhost", "localhost"), None);
        assert_eq!(
            key_from_host("wolontariat.mopr.kielce.pl", "localhost"),
            Some(TenantKey::Host("wolontariat.mopr.kielce.pl".into()))
        );
    }

    #[test]
    fn path_prefix() {
        let (path_key, host_key, rest) = key_from_request(
            Some("localhost:8080"),
            "/t/plock/api/v1/volunteers",
            "localhost",
        );
        assert_eq!(path_key, slug("plock"));
        assert_eq!(host_key, None);
        assert_eq!(rest, "/api/v1/volunteers");
        let (path_key, _, rest) = key_from_request(None, "/api/v1/volunteers", "localhost");
        assert_eq!(path_key, None);
        assert_eq!(rest, "/api/v1/volunteers");
    }
}
