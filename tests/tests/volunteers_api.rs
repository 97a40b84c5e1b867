//! The volunteers API through the gateway on PostgreSQL: what a coordinator's client sees.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::collections::HashSet;

use lacznik_testkit::{TestApp, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn body(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

#[tokio::test]
async fn create_read_update_delete() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let response = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({
            "first_name": "  Łucja ", "last_name": "Żółkiewska", "email": "Lucja.Z@Poczta.Example.PL",
            "phone": "0048 601-234-567", "birth_date": "2009-01-15"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = body(response).await;
    assert_eq!(created["first_name"], "Łucja");
    assert_eq!(created["last_name"], "Żółkiewska");
    assert_eq!(created["email"], "Lucja.Z@poczta.example.pl");
    assert_eq!(created["phone"], "+48 601 234 567");
    assert!(created["age"].as_u64().unwrap() >= 17);
    assert_eq!(
        location,
        format!("/api/v1/volunteers/{}", created["id"].as_str().unwrap())
    );

    let fetched = body(
        app.as_coordinator("kielce", Method::GET, &location)
            .await
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(fetched, created);

    let updated = app
        .as_coordinator("kielce", Method::PATCH, &location)
        .await
        .json(&json!({"last_name": "Nowak", "phone": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    let updated = body(updated).await;
    assert_eq!(updated["last_name"], "Nowak");
    assert_eq!(updated["first_name"], "Łucja");
    assert!(updated["phone"].is_null());
    let fetched = body(
        app.as_coordinator("kielce", Method::GET, &location)
            .await
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(fetched["last_name"], "Nowak");

    let deleted = app
        .as_coordinator("kielce", Method::DELETE, &location)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = app
        .as_coordinator("kielce", Method::GET, &location)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn pages_cover_every_volunteer_exactly_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("plock").await;
    let mut ids = HashSet::new();
    for i in 0..45 {
        let created = app
            .as_coordinator("plock", Method::POST, "/api/v1/volunteers")
        .await
            .json(&json!({"first_name": "Jan", "last_name": format!("Kowalski {i}"), "email": format!("jan{i}@example.pl"), "birth_date": "1999-09-09"}))
            .send()
            .await
            .unwrap();
        ids.insert(body(created).await["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/volunteers?limit=20&cursor={c}"),
            None => "/api/v1/volunteers?limit=20".to_owned(),
        };
        let page = body(
            app.as_coordinator("plock", Method::GET, &path)
                .await
                .send()
                .await
                .unwrap(),
        )
        .await;
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 45);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), ids);
    // Registration order.
    assert!(seen[0] < seen[44]);

    for bad in ["?cursor=nie-kursor", "?limit=0", "?limit=101"] {
        let response = app
            .as_coordinator("plock", Method::GET, &format!("/api/v1/volunteers{bad}"))
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    app.stop().await;
}

#[tokio::test]
async fn invalid_input_is_a_422_listing_every_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let response = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({"first_name": "", "last_name": "Nowak", "email": "nie-email", "phone": "123", "birth_date": "2031-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem = body(response).await;
    assert_eq!(problem["code"], "validation_failed");
    let fields: HashSet<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        HashSet::from(["first_name", "email", "phone", "birth_date"])
    );

    let child = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({"first_name": "Staś", "last_name": "Nowak", "email": "stas@example.pl", "birth_date": "2018-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(child.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let missing = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({"first_name": "Ala"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body(missing).await["code"], "malformed_request");

    let bad_id = app
        .as_coordinator("kielce", Method::GET, "/api/v1/volunteers/123")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body(bad_id).await["code"], "invalid_id");

    let page = body(
        app.as_coordinator("kielce", Method::GET, "/api/v1/volunteers")
            .await
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page["items"].as_array().unwrap().is_empty(),
        "nothing may be written"
    );

    // A failed update leaves the record as it was.
    let created = body(
        app.as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
            .json(&json!({"first_name": "Ala", "last_name": "Nowak", "email": "ala@example.pl", "birth_date": "1990-01-01"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let path = format!("/api/v1/volunteers/{}", created["id"].as_str().unwrap());
    let response = app
        .as_coordinator("kielce", Method::PATCH, &path)
        .await
        .json(&json!({"last_name": "Kowalska", "email": "zly"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let after = body(
        app.as_coordinator("kielce", Method::GET, &path)
            .await
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(after["last_name"], "Nowak");
    app.stop().await;
}

#[tokio::test]
async fn a_volunteer_moves_through_the_lifecycle_and_every_step_is_in_the_history() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let zofia = app.create_volunteer("kielce", "zofia@example.pl").await;
    assert_eq!(zofia["status"], "active");
    let id = zofia["id"].as_str().unwrap();
    let app = &app;
    let change = |status: &'static str, reason: &'static str| {
        let path = format!("/api/v1/volunteers/{id}/status");
        async move {
            app.as_coordinator("kielce", Method::POST, &path)
                .await
                .json(&json!({ "status": status, "reason": reason }))
                .send()
                .await
                .unwrap()
        }
    };

    let paused = body(change("paused", "sesja egzaminacyjna").await).await;
    assert_eq!(paused["status"], "paused");
    // Paused volunteers are listed apart from active ones.
    let listed = app
        .get_json("kielce", "/api/v1/volunteers?status=paused")
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let listed = app
        .get_json("kielce", "/api/v1/volunteers?status=active")
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);

    assert_eq!(
        body(change("active", "wróciła").await).await["status"],
        "active"
    );
    assert_eq!(
        body(change("ended", "przeprowadzka").await).await["status"],
        "ended"
    );
    // Ended is final; an unknown status is malformed; neither writes anything.
    let response = change("active", "pomyłka").await;
    let (status, code) = problem(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "invalid_status_change")
    );
    let response = change("retired", "?").await;
    assert_eq!(problem(response).await.0, StatusCode::BAD_REQUEST);

    let history = app
        .get_json("kielce", &format!("/api/v1/volunteers/{id}/history"))
        .await;
    let steps: Vec<(Value, &str, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["from"].clone(),
                c["to"].as_str().unwrap(),
                c["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (Value::Null, "active", Value::Null),
            (json!("active"), "paused", json!("sesja egzaminacyjna")),
            (json!("paused"), "active", json!("wróciła")),
            (json!("active"), "ended", json!("przeprowadzka")),
        ]
    );
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["changed_by"].is_string()),
        "every change names the coordinator"
    );

    // Another office cannot see or change it.
    app.create_tenant("plock").await;
    let response = app
        .as_coordinator(
            "plock",
            Method::GET,
            &format!("/api/v1/volunteers/{id}/history"),
        )
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn clearance_for_work_with_children_needs_both_checks_valid_today() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let ola = app.create_volunteer("kielce", "ola@example.pl").await;
    let id = ola["id"].as_str().unwrap();
    let path = format!("/api/v1/volunteers/{id}/checks");
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let record = |check: Value| {
        let path = path.clone();
        let app = &app;
        async move {
            app.as_coordinator("kielce", Method::POST, &path)
                .await
                .json(&check)
                .send()
                .await
                .unwrap()
        }
    };

    let none = app.get_json("kielce", &path).await;
    assert_eq!(none["cleared_for_children"], false);

    let response = record(json!({ "kind": "criminal_record", "checked_on": day(-10) })).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let one = body(response).await;
    assert_eq!(
        one["cleared_for_children"], false,
        "the register check is missing"
    );
    // Valid a year by default.
    let krk = &one["checks"][0];
    assert_eq!(
        krk["valid_until"],
        (chrono::NaiveDate::parse_from_str(&day(-10), "%Y-%m-%d").unwrap()
            + chrono::Months::new(12))
        .to_string()
    );

    let both = body(
        record(json!({ "kind": "sex_offender_register", "checked_on": day(-5), "valid_until": day(30) }))
            .await,
    )
    .await;
    assert_eq!(both["cleared_for_children"], true);
    assert_eq!(both["checks"].as_array().unwrap().len(), 2);

    // Bad input is refused and writes nothing.
    let response = record(json!({ "kind": "criminal_record", "checked_on": day(3) })).await;
    let refused = body(response).await;
    assert_eq!(refused["code"], "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "checked_on");
    let response =
        record(json!({ "kind": "criminal_record", "checked_on": day(-1), "valid_until": day(-2) }))
            .await;
    assert_eq!(body(response).await["errors"][0]["field"], "valid_until");
    let response = record(json!({ "kind": "horoscope", "checked_on": day(-1) })).await;
    assert_eq!(problem(response).await.0, StatusCode::BAD_REQUEST);
    let after = app.get_json("kielce", &path).await;
    assert_eq!(after["checks"].as_array().unwrap().len(), 2);

    // The volunteer sees their own clearance but cannot record one.
    app.create_user(
        Some("kielce"),
        "ola@example.pl",
        lacznik_auth::Role::Volunteer,
        Some(id.parse().unwrap()),
        None,
    )
    .await;
    let own = app.login(Some("kielce"), "ola@example.pl").await;
    let token = own["access_token"].as_str().unwrap();
    let seen = app
        .at("kielce", Method::GET, &path)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(body(seen).await["cleared_for_children"], true);
    let response = app
        .at("kielce", Method::POST, &path)
        .bearer_auth(token)
        .json(&json!({ "kind": "criminal_record", "checked_on": day(-1) }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1, "forbidden");
}
