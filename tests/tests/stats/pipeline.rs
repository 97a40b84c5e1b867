//! The whole way: real API actions in an office (volunteers registered, needs opened, offered
//! by email and accepted through the email's link) write events to the outbox; the relay moves
//! them to Redis, the `stats` consumer group applies them, and the office's dashboard shows
//! them — waited for with a deadline, not a sleep.

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use lacznik_testkit::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{figure, office_get};

async fn send(app: &TestApp, method: Method, path: &str, body: Value) -> Value {
    let response = app
        .as_coordinator("kielce", method, path)
        .await
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// A day at least two days ahead, `hour`:00 Polish time, for an hour (RFC 3339).
fn slot(hour: u32) -> (String, String) {
    let day = Utc::now().date_naive() + chrono::Duration::days(3);
    let offset = if (4..=9).contains(&day.month()) { 2 } else { 1 };
    (
        format!("{day}T{hour:02}:00:00+0{offset}:00"),
        format!("{day}T{:02}:00:00+0{offset}:00", hour + 1),
    )
}

#[tokio::test]
async fn api_actions_reach_the_dashboard_through_the_event_pipeline() {
    let app = TestApp::spawn_configured(json!({"queue": {"in_process": true}})).await;
    app.create_tenant("kielce").await;
    send(
        &app,
        Method::PUT,
        "/api/v1/volunteers/catalogue/districts",
        json!([{"code": "centrum", "name": "Centrum", "neighbours": []}]),
    )
    .await;
    let availability: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "06:00", "end": "22:00"}))
        .collect();
    let beneficiary = send(
        &app,
        Method::POST,
        "/api/v1/needs/beneficiaries",
        json!({"first_name": "Helena", "last_name": "Krawczyk", "phone": "601 234 567",
               "street_address": "ul. Sienkiewicza 12/4", "district": "centrum"}),
    )
    .await["id"]
        .clone();

    for i in 0..5u32 {
        let email = format!("wolontariusz{i}@example.pl");
        let volunteer = send(
            &app,
            Method::POST,
            "/api/v1/volunteers",
            json!({"first_name": "Anna", "last_name": "Nowak", "email": email,
                   "birth_date": "1990-05-05", "kinds": ["senior_company"],
                   "districts": ["centrum"], "availability": availability}),
        )
        .await;
        let (starts_at, ends_at) = slot(8 + i);
        let need = send(
            &app,
            Method::POST,
            "/api/v1/needs",
            json!({"kind": "senior_company", "title": "Spacer", "description": "Spacer do parku.",
                   "beneficiary_id": beneficiary, "district": "centrum",
                   "when": {"starts_at": starts_at, "ends_at": ends_at}}),
        )
        .await;
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{}/offers", need["id"].as_str().unwrap()),
            json!({"volunteer_ids": [volunteer["id"]]}),
        )
        .await;
        let accepted = app
            .at(
                "kielce",
                Method::POST,
                "/api/v1/needs/offer-links/acceptance",
            )
            .json(&json!({"token": app.link_sent("kielce", "offer", &email).await}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            accepted.status(),
            StatusCode::OK,
            "{}",
            accepted.text().await.unwrap()
        );
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    let board = loop {
        let board: Value = office_get(&app, "kielce", "/api/v1/stats/dashboard")
            .await
            .json()
            .await
            .unwrap();
        let now = |code: &str| figure(&board["figures"], code)["current"].clone();
        if now("new_volunteers") == 5
            && now("needs_opened") == 5
            && now("offers_accepted") == 5
            && now("needs_assigned") == 5
        {
            break board;
        }
        assert!(
            Instant::now() < deadline,
            "the dashboard did not catch up within a minute: {board}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let wait = figure(&board["figures"], "wait_median_hours")["current"].clone();
    assert!(wait.as_f64().is_some_and(|h| h >= 0.0), "{wait}");
    let senior = board["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "senior_company")
        .unwrap();
    assert_eq!(figure(&senior["figures"], "needs_opened")["current"], 5);
    assert_eq!(senior["name"], "towarzyszenie osobom starszym");
    app.stop().await;
}
