//! A database that is busy answers 503 with Retry-After (retry and it works), not 500.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_http::Problem;
use lacznik_testkit::{TestApp, tenant_id};
use poem::IntoResponse;
use reqwest::Method;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

#[tokio::test]
async fn lock_contention_becomes_a_retryable_503() {
    let app = TestApp::spawn().await;
    let kielce = app.create_tenant("kielce").await;
    let created: serde_json::Value = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({"first_name": "Ola", "last_name": "Nowak", "email": "ola@example.pl", "birth_date": "1990-01-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();

    let db = app.db.app().await.tenant_db();
    let holder = db.begin(tenant_id(&kielce)).await.unwrap();
    holder
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM volunteers WHERE id = $1 FOR UPDATE",
            [id.into()],
        ))
        .await
        .unwrap();

    let waiter = db.begin(tenant_id(&kielce)).await.unwrap();
    let error = waiter
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM volunteers WHERE id = $1 FOR UPDATE NOWAIT",
            [id.into()],
        ))
        .await
        .unwrap_err();
    let response = Problem::from(error).into_response();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    waiter.rollback().await.unwrap();
    holder.rollback().await.unwrap();
    app.stop().await;
}
