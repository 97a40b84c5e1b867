//! Volunteers service: the people of a volunteer centre. This first slice keeps who a volunteer
//! is and how to reach them — create, list, read, update, delete — behind poem-openapi, with
//! every query scoped to the request's office.

pub mod api;
pub mod domain;
pub mod events;
pub mod notices;
pub mod retention;
pub mod settings;
pub mod store;

use std::sync::Arc;

use lacznik_http::auth::TokenVerifier;
use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;
use settings::{OfficeDirectory, VolunteerSettings};

/// The service's name in routes (`/api/v1/volunteers/…`) and configuration.
pub const SERVICE: &str = "volunteers";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<api::Apis, ()> {
    OpenApiService::new(
        api::APIS,
        "Łącznik — wolontariusze",
        env!("CARGO_PKG_VERSION"),
    )
}

/// The whole service as one endpoint: API, OpenAPI document, health, tracing.
pub fn endpoint(
    db: AppDb,
    verifier: Arc<TokenVerifier>,
    settings: VolunteerSettings,
    offices: Arc<OfficeDirectory>,
    tracer: lacznik_telemetry::SdkTracer,
) -> impl Endpoint<Output = Response> {
    let spec = openapi();
    let spec_json = spec.spec_endpoint();
    let internal = OpenApiService::new(api::InternalApi, "internal", "v1");
    let routes = Route::new()
        .nest_no_strip(
            "/api/v1/volunteers",
            spec.with(lacznik_http::tenant::RequireTenant),
        )
        .nest_no_strip(
            "/internal/v1/volunteers",
            internal.with(lacznik_http::tenant::RequireTenant),
        )
        .at("/openapi.json", spec_json)
        .data(db.tenant_db())
        .data(verifier)
        .data(settings)
        .data(offices);
    service_endpoint(SERVICE, routes, tracer, db.readiness())
}
