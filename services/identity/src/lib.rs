//! Identity service. For now it owns the office registry: the tenants, the host names they
//! answer on and the voivodeships they belong to; users, roles and tokens come next.
//! Its internal API lets the gateway resolve a host to an office; its public API describes the
//! current office.

pub mod api;
pub mod store;

use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;

pub use store::{NewTenant, StoreError, TenantRecord, TenantStatus};

/// The service's name in routes (`/api/v1/identity/…`) and configuration.
pub const SERVICE: &str = "identity";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<api::OfficeApi, ()> {
    OpenApiService::new(
        api::OfficeApi,
        "Łącznik — tożsamość i ośrodki",
        env!("CARGO_PKG_VERSION"),
    )
}

/// The whole service as one endpoint: public and internal APIs, health, tracing.
pub fn endpoint(
    db: AppDb,
    tracer: lacznik_telemetry::SdkTracer,
) -> impl Endpoint<Output = Response> {
    let spec = openapi();
    let spec_json = spec.spec_endpoint();
    let internal = OpenApiService::new(api::InternalApi, "internal", "v1");
    let routes = Route::new()
        .nest_no_strip(
            "/api/v1/identity",
            spec.with(lacznik_http::tenant::RequireTenant),
        )
        .nest("/internal/v1", internal)
        .at("/openapi.json", spec_json)
        .data(db.platform_db());
    service_endpoint(SERVICE, routes, tracer, db.readiness())
}
