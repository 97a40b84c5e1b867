//! Statistics service: rollups maintained from events, office dashboards and the privacy-safe
//! regional comparison. (Skeleton: the rollups and the API come with issue 7.)

use std::sync::Arc;

use lacznik_http::auth::TokenVerifier;
use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;

/// The service's name in routes (`/api/v1/stats/…`) and configuration.
pub const SERVICE: &str = "stats";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<(), ()> {
    OpenApiService::new((), "Łącznik — statystyki", env!("CARGO_PKG_VERSION"))
}

/// The whole service as one endpoint: API, health, tracing.
pub fn endpoint(
    db: AppDb,
    verifier: Arc<TokenVerifier>,
    tracer: lacznik_telemetry::SdkTracer,
) -> impl Endpoint<Output = Response> {
    let routes = Route::new()
        .at("/openapi.json", openapi().spec_endpoint())
        .data(db.tenant_db())
        .data(verifier);
    service_endpoint(SERVICE, routes, tracer, db.readiness())
}
