//! The gateway: the only door into Łącznik. It resolves the office from the Host header
//! (`<slug>.<base domain>` or an extra host of the office) or from a `/t/<slug>/` path prefix,
//! strips every header a client could use to spoof identity or origin and sets its own, then
//! streams the request to the service named by `/api/v1/<service>/…` within a deadline. A bearer
//! token is verified here first and must belong to the office of the address (or, at the bare
//! domain, to the platform); each office's request rate is limited. It also serves the merged
//! OpenAPI document and an interactive API page.

mod account;
mod admission;
mod headers;
mod openapi;
mod proxy;
mod resolve;
mod volunteer_pages;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lacznik_auth::TokenVerifier;
use lacznik_http::server::service_endpoint;
use lacznik_limits::Limits;
use poem::{Endpoint, EndpointExt, Response, Route, get};

pub use resolve::{ResolvedTenant, TenantResolver};

/// Everything the gateway needs to know about its surroundings.
#[derive(Clone)]
pub struct GatewaySettings {
    /// Offices answer on `<slug>.<base_domain>`.
    pub base_domain: String,
    /// Service name → base URL, e.g. `volunteers` → `http://127.0.0.1:8082`.
    pub upstreams: BTreeMap<String, String>,
    pub upstream_timeout: Duration,
    pub max_body_bytes: u64,
    pub tenant_cache_ttl: Duration,
    /// Verifies access tokens at the door.
    pub verifier: Arc<TokenVerifier>,
    /// Request rate per office, and sessions revoked before their tokens expire.
    pub limits: Limits,
    /// Requests one office may make per `tenant_window`.
    pub tenant_requests: u32,
    pub tenant_window: Duration,
}

impl GatewaySettings {
    pub fn from_config(
        config: &lacznik_config::Config,
        upstreams: BTreeMap<String, String>,
        verifier: Arc<TokenVerifier>,
        limits: Limits,
    ) -> Self {
        Self {
            base_domain: config.gateway.base_domain.to_ascii_lowercase(),
            upstreams,
            upstream_timeout: Duration::from_millis(config.gateway.upstream_timeout_ms),
            max_body_bytes: config.gateway.max_body_bytes,
            tenant_cache_ttl: Duration::from_secs(config.gateway.tenant_cache_secs),
            verifier,
            limits,
            tenant_requests: config.limits.tenant_requests,
            tenant_window: Duration::from_secs(config.limits.tenant_window_secs.max(1)),
        }
    }
}

/// Shared state of the gateway's handlers.
pub(crate) struct Gateway {
    settings: GatewaySettings,
    /// For control-plane calls (tenant lookups, OpenAPI documents).
    client: reqwest::Client,
    /// For proxied requests.
    upstream: proxy::UpstreamClient,
    resolver: TenantResolver,
    specs: openapi::SpecCache,
    admission: Arc<admission::Admission>,
}

/// Errors building the gateway.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the gateway needs an upstream named `identity` to resolve offices")]
    NoIdentity,
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// The gateway as one endpoint.
pub fn endpoint(
    settings: GatewaySettings,
    tracer: lacznik_telemetry::SdkTracer,
) -> Result<impl Endpoint<Output = Response>, GatewayError> {
    let identity = settings
        .upstreams
        .get("identity")
        .ok_or(GatewayError::NoIdentity)?
        .clone();
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let gateway = Arc::new(Gateway {
        resolver: TenantResolver::new(client.clone(), identity, settings.tenant_cache_ttl),
        specs: openapi::SpecCache::default(),
        upstream: proxy::upstream_client(),
        admission: admission::Admission::new(
            settings.limits.clone(),
            settings.tenant_requests,
            settings.tenant_window,
        ),
        client,
        settings,
    });
    let ready = gateway.clone();
    let routes = Route::new()
        .at("/api/openapi.json", get(openapi::merged_spec))
        .at("/api/docs", get(openapi::docs_page))
        .at(
            "/*path",
            proxy::ProxyEndpoint.around(volunteer_pages::in_front_of),
        )
        .data(gateway);
    Ok(service_endpoint("gateway", routes, tracer, move || {
        let gateway = ready.clone();
        async move { gateway.resolver.ping().await }
    })
    .before(|req| async move { Ok(headers::sanitize(req)) }))
}
