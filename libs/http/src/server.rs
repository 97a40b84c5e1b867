//! What every service process looks like from outside: `/healthz`, `/readyz`, an OpenTelemetry
//! server span per request continuing the caller's W3C trace, a `tracing` span carrying the
//! request id and tenant, and every error turned into a problem document.

use std::future::Future;
use std::time::Duration;

use poem::endpoint::make;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::middleware::OpenTelemetryTracing;
use poem::web::Json;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server, get};
use tracing::Instrument;

use crate::Problem;

/// Header carrying the id of a request through every hop.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Wraps a service's routes with health checks, tracing and problem responses.
pub fn service_endpoint<E, R, F>(
    service: &'static str,
    routes: E,
    tracer: lacznik_telemetry::SdkTracer,
    ready: R,
) -> impl Endpoint<Output = Response>
where
    E: Endpoint + 'static,
    R: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let readiness = make(move |_| {
        let check = ready();
        async move {
            match check.await {
                Ok(()) => Json(serde_json::json!({ "status": "ready", "service": service }))
                    .into_response(),
                Err(reason) => {
                    // The reason can name internal addresses: it goes to the log, not the client.
                    tracing::warn!(%reason, "not ready");
                    Problem::unavailable(format!("Usługa {service} nie jest jeszcze gotowa."))
                        .into_response()
                }
            }
        }
    });
    Route::new()
        .at(
            "/healthz",
            get(make(move |_| async move {
                Json(serde_json::json!({ "status": "ok", "service": service }))
            })),
        )
        .at("/readyz", get(readiness))
        .nest("/", routes)
        .around(move |inner, req| request_span(service, inner, req))
        .with(OpenTelemetryTracing::new(tracer))
        .catch_all_error(|error| async move { Problem::from_poem_error(&error).into_response() })
}

async fn request_span<E: Endpoint>(
    service: &'static str,
    inner: std::sync::Arc<E>,
    req: Request,
) -> poem::Result<Response> {
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        service,
        method = %req.method(),
        path = %req.uri().path(),
        request_id = %request_id,
        trace_id = lacznik_telemetry::current_trace_id().unwrap_or_default(),
        tenant = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    async move {
        let mut response = match inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(error) => Problem::from_poem_error(&error).into_response(),
        };
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        if status.is_server_error() {
            tracing::warn!("request failed");
        } else {
            tracing::debug!("request done");
        }
        if let Ok(value) = request_id.parse() {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        Ok(response)
    }
    .instrument(span)
    .await
}

/// Serves `endpoint` on an already-bound listener until `shutdown` resolves, then drains
/// in-flight requests for up to ten seconds.
pub async fn serve<E>(
    listener: tokio::net::TcpListener,
    endpoint: E,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()>
where
    E: Endpoint + 'static,
{
    let acceptor = TcpAcceptor::from_tokio(listener)?;
    let local = acceptor.local_addr();
    tracing::debug!(addr = ?local, "listening");
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(endpoint, shutdown, Some(Duration::from_secs(10)))
        .await
}
