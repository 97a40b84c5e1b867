//! Forwarding: resolve the office, check it may be served, pick the upstream by the path's
//! service name, and stream the request there and the answer back, within the size cap and
//! the upstream deadline. Every refusal is a problem document.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lacznik_http::Problem;
use lacznik_http::auth::ENDED_SESSIONS_HEADER;
use lacznik_http::auth::{token_tenant_mismatch, unauthenticated};
use lacznik_http::tenant::{TENANT_ID_HEADER, TENANT_SLUG_HEADER};

use crate::admission::Verdict;
use opentelemetry::propagation::Injector;
use poem::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};

use crate::Gateway;
use crate::headers::copy_end_to_end;
use crate::resolve::{ResolvedTenant, TenantKey, key_from_request};

/// Services that also serve the platform address (no office): sign-in and office onboarding,
/// and the regional comparison of statistics.
const PLATFORM_SERVICES: [&str; 2] = ["identity", "stats"];

/// Responses up to this size are buffered; larger or unsized ones are streamed.
const BUFFERED_RESPONSE_BYTES: u64 = 256 * 1024;

/// Bodies on the hot path: poem's own boxed body type, so nothing is re-wrapped.
type ProxyBody = BoxBody<Bytes, io::Error>;

/// The upstream client: plain HTTP/1.1 with pooled connections, on pre-parsed URIs.
pub(crate) type UpstreamClient = Client<HttpConnector, ProxyBody>;

pub(crate) fn upstream_client() -> UpstreamClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(std::time::Duration::from_secs(2)));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        .build(connector)
}

/// Catches every path not served by the gateway itself.
pub struct ProxyEndpoint;

impl Endpoint for ProxyEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let Some(gateway) = req.data::<Arc<Gateway>>().cloned() else {
            return Ok(Problem::internal(&"gateway state missing").into_response());
        };
        Ok(match gateway.forward(req).await {
            Ok(response) => response,
            Err(problem) => problem.into_response(),
        })
    }
}

fn unknown_tenant() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "unknown_tenant", "Nieznany ośrodek").with_detail(
        "Pod tym adresem nie działa żaden ośrodek. Sprawdź adres, np. kielce.lacznik.pl albo /t/kielce/.",
    )
}

