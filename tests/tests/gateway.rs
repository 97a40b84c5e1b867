//! The gateway's promises: spoofed headers ignored, unknown offices 404, a stopped or slow
//! upstream gives 502/504 problems, oversized bodies 413, malformed JSON 400 — and nothing is
//! written on any failure.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lacznik_gateway::{GatewaySettings, endpoint};
use lacznik_testkit::{TestApp, problem};
use poem::http::HeaderMap;
use poem::web::Data;
use poem::{EndpointExt, Route, handler};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Runs a gateway with `volunteers` pointing at `upstream` and the real identity service.
async fn gateway_to(app: &TestApp, upstream: String, timeout: Duration) -> SocketAddr {
    let mut upstreams = BTreeMap::new();
    upstreams.insert(
        "identity".to_owned(),
        format!("http://{}", app.service_addr("identity")),
    );
    upstreams.insert("volunteers".to_owned(), upstream);
    let settings = GatewaySettings {
        base_domain: "localhost".into(),
        upstreams,
        upstream_timeout: timeout,
        max_body_bytes: 65536,
        tenant_cache_ttl: Duration::from_secs(30),
        verifier: Arc::new(lacznik_auth::TokenVerifier::for_pair(&app.db.signing_key()).unwrap()),
        limits: lacznik_limits::Limits::memory("gateway-test:"),
        tenant_requests: 1000,
        tenant_window: Duration::from_secs(10),
    };
    // Kept for the whole test process: dropping it shuts the tracer down.
    static TELEMETRY: std::sync::OnceLock<lacznik_telemetry::Telemetry> =
        std::sync::OnceLock::new();
    let telemetry = TELEMETRY.get_or_init(lacznik_telemetry::init_for_tests);
    let ep = endpoint(settings, telemetry.tracer("gateway")).unwrap();
    serve(ep).await
}

/// `GET /api/v1/volunteers` as Kielce through the gateway at `gateway`.
fn kielce_volunteers_via(app: &TestApp, gateway: SocketAddr) -> reqwest::RequestBuilder {
    app.client
        .get(format!("http://{gateway}/api/v1/volunteers"))
        .header("host", "kielce.localhost")
}

async fn serve(ep: impl poem::Endpoint + 'static) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(lacznik_http::server::serve(
        listener,
        ep,
        std::future::pending(),
    ));
    addr
}

