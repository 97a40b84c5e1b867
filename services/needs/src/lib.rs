//! Needs service: the connector itself. The office records who needs what (beneficiaries,
//! partner institutions, needs), finds volunteers through the volunteers service's matching,
//! offers the work by email with single-use answer links, books whoever accepts first, and
//! follows the help to the end — check-in, hours, feedback, visits of long-term pairings — and
//! runs actions with shifts. Every change leaves an event in the office's outbox in the same
//! transaction (`docs/events.md`).

pub mod api;
pub mod domain;
pub mod events;
pub mod settings;
pub mod store;
pub mod sweep;
pub mod volunteers;

use std::sync::Arc;

use lacznik_http::auth::TokenVerifier;
use lacznik_http::offices::OfficeDirectory;
use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;
use settings::NeedsSettings;
use volunteers::VolunteersClient;

/// The service's name in routes (`/api/v1/needs/…`) and configuration.
pub const SERVICE: &str = "needs";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<api::Apis, ()> {
    OpenApiService::new(api::APIS, "Łącznik — potrzeby", env!("CARGO_PKG_VERSION"))
}

/// What the handlers share.
#[derive(Clone)]
pub struct Deps {
    pub settings: NeedsSettings,
    pub volunteers: Arc<VolunteersClient>,
    pub offices: Arc<OfficeDirectory>,
}

/// The whole service as one endpoint: API, OpenAPI document, health, tracing.
pub fn endpoint(
    db: AppDb,
    verifier: Arc<TokenVerifier>,
    deps: Deps,
    tracer: lacznik_telemetry::SdkTracer,
) -> impl Endpoint<Output = Response> {
    let spec = openapi();
    let spec_json = spec.spec_endpoint();
    let internal = OpenApiService::new(api::InternalApi, "internal", "v1");
    let routes = Route::new()
        .nest_no_strip(
            "/api/v1/needs",
            spec.with(lacznik_http::tenant::RequireTenant),
        )
        .nest_no_strip(
            "/internal/v1/needs",
            internal.with(lacznik_http::tenant::RequireTenant),
        )
        .at("/openapi.json", spec_json)
        .data(db.tenant_db())
        .data(verifier)
        .data(deps);
    service_endpoint(SERVICE, routes, tracer, db.readiness())
}
