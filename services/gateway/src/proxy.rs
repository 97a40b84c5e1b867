//! Forwarding: resolve the office, check it may be served, pick the upstream by the path's
//! service name, and stream the request there and the answer back, within the size cap and
//! the upstream deadline. Every refusal is a problem document.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::{StreamExt, TryStreamExt};
use lacznik_http::Problem;
use lacznik_http::tenant::{TENANT_ID_HEADER, TENANT_SLUG_HEADER};
use opentelemetry::propagation::Injector;
use poem::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};

use crate::Gateway;
use crate::headers::copy_end_to_end;
use crate::resolve::{ResolvedTenant, TenantKey, key_from_request};

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
        let tenant = self
            .tenant_for(path_key.as_ref(), host_key.as_ref())
            .await?;

        if matches!(rest.as_str(), "/api/openapi.json" | "/api/docs") {
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

        let upstream = rest
            .strip_prefix("/api/v1/")
            .map(|p| p.split('/').next().unwrap_or_default())
            .and_then(|service| self.settings.upstreams.get(service))
            .ok_or_else(|| {
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

        let url = match req.uri().query() {
            Some(query) => format!("{upstream}{rest}?{query}"),
            None => format!("{upstream}{rest}"),
        };
        let mut headers = HeaderMap::new();
        copy_end_to_end(req.headers(), &mut headers, &["host"]);
        self.set_forwarding_headers(
            &mut headers,
            &tenant,
            host.as_deref(),
            req.remote_addr().as_socket_addr(),
        );

        let has_body = declared_length.is_some_and(|n| n > 0)
            || req.headers().contains_key(header::TRANSFER_ENCODING);
        let exceeded = Arc::new(AtomicBool::new(false));
        let method = req.method().clone();
        let mut builder = self.client.request(method, url).headers(headers);
        if has_body {
            builder = builder.body(limited_body(
                req.into_body(),
                self.settings.max_body_bytes,
                exceeded.clone(),
            ));
        }

        let sent = tokio::time::timeout(self.settings.upstream_timeout, builder.send()).await;
        let response = match sent {
            Err(_elapsed) => return Err(upstream_timeout()),
            Ok(Err(_)) if exceeded.load(Ordering::Relaxed) => {
                return Err(too_large(self.settings.max_body_bytes));
            }
            Ok(Err(error)) if error.is_timeout() => return Err(upstream_timeout()),
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "upstream unreachable");
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

        let mut out = Response::builder().status(response.status()).finish();
        copy_end_to_end(response.headers(), out.headers_mut(), &[]);
        let stream = response.bytes_stream().map_err(io::Error::other);
        out.set_body(Body::from_bytes_stream(stream));
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

    fn set_forwarding_headers(
        &self,
        headers: &mut HeaderMap,
        tenant: &ResolvedTenant,
        host: Option<&str>,
        client: Option<&SocketAddr>,
    ) {
        let mut set = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        set(TENANT_ID_HEADER, &tenant.id.to_string());
        set(TENANT_SLUG_HEADER, &tenant.slug);
        if let Some(client) = client {
            set("x-forwarded-for", &client.ip().to_string());
            set("x-real-ip", &client.ip().to_string());
        }
        if let Some(host) = host {
            set("x-forwarded-host", host);
        }
        set("x-forwarded-proto", "http");
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject(&mut HeaderInjector(headers));
        });
    }
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
fn limited_body(body: Body, limit: u64, exceeded: Arc<AtomicBool>) -> reqwest::Body {
    let mut seen: u64 = 0;
    let stream = body.into_bytes_stream().map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len() as u64;
        if seen > limit {
            exceeded.store(true, Ordering::Relaxed);
            return Err(io::Error::other("request body over the limit"));
        }
        Ok(chunk)
    });
    reqwest::Body::wrap_stream(stream)
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
