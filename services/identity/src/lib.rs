//! Identity service: the office registry (tenants, their hosts and voivodeships), people and
//! their roles, sign-in, sessions and tokens, invitations and the security audit log.
//! Its public API serves both an office (at the office's address) and the platform (at the
//! bare domain, for platform and regional admins); its internal API lets the gateway resolve a
//! host to an office.

pub mod api;
pub mod domain;
pub mod store;

use std::sync::Arc;

use lacznik_auth::TokenVerifier;
use lacznik_http::server::service_endpoint;
use lacznik_tenancy::AppDb;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;

pub use domain::{Identity, IdentitySettings};
pub use store::{NewTenant, StoreError, TenantRecord, TenantStatus};

/// The service's name in routes (`/api/v1/identity/…`) and configuration.
pub const SERVICE: &str = "identity";

type Apis = (
    api::AuthApi,
    api::InvitationsApi,
    api::MembersApi,
    api::OfficeApi,
    api::PlatformApi,
);

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            api::AuthApi,
            api::InvitationsApi,
            api::MembersApi,
            api::OfficeApi,
            api::PlatformApi,
        ),
        "Łącznik — tożsamość i ośrodki",
        env!("CARGO_PKG_VERSION"),
    )
}

/// The whole service as one endpoint: public and internal APIs, health, tracing.
pub fn endpoint(
    db: AppDb,
    identity: Arc<Identity>,
    verifier: Arc<TokenVerifier>,
    tracer: lacznik_telemetry::SdkTracer,
) -> impl Endpoint<Output = Response> {
    let spec = openapi();
    let spec_json = spec.spec_endpoint();
    let internal = OpenApiService::new(api::InternalApi, "internal", "v1");
    let routes = Route::new()
        .nest_no_strip(
            "/api/v1/identity",
            spec.with(lacznik_http::tenant::ResolvePlace),
        )
        .nest("/internal/v1", internal)
        .at("/openapi.json", spec_json)
        .data(db.platform_db())
        .data(identity)
        .data(verifier)
        .around(report_ended_sessions);
    service_endpoint(SERVICE, routes, tracer, db.readiness())
}

/// Runs a request with a place to note sessions it ends, and names them in the response.
async fn report_ended_sessions<E: Endpoint>(
    endpoint: Arc<E>,
    req: poem::Request,
) -> poem::Result<Response> {
    use poem::IntoResponse;
    domain::accounts::ENDED_SESSIONS
        .scope(std::cell::RefCell::new(Vec::new()), async move {
            let mut response = match endpoint.call(req).await {
                Ok(response) => response.into_response(),
                Err(error) => error.into_response(),
            };
            let ended =
                domain::accounts::ENDED_SESSIONS.with(|e| std::mem::take(&mut *e.borrow_mut()));
            if !ended.is_empty() {
                let list: Vec<String> = ended.iter().map(ToString::to_string).collect();
                if let Ok(value) = poem::http::HeaderValue::from_str(&list.join(",")) {
                    response
                        .headers_mut()
                        .insert(lacznik_http::auth::ENDED_SESSIONS_HEADER, value);
                }
            }
            Ok(response)
        })
        .await
}
