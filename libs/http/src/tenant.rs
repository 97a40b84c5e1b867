//! The office a request belongs to. The gateway resolves it from the Host (or `/t/<slug>/`)
//! and passes it on in headers it sets itself after stripping any the client sent; services
//! listen on internal addresses only, behind the gateway.

use lacznik_types::TenantId;
use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::Problem;

/// Header carrying the resolved tenant's id from the gateway to a service.
pub const TENANT_ID_HEADER: &str = "x-tenant-id";
/// Header carrying the resolved tenant's slug from the gateway to a service.
pub const TENANT_SLUG_HEADER: &str = "x-tenant-slug";

/// The resolved office of the current request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantContext {
    pub id: TenantId,
    pub slug: String,
}

impl TenantContext {
    /// The office named by the gateway's headers, if any.
    pub fn from_request(req: &Request) -> Option<Self> {
        let id = req
            .headers()
            .get(TENANT_ID_HEADER)?
            .to_str()
            .ok()?
            .parse()
            .ok()?;
        let slug = req
            .headers()
            .get(TENANT_SLUG_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Some(Self { id, slug })
    }
}

/// Middleware: a request without a valid tenant never reaches a tenant-scoped handler.
pub struct RequireTenant;

impl<E: Endpoint> Middleware<E> for RequireTenant {
    type Output = RequireTenantEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequireTenantEndpoint { inner }
    }
}

pub struct RequireTenantEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for RequireTenantEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        match TenantContext::from_request(&req) {
            Some(tenant) => {
                tracing::Span::current().record("tenant", tenant.slug.as_str());
                req.extensions_mut().insert(tenant);
                self.inner.call(req).await.map(IntoResponse::into_response)
            }
            None => Ok(tenant_required().into_response()),
        }
    }
}

/// Where a request acts: in an office (the gateway named one) or on the platform (no office).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place(pub Option<TenantContext>);

impl Place {
    /// The office, or 400 `tenant_required` when the request was made on the platform address.
    pub fn office(&self) -> Result<&TenantContext, Problem> {
        self.0.as_ref().ok_or_else(tenant_required)
    }
}

fn tenant_required() -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "tenant_required",
        "Nie wskazano ośrodka",
    )
    .with_detail("Wejdź przez adres ośrodka, np. kielce.lacznik.pl albo /t/kielce/.")
}

/// Middleware for services that serve offices and the platform: records the [`Place`].
pub struct ResolvePlace;

impl<E: Endpoint> Middleware<E> for ResolvePlace {
    type Output = ResolvePlaceEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ResolvePlaceEndpoint { inner }
    }
}

pub struct ResolvePlaceEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for ResolvePlaceEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let office = TenantContext::from_request(&req);
        if let Some(office) = &office {
            tracing::Span::current().record("tenant", office.slug.as_str());
        }
        req.extensions_mut().insert(Place(office));
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
