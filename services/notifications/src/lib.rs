//! Notifications service: turns events into emails. (Skeleton; the pipeline comes with issue 6.)

use std::sync::Arc;

use lacznik_http::auth::TokenVerifier;
use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;

/// The service's name in routes (`/api/v1/notifications/…`) and configuration.
pub const SERVICE: &str = "notifications";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<(), ()> {
    OpenApiService::new((), "Łącznik — powiadomienia", env!("CARGO_PKG_VERSION"))
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
