//! Bad input gets a 4xx problem document, never a 5xx: unknown periods, starts that are not a
//! period's first day, malformed dates, unknown figures and kinds, out-of-range months.

use lacznik_testkit::problem;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{office_get, offices, platform_get, regional_admin};

#[tokio::test]
async fn bad_input_is_a_client_error_with_a_problem_document() {
    let o = offices().await;
    let app = &o.app;
    for query in [
        "period=week",
        "period=month&start=2026-01-15",
        "period=quarter&start=2026-02-01",
        "period=year&start=2026-07-01",
        "start=2026-13-01",
        "start=01.01.2026",
        "start=",
        "start=1800-01-01",
        "kind=gotowanie",
        "format=xml",
    ] {
        let (status, code) =
            problem(office_get(app, "kielce", &format!("/api/v1/stats/dashboard?{query}")).await)
                .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            "{query}"
        );
    }

    let token = regional_admin(app, None).await;
    for (path, expected) in [
        (
            "/api/v1/stats/offices/kielce/trend?figure=happiness",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/stats/offices/kielce/trend",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/stats/offices/kielce/trend?figure=parcels&months=0",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/stats/offices/kielce/trend?figure=parcels&months=500",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/stats/offices/kielce/trend?figure=parcels&months=abc",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/stats/offices/kielce/trend?figure=parcels&end=2026-02-30",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/stats/regions/26/comparison?period=decade",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/stats/regions/26/comparison?sort=nothing",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/v1/stats/regions/99/comparison", StatusCode::NOT_FOUND),
        (
            "/api/v1/stats/regions/mazowieckie/comparison",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, _) = problem(platform_get(app, &token, path).await).await;
        assert_eq!(status, expected, "{path}");
    }

    let post = |body: serde_json::Value| {
        app.raw(Method::POST, "/api/v1/stats/comparison")
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    for body in [
        json!({"offices": []}),
        json!({"offices": "kielce"}),
        json!({"offices": ["kielce"], "period": "month", "start": "2026-01-02"}),
        json!({"nothing": true}),
    ] {
        let (status, _) = problem(post(body.clone()).await.unwrap()).await;
        assert!(status.is_client_error(), "{body}: {status}");
    }
    let garbage = app
        .raw(Method::POST, "/api/v1/stats/comparison")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"offices\": [")
        .send()
        .await
        .unwrap();
    let (status, _) = problem(garbage).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // No token, or a broken one: 401.
    let (status, _) = problem(
        app.raw(Method::GET, "/api/v1/stats/regions/26/comparison")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