impl Gateway {
    async fn forward(&self, req: Request) -> Result<Response, Problem> {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()));
        let (path_key, host_key, rest) = key_from_request(
            host.as_deref(),
            req.uri().path(),
            &self.settings.base_domain,
        );
        // A request naming no office at all is for the platform (admins), served by identity.
        let tenant = if path_key.is_none() && host_key.is_none() {
            None
        } else {
            Some(
                self.tenant_for(path_key.as_ref(), host_key.as_ref())
                    .await?,
            )
        };

        if let Some(tenant) = &tenant
            && matches!(rest.as_str(), "/api/openapi.json" | "/api/docs")
        {
            let prefix = path_key.is_some().then(|| format!("/t/{}", tenant.slug));
            return Ok(if rest == "/api/docs" {
                crate::openapi::docs_html(self, prefix.as_deref())
                    .await
                    .into_response()
            } else {
                crate::openapi::merged(self, prefix.as_deref())
                    .await
                    .into_response()
            });
        }

        self.admit(req.headers(), tenant.as_ref()).await?;
        if req.method() == poem::http::Method::GET
            && let Some(page) = crate::account::serve(&rest)
        {
            return Ok(page);
        }

        let service = rest
            .strip_prefix("/api/v1/")
            .map(|p| p.split('/').next().unwrap_or_default());
        let from_identity = service == Some("identity");
        let upstream = service
            .filter(|service| tenant.is_some() || PLATFORM_SERVICES.contains(service))
            .and_then(|service| self.settings.upstreams.get(service))
            .ok_or_else(|| {
                if tenant.is_none() {
                    return unknown_tenant();
                }
                Problem::new(StatusCode::NOT_FOUND, "not_found", "Nie znaleziono")
                    .with_detail("Nie ma takiego adresu. Interfejs API jest pod /api/v1/<usługa>/.")
            })?;

        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared_length.is_some_and(|n| n > self.settings.max_body_bytes) {
            return Err(too_large(self.settings.max_body_bytes));
        }

        let target = match req.uri().query() {
            Some(query) => format!("{upstream}{rest}?{query}"),
            None => format!("{upstream}{rest}"),
        };
        let uri: Uri = target.parse().map_err(|_| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "Niepoprawny adres",
            )
        })?;
        let mut headers = HeaderMap::with_capacity(req.headers().len() + 8);
        copy_end_to_end(req.headers(), &mut headers, &["host"]);
        self.set_forwarding_headers(
            &mut headers,
            tenant.as_ref(),
            host.as_deref(),
            req.remote_addr().as_socket_addr(),
        );

        let has_body = declared_length.is_some_and(|n| n > 0)
            || req.headers().contains_key(header::TRANSFER_ENCODING);
        let exceeded = Arc::new(AtomicBool::new(false));
        let method = req.method().clone();
        let body = if has_body {
            limited_body(
                req.into_body(),
                self.settings.max_body_bytes,
                exceeded.clone(),
            )
        } else {
            Empty::new().map_err(|never| match never {}).boxed()
        };
        let mut upstream_req = poem::http::Request::new(body);
        *upstream_req.method_mut() = method;
        *upstream_req.uri_mut() = uri;
        *upstream_req.headers_mut() = headers;

        let sent = tokio::time::timeout(
            self.settings.upstream_timeout,
            self.upstream.request(upstream_req),
        )
        .await;
        let response = match sent {
            Err(_elapsed) => return Err(upstream_timeout()),
            Ok(Err(_)) if exceeded.load(Ordering::Relaxed) => {
                return Err(too_large(self.settings.max_body_bytes));
            }
            Ok(Err(error)) => {
                tracing::warn!(error = %error, connect = error.is_connect(), "upstream unreachable");
                return Err(Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream_unavailable",
                    "Usługa niedostępna",
                )
                .with_detail("Usługa, do której kieruje ten adres, nie odpowiada. Spróbuj ponownie za chwilę.")
                .with_retry_after(5));
            }
            Ok(Ok(response)) => response,
        };

        let (mut parts, incoming) = response.into_parts();
        // Only the identity service may tell the gateway which sessions it has ended; the
        // header never reaches a client.
        if let Some(ended) = parts.headers.remove(ENDED_SESSIONS_HEADER)
            && from_identity
            && let Ok(ended) = ended.to_str()
        {
            self.admission.sessions_ended(ended);
        }
        // An office suspended or re-activated through this gateway takes effect here at once
        // (other replicas follow within `gateway.tenant_cache_secs`).
        if from_identity
            && parts.status.is_success()
            && let Some(slug) = changed_office(&rest)
        {
            self.resolver.forget(slug);
        }
        let mut out = Response::builder().status(parts.status).finish();
        copy_end_to_end(&parts.headers, out.headers_mut(), &[]);
        let small = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n <= BUFFERED_RESPONSE_BYTES);
        if small {
            // A small answer is read whole so headers and body leave in one write.
            let bytes = tokio::time::timeout(self.settings.upstream_timeout, incoming.collect())
                .await
                .map_err(|_| upstream_timeout())?
                .map_err(|error| {
                    tracing::warn!(%error, "upstream response cut short");
                    Problem::new(
                        StatusCode::BAD_GATEWAY,
                        "upstream_unavailable",
                        "Usługa niedostępna",
                    )
                    .with_retry_after(5)
                })?
                .to_bytes();
            out.set_body(bytes);
        } else {
            out.set_body(Body::from(incoming.map_err(io::Error::other).boxed()));
        }
        Ok(out)
    }

    async fn tenant_for(
        &self,
        path_key: Option<&TenantKey>,
        host_key: Option<&TenantKey>,
    ) -> Result<ResolvedTenant, Problem> {
        let lookup = |key: &TenantKey| {
            let key = key.clone();
            async move {
                self.resolver.resolve(&key).await.map_err(|error| {
                    tracing::warn!(%error, "tenant registry unavailable");
                    Problem::unavailable(
                        "Nie można teraz ustalić ośrodka. Spróbuj ponownie za chwilę.",
                    )
                })
            }
        };
        let key = path_key.or(host_key).ok_or_else(unknown_tenant)?;
        let tenant = lookup(key).await?.ok_or_else(unknown_tenant)?;
        if let (Some(_), Some(host_key)) = (path_key, host_key)
            && let Some(by_host) = lookup(host_key).await?
            && by_host.id != tenant.id
        {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "tenant_conflict",
                "Adres wskazuje dwa różne ośrodki",
            )
            .with_detail("Host i prefiks /t/<ośrodek>/ wskazują różne ośrodki."));
        }
        if tenant.is_suspended() {
            return Err(Problem::new(StatusCode::FORBIDDEN, "tenant_suspended", "Ośrodek zawieszony")
                .with_detail("Dostęp do tego ośrodka jest wstrzymany. Dane pozostają zachowane; skontaktuj się z administratorem platformy."));
        }
        Ok(tenant)
    }

    /// Verifies a bearer token, if there is one: it must be ours, unexpired, and for this
    /// office (or, with no office, for the platform). Then counts the request against the
    /// office's rate and checks the token's session has not been ended (see `admission`).
    async fn admit(
        &self,
        headers: &HeaderMap,
        tenant: Option<&ResolvedTenant>,
    ) -> Result<(), Problem> {
        let claims = match headers.get(header::AUTHORIZATION) {
            None => None,
            Some(value) => {
                let token = value
                    .to_str()
                    .ok()
                    .and_then(|v| {
                        v.strip_prefix("Bearer ")
                            .or_else(|| v.strip_prefix("bearer "))
                    })
                    .map(str::trim)
                    .ok_or_else(|| unauthenticated("token_invalid"))?;
                let claims = self.settings.verifier.verify(token).map_err(|error| {
                    tracing::debug!(%error, "token refused at the gateway");
                    unauthenticated(error.code())
                })?;
                let bound = match (tenant, claims.tid) {
                    (Some(tenant), Some(tid)) => tenant.id == tid,
                    (None, None) => true,
                    _ => false,
                };
                if !bound {
                    return Err(token_tenant_mismatch());
                }
                Some(claims)
            }
        };
        let office = tenant.map(|t| t.id.to_string());
        match self
            .admission
            .admit(office.as_deref(), claims.map(|c| c.sid))
            .await
        {
            Verdict::Pass => Ok(()),
            Verdict::TooMany(left) => {
                let secs = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
                Err(Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Zbyt wiele żądań",
                )
                .with_detail(format!(
                    "Ośrodek przekroczył dozwoloną liczbę żądań. Spróbuj ponownie za {secs} s."
                ))
                .with_retry_after(secs))
            }
            Verdict::SessionEnded => Err(unauthenticated("session_revoked")),
        }
    }

    fn set_forwarding_headers(
        &self,
        headers: &mut HeaderMap,
        tenant: Option<&ResolvedTenant>,
        host: Option<&str>,
        client: Option<&SocketAddr>,
    ) {
        fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        if let Some(tenant) = tenant {
            set(headers, TENANT_ID_HEADER, &tenant.id.to_string());
            set(headers, TENANT_SLUG_HEADER, &tenant.slug);
        }
        if let Some(client) = client
            && let Ok(ip) = HeaderValue::from_str(&client.ip().to_string())
        {
            headers.insert("x-forwarded-for", ip.clone());
            headers.insert("x-real-ip", ip);
        }
        if let Some(host) = host {
            set(headers, "x-forwarded-host", host);
        }
        headers.insert("x-forwarded-proto", HeaderValue::from_static("http"));
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject(&mut HeaderInjector(headers));
        });
    }
}

