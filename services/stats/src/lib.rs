//! Statistics service: rollups per office, period and kind of help maintained from events
//! (exactly once in effect, and rebuildable from the outbox), the office dashboard, and the
//! privacy-safe comparison of offices for regional and platform admins. Only aggregates leave
//! the service, and small counts — with whatever would reveal them — are suppressed.

pub mod api;
pub mod consumer;
pub mod domain;
pub mod error;
pub mod offices;
pub mod regional;
pub mod report;
pub mod store;

use std::sync::Arc;

use lacznik_http::auth::TokenVerifier;
use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;

pub use api::Deps;
pub use consumer::StatsConsumer;
pub use store::rebuild::{Rebuilt, rebuild_office};
pub use store::rollups::RegionalDb;

/// The service's name in routes (`/api/v1/stats/…`) and configuration.
pub const SERVICE: &str = "stats";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<api::Apis, ()> {
    OpenApiService::new(api::APIS, "Łącznik — statystyki", env!("CARGO_PKG_VERSION"))
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
    let regional = deps.regional.db().clone();
    let app = db.clone();
    let ready = move || {
        let app = app.clone();
        let regional = regional.clone();
        Box::pin(async move {
            app.ping().await.map_err(|e| e.to_string())?;
            store::rollups::ping(&regional)
                .await
                .map_err(|e| e.to_string())
        }) as std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>>
    };
    let routes = Route::new()
        .nest_no_strip("/api/v1/stats", spec)
        .at("/openapi.json", spec_json)
        .data(db.tenant_db())
        .data(verifier)
        .data(deps);
    service_endpoint(SERVICE, routes, tracer, ready)
}