#[tokio::test]
async fn spoofed_tenant_and_forwarding_headers_are_replaced() {
    let app = TestApp::spawn().await;
    let kielce = app.create_tenant("kielce").await;
    let plock = app.create_tenant("plock").await;

    // A fake upstream records what the gateway forwards.
    #[handler]
    fn record(headers: &HeaderMap, seen: Data<&Arc<Mutex<Option<HeaderMap>>>>) -> &'static str {
        *seen.lock().unwrap() = Some(headers.clone());
        "{}"
    }
    let seen: Arc<Mutex<Option<HeaderMap>>> = Arc::new(Mutex::new(None));
    let upstream = serve(Route::new().at("/*path", record).data(seen.clone())).await;
    let gateway = gateway_to(&app, format!("http://{upstream}"), Duration::from_secs(3)).await;
    let response = kielce_volunteers_via(&app, gateway)
        .header("x-tenant-id", plock.id.to_string())
        .header("x-tenant-slug", "plock")
        .header("x-forwarded-for", "203.0.113.7")
        .header("forwarded", "for=203.0.113.7")
        .header("x-real-ip", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"));
    let headers = seen.lock().unwrap().clone().unwrap();
    assert_eq!(headers["x-tenant-id"], kielce.id.to_string());
    assert_eq!(headers["x-tenant-slug"], "kielce");
    assert_eq!(headers["x-forwarded-for"], "127.0.0.1");
    assert_eq!(headers["x-real-ip"], "127.0.0.1");
    assert!(!headers.contains_key("forwarded"));
    assert_eq!(headers.get_all("x-tenant-id").iter().count(), 1);
    assert!(headers.contains_key("x-request-id"));
    let traceparent = headers["traceparent"].to_str().unwrap();
    assert!(
        traceparent.starts_with("00-") && traceparent.len() == 55,
        "{traceparent}"
    );

    // Through the real platform, a spoofed id does not reach Płock's data.
    let created = app
        .as_coordinator("plock", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({"first_name": "Ewa", "last_name": "Mazur", "email": "ewa@example.pl", "birth_date": "1970-02-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let page: Value = app
        .as_coordinator("kielce", Method::GET, "/api/v1/volunteers")
        .await
        .header("x-tenant-id", plock.id.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page["items"].as_array().unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn unknown_offices_and_paths_get_404_problems_and_suspended_ones_403() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_tenant_in("plock", "14", vec!["wolontariat.plock.example".into()])
        .await;
    let not_found = StatusCode::NOT_FOUND;
    let cases = [
        (
            app.at("nieznany", Method::GET, "/api/v1/volunteers"),
            "unknown_tenant",
        ),
        (
            app.raw(Method::GET, "/t/nieznany/api/v1/volunteers"),
            "unknown_tenant",
        ),
        (app.raw(Method::GET, "/api/v1/volunteers"), "unknown_tenant"),
        (app.raw(Method::GET, "/"), "unknown_tenant"),
        (
            app.at("kielce", Method::GET, "/api/v1/nieistniejaca"),
            "not_found",
        ),
    ];
    for (request, code) in cases {
        assert_eq!(
            problem(request.send().await.unwrap()).await,
            (not_found, code.to_owned())
        );
    }

    // An extra host of an office resolves to it.
    let by_extra_host = app
        .raw(Method::GET, "/api/v1/identity/office")
        .header("host", "wolontariat.plock.example")
        .send()
        .await
        .unwrap();
    assert_eq!(by_extra_host.status(), StatusCode::OK);
    let office: Value = by_extra_host.json().await.unwrap();
    assert_eq!(office["slug"], "plock");

    // Host and path naming different offices is refused.
    let response = app
        .at("kielce", Method::GET, "/t/plock/api/v1/volunteers")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::BAD_REQUEST, "tenant_conflict".into())
    );

    // A suspended office keeps its data but its traffic is refused (after the cache expires,
    // so use a fresh gateway).
    use sea_orm::ConnectionTrait;
    app.db
        .admin()
        .await
        .execute_unprepared("UPDATE tenants SET status = 'suspended' WHERE slug = 'kielce'")
        .await
        .unwrap();
    let gateway = gateway_to(
        &app,
        format!("http://{}", app.service_addr("volunteers")),
        Duration::from_secs(3),
    )
    .await;
    let response = kielce_volunteers_via(&app, gateway).send().await.unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::FORBIDDEN, "tenant_suspended".into())
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stopped_upstream_is_a_502_and_a_slow_one_a_504() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;

    let stopped = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let gateway = gateway_to(&app, format!("http://{stopped}"), Duration::from_secs(3)).await;
    let response = kielce_volunteers_via(&app, gateway).send().await.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        problem(response).await,
        (StatusCode::BAD_GATEWAY, "upstream_unavailable".into())
    );

    #[handler]
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "{}"
    }
    let upstream = serve(Route::new().at("/*path", slow)).await;
    let gateway = gateway_to(
        &app,
        format!("http://{upstream}"),
        Duration::from_millis(300),
    )
    .await;
    let started = std::time::Instant::now();
    let response = kielce_volunteers_via(&app, gateway).send().await.unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout".into())
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the gateway waited for the upstream"
    );
    app.stop().await;
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let big = format!(
        r#"{{"first_name":"{}","last_name":"Nowak","email":"big@example.pl","birth_date":"1990-01-01"}}"#,
        "A".repeat(70_000)
    );

    let response = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );

    // Without Content-Length (chunked), the cap still holds while streaming.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(8192)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let response = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );

    for bad in [
        r#"{"first_name": "Ala", "#,
        "nie json",
        r#"{"first_name": 5}"#,
    ] {
        let response = app
            .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
            .await
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response).await,
            (StatusCode::BAD_REQUEST, "malformed_request".into()),
            "{bad}"
        );
    }
    let response = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .header("content-type", "text/plain")
        .body("imię=Ala")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    assert_eq!(app.volunteer_count("kielce").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn health_openapi_and_docs_are_served() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    for (name, addr) in app
        .services
        .iter()
        .map(|(n, a)| (n.as_str(), *a))
        .chain([("gateway", app.gateway)])
    {
        for path in ["/healthz", "/readyz"] {
            let response = app
                .client
                .get(format!("http://{addr}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{name}{path}");
        }
    }
    let spec: Value = app
        .raw(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["info"]["title"], "Łącznik API");
    for path in [
        "/api/v1/volunteers",
        "/api/v1/volunteers/{id}",
        "/api/v1/identity/office",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} missing from the merged document"
        );
    }
    assert!(spec["components"]["schemas"].get("Problem").is_some());
    // Signing in is documented, and the protected operations say they need the bearer token.
    assert_eq!(
        spec["components"]["securitySchemes"]["Bearer"]["scheme"],
        "bearer"
    );
    assert!(spec["paths"].get("/api/v1/identity/auth/login").is_some());
    for (path, method) in [
        ("/api/v1/volunteers", "get"),
        ("/api/v1/identity/me", "get"),
    ] {
        assert_eq!(
            spec["paths"][path][method]["security"],
            serde_json::json!([{ "Bearer": [] }]),
            "{method} {path}"
        );
    }
    assert!(
        spec["paths"]
            .as_object()
            .unwrap()
            .keys()
            .all(|p| !p.starts_with("/internal"))
    );

    let prefixed: Value = app
        .raw(Method::GET, "/t/kielce/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prefixed["servers"][0]["url"], "/t/kielce");

    let docs = app.raw(Method::GET, "/api/docs").send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(html.contains("SwaggerUIBundle"));
    assert!(
        html.contains("/api/v1/volunteers/{id}"),
        "the merged document is embedded"
    );
    assert!(html.contains("<title>Łącznik — API</title>"));
    app.stop().await;
}

#[tokio::test]
async fn services_never_describe_two_different_schemas_under_one_name() {
    // The merged document keeps one schema per name: two services using one name for two
    // shapes would silently describe one of them wrongly.
    let app = TestApp::spawn().await;
    let mut seen: std::collections::BTreeMap<String, (String, serde_json::Value)> =
        std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    for (service, addr) in &app.services {
        let spec: serde_json::Value = app
            .client
            .get(format!("http://{addr}/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
            match seen.get(name) {
                Some((other, first)) if first != schema => {
                    clashes.push(format!("{name}: {other} and {service}"));
                }
                Some(_) => {}
                None => {
                    seen.insert(name.clone(), (service.clone(), schema.clone()));
                }
            }
        }
    }
    assert!(app.services.contains_key("needs"));
    assert!(
        clashes.is_empty(),
        "schemas described differently: {clashes:?}"
    );
}