/// The office whose status a platform call changes: `…/platform/offices/<slug>/suspend|activate`.
fn changed_office(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v1/identity/platform/offices/")?;
    let (slug, action) = rest.split_once('/')?;
    matches!(action, "suspend" | "activate").then_some(slug)
}

/// Writes W3C trace context into outgoing headers.
struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Streams the body through, failing once more than `limit` bytes have passed.
fn limited_body(body: Body, limit: u64, exceeded: Arc<AtomicBool>) -> ProxyBody {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    Limited::new(ProxyBody::from(body), limit)
        .map_err(move |error| {
            if error.is::<LengthLimitError>() {
                exceeded.store(true, Ordering::Relaxed);
            }
            io::Error::other(error)
        })
        .boxed()
}

fn too_large(limit: u64) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "Za duże żądanie",
    )
    .with_detail(format!(
        "Treść żądania może mieć najwyżej {} KiB.",
        limit / 1024
    ))
}

fn upstream_timeout() -> Problem {
    Problem::new(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", "Usługa nie odpowiedziała na czas")
        .with_detail("Usługa nie odpowiedziała w wyznaczonym czasie. Jeśli zmieniałeś dane, sprawdź, czy zmiana została zapisana, zanim spróbujesz ponownie.")
        .with_retry_after(5)
}
