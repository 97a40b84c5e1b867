//! One office never sees another's volunteers through the API — by host or by path prefix,
//! for list, get, update and delete — on PostgreSQL as `lacznik_app`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_testkit::{TestApp, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn another_office_cannot_list_read_change_or_delete_a_volunteer() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    let zofia = app.create_volunteer("kielce", "zofia@example.pl").await;
    let id = zofia["id"].as_str().unwrap();
    let path = format!("/api/v1/volunteers/{id}");

    // Płock lists nothing of Kielce.
    let list: Value = app.get_json("plock", "/api/v1/volunteers").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Every way Płock could name Kielce's volunteer, by host and by path prefix.
    let prefixed = format!("/t/plock{path}");
    let plock_token = app.coordinator_token("plock").await;
    let kielce_token = app.coordinator_token("kielce").await;
    let cases = [
        app.as_coordinator("plock", Method::GET, &path).await,
        app.as_coordinator("plock", Method::DELETE, &path).await,
        app.as_coordinator("plock", Method::PATCH, &path)
            .await
            .json(&json!({"first_name": "Przejęta"})),
        app.raw(Method::GET, &prefixed).bearer_auth(&plock_token),
        app.raw(Method::DELETE, &prefixed).bearer_auth(&plock_token),
        app.raw(Method::PATCH, &prefixed)
            .bearer_auth(&plock_token)
            .json(&json!({"first_name": "Przejęta"})),
    ];
    for request in cases {
        assert_eq!(
            problem(request.send().await.unwrap()).await,
            (StatusCode::NOT_FOUND, "not_found".into())
        );
    }
    let listed: Value = app
        .raw(Method::GET, "/t/plock/api/v1/volunteers")
        .bearer_auth(&plock_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed["items"].as_array().unwrap().is_empty());

    // Kielce still has her, unchanged, by host and by prefix.
    let own: Value = app.get_json("kielce", &path).await;
    assert_eq!(own["first_name"], "Zofia");
    let by_prefix = app
        .raw(Method::GET, &format!("/t/kielce{path}"))
        .bearer_auth(&kielce_token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_prefix.status(), StatusCode::OK);
    let listed: Value = app.get_json("kielce", "/api/v1/volunteers").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_same_email_may_exist_in_two_offices() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    app.create_volunteer("kielce", "jan@example.pl").await;
    app.create_volunteer("plock", "jan@example.pl").await;
    let again = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({"first_name": "Jan", "last_name": "Nowak", "email": "jan@example.pl", "birth_date": "1990-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(again).await,
        (StatusCode::CONFLICT, "email_taken".into())
    );
    app.stop().await;
}
