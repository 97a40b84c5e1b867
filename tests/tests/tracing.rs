//! One trace spans the gateway and the service: the gateway's server span is the parent of the
//! service's, carried by the W3C `traceparent` header.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_testkit::{TestApp, TestDb};
use opentelemetry::trace::SpanKind;
use opentelemetry_sdk::trace::{InMemorySpanExporter, Sampler, SdkTracerProvider};
use reqwest::Method;

#[tokio::test]
async fn a_request_through_the_gateway_is_one_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_simple_exporter(exporter.clone())
        .build();
    let telemetry = lacznik_telemetry::Telemetry::from_provider(provider.clone());
    let app = TestApp::spawn_with(TestDb::new().await, telemetry).await;
    app.create_tenant("kielce").await;

    // Signing in makes spans of its own; only the request under test is looked at.
    let request = app
        .as_coordinator("kielce", Method::GET, "/api/v1/volunteers")
        .await;
    provider.force_flush().unwrap();
    exporter.reset();
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    provider.force_flush().unwrap();

    let spans = exporter.get_finished_spans().unwrap();
    let server_span = |scope: &str| {
        spans
            .iter()
            .find(|s| s.instrumentation_scope.name() == scope && s.span_kind == SpanKind::Server)
            .unwrap_or_else(|| {
                panic!(
                    "no {scope} server span among {:?}",
                    spans
                        .iter()
                        .map(|s| (&s.name, s.instrumentation_scope.name()))
                        .collect::<Vec<_>>()
                )
            })
    };
    let gateway = server_span("gateway");
    let service = server_span("volunteers");
    assert_eq!(service.name, "GET /api/v1/volunteers");
    assert_eq!(
        service.span_context.trace_id(),
        gateway.span_context.trace_id()
    );
    assert_eq!(service.parent_span_id, gateway.span_context.span_id());
    app.stop().await;
}

/// With `telemetry.otlp_endpoint` set, spans leave the process over OTLP/HTTP (protobuf).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_are_exported_over_otlp_when_an_endpoint_is_configured() {
    use std::sync::{Arc, Mutex};

    use poem::web::Data;
    use poem::{EndpointExt, Route, handler, post};

    /// What the collector received: (content type, body length) per export.
    type Received = Arc<Mutex<Vec<(String, usize)>>>;

    #[handler]
    fn collect(body: Vec<u8>, headers: &poem::http::HeaderMap, seen: Data<&Received>) {
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        seen.lock().unwrap().push((content_type, body.len()));
    }
    let seen: Received = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector = listener.local_addr().unwrap();
    tokio::spawn(lacznik_http::server::serve(
        listener,
        Route::new()
            .at("/v1/traces", post(collect))
            .data(seen.clone()),
        std::future::pending(),
    ));

    let config = lacznik_config::TelemetryConfig {
        otlp_endpoint: Some(format!("http://{collector}")),
        log_filter: "warn".into(),
        ..Default::default()
    };
    let telemetry = lacznik_telemetry::init(&config).unwrap();
    let app = TestApp::spawn_with(TestDb::new().await, telemetry).await;
    app.create_tenant("kielce").await;
    let response = app
        .as_coordinator("kielce", Method::GET, "/api/v1/volunteers")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Stopping drops the telemetry, which flushes the batch exporter.
    tokio::task::spawn_blocking(move || tokio::runtime::Handle::current().block_on(app.stop()))
        .await
        .unwrap();

    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "the collector received nothing");
    assert!(
        seen.iter()
            .all(|(ct, len)| ct == "application/x-protobuf" && *len > 0),
        "{seen:?}"
    );
}
