//! A volunteer's data-protection rights through the gateway on PostgreSQL: the export holds
//! every row of every table about them; erasure leaves no personal field behind anywhere and
//! the office's totals unchanged; the retention rule erases those who ended long ago.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use chrono::{Duration, Utc};
use lacznik_testkit::{TestApp, link_secret};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const FIRST: &str = "Bożydar";
const LAST: &str = "Przybyszewski-Ćwik";
const EMAIL: &str = "bozydar.pc@example.pl";
const PHONE: &str = "+48 601 234 999";
const GUARDIAN: &str = "Jadwiga Przybyszewska";
const GUARDIAN_EMAIL: &str = "jadwiga.p@example.pl";
const NOTE: &str = "Boi się psów";
const TITLE: &str = "Zakupy dla pani Genowefy";

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    let request = app.as_coordinator("kielce", method, path).await;
    let response = match body {
        Some(body) => request.json(&body),
        None => request,
    }
    .send()
    .await
    .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The secret of the newest `template` email's link.
fn secret(outbox: &[(String, Value)], template: &str) -> String {
    let (_, email) = outbox
        .iter()
        .rev()
        .find(|(_, p)| p["template"] == template)
        .unwrap();
    link_secret(email)
}

/// A minor signed up in public, with a guardian's consent, a check, an absence, an assignment
/// done, reported hours, an agreement, a policy and a certificate: a row in every table.
async fn volunteer_with_everything(app: &TestApp) -> String {
    let year = chrono::Datelike::year(&Utc::now()) - 16;
    let accepted = app
        .at("kielce", Method::POST, "/api/v1/volunteers/applications")
        .json(&json!({
            "first_name": FIRST, "last_name": LAST, "email": EMAIL, "phone": PHONE,
            "birth_date": format!("{year}-05-17"), "kinds": ["senior_company"],
            "data_processing_consent": true, "motivation": "Lubię pomagać",
            "guardian": {"name": GUARDIAN, "email": GUARDIAN_EMAIL}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox(Some("kielce")).await;
    let confirmed: Value = app
        .at(
            "kielce",
            Method::POST,
            "/api/v1/volunteers/applications/confirmation",
        )
        .json(&json!({"token": secret(&outbox, "signup_confirmation")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = confirmed["volunteer_id"].as_str().unwrap().to_owned();
    let outbox = app.outbox(Some("kielce")).await;
    let consent = app
        .at(
            "kielce",
            Method::POST,
            "/api/v1/volunteers/guardian-consents",
        )
        .json(&json!({"token": secret(&outbox, "guardian_consent")}))
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), StatusCode::OK);
    let v = |rest: &str| format!("/api/v1/volunteers/{id}{rest}");
    call(
        app,
        Method::PATCH,
        &v(""),
        Some(json!({"coordinator_notes": NOTE})),
    )
    .await;
    call(
        app,
        Method::POST,
        &v("/status"),
        Some(json!({"status": "active", "reason": format!("rozmowa z {FIRST}")})),
    )
    .await;
    let today = Utc::now().date_naive();
    call(
        app,
        Method::POST,
        &v("/checks"),
        Some(json!({"kind": "criminal_record", "checked_on": today})),
    )
    .await;
    call(app, Method::POST, &v("/absences"), Some(json!({"starts_on": today + Duration::days(40), "ends_on": today + Duration::days(45), "reason": "obóz harcerski"}))).await;
    let start = Utc::now() - Duration::days(2);
    let booked = call(
        app,
        Method::POST,
        &v("/assignments"),
        Some(json!({
            "title": TITLE, "kind": "senior_company", "starts_at": start,
            "ends_at": start + Duration::hours(2), "beneficiary_id": uuid::Uuid::new_v4()
        })),
    )
    .await;
    call(
        app,
        Method::POST,
        &v(&format!(
            "/assignments/{}/completion",
            booked["id"].as_str().unwrap()
        )),
        Some(json!({})),
    )
    .await;
    call(
        app,
        Method::POST,
        &v("/hours"),
        Some(json!({"worked_on": today, "minutes": 45, "description": format!("pomoc {FIRST}")})),
    )
    .await;
    call(
        app,
        Method::POST,
        &v("/agreements"),
        Some(json!({"starts_on": today})),
    )
    .await;
    call(app, Method::POST, &v("/insurance"), Some(json!({"insurer": "PZU SA", "policy_number": "NNW-1", "valid_from": today, "valid_until": today + Duration::days(30)}))).await;
    call(app, Method::POST, &v("/certificates"), Some(json!({"period_from": today - Duration::days(10), "period_to": today, "opinion": format!("{FIRST} jest sumienny."), "signatory": "Anna Nowak"}))).await;
    id
}

/// Identity's tables that link an account to a volunteer profile: the account is the identity
/// service's to export and erase (it hears `volunteers.volunteer.anonymised`).
const IDENTITY_TABLES: [&str; 2] = ["invitations", "memberships"];

/// The needs service's tables that name a volunteer: its own export covers them
/// (`GET /api/v1/needs/volunteers/{id}/export`).
const NEEDS_TABLES: [&str; 3] = ["need_assignments", "offers", "shift_signups"];

/// Every table of the volunteers service that holds rows about a volunteer: `volunteers` and
/// each with a `volunteer_id` — found in the catalogue, so a new table cannot be forgotten.
async fn volunteer_tables(app: &TestApp) -> Vec<String> {
    let admin = app.db.admin().await;
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT table_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND column_name = 'volunteer_id' ORDER BY table_name",
        ))
        .await
        .unwrap();
    let mut tables: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "table_name").unwrap())
        .filter(|t| !IDENTITY_TABLES.contains(&t.as_str()) && !NEEDS_TABLES.contains(&t.as_str()))
        .collect();
    tables.push("volunteers".into());
    tables
}

/// The rows of `table` about the volunteer, as text, read by the owner (no RLS in the way).
async fn rows_as_text(app: &TestApp, table: &str, id: &str) -> Vec<String> {
    let column = if table == "volunteers" {
        "id"
    } else {
        "volunteer_id"
    };
    let admin = app.db.admin().await;
    admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT t::text AS row FROM {table} t WHERE {column} = '{id}'"),
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "row").unwrap())
        .collect()
}

#[tokio::test]
async fn the_export_holds_every_row_of_every_table_about_the_volunteer() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let id = volunteer_with_everything(&app).await;
    let export = call(
        &app,
        Method::GET,
        &format!("/api/v1/volunteers/{id}/export"),
        None,
    )
    .await;
    let tables = volunteer_tables(&app).await;
    assert!(tables.len() >= 12, "{tables:?}");
    for table in &tables {
        let stored = rows_as_text(&app, table, &id).await;
        assert!(!stored.is_empty(), "the test should put a row in {table}");
        let exported = export[table.as_str()]
            .as_array()
            .unwrap_or_else(|| panic!("{table} missing from the export"));
        assert_eq!(exported.len(), stored.len(), "{table}");
    }
    assert_eq!(export["volunteers"][0]["last_name"], LAST);
    assert_eq!(export["volunteer_consents"][1]["given_by"], GUARDIAN);
    app.stop().await;
}

#[tokio::test]
async fn erasure_leaves_no_personal_field_and_the_totals_intact() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let id = volunteer_with_everything(&app).await;
    let hours_path = format!("/api/v1/volunteers/{id}/hours");
    let before = call(&app, Method::GET, &hours_path, None).await;
    assert_eq!(before["approved_minutes"], 165);

    let erased = call(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{id}/anonymisation"),
        Some(json!({"reason": "wniosek z 20.11.2026 (art. 17 RODO)"})),
    )
    .await;
    assert_eq!(erased["anonymised"], true);
    assert_eq!(erased["status"], "ended");

    let after = call(&app, Method::GET, &hours_path, None).await;
    assert_eq!(after["approved_minutes"], before["approved_minutes"]);
    assert_eq!(after["entries"].as_array().unwrap().len(), 2);
    let personal = [
        FIRST,
        LAST,
        EMAIL,
        "601 234 999",
        GUARDIAN,
        GUARDIAN_EMAIL,
        NOTE,
        TITLE,
        "Lubię pomagać",
        "obóz harcerski",
        "NNW-1",
    ];
    for table in volunteer_tables(&app).await {
        for row in rows_as_text(&app, &table, &id).await {
            for value in personal {
                assert!(!row.contains(value), "{value:?} left in {table}: {row}");
            }
        }
    }
    let export = call(
        &app,
        Method::GET,
        &format!("/api/v1/volunteers/{id}/export"),
        None,
    )
    .await;
    let text = export.to_string();
    for value in personal {
        assert!(!text.contains(value), "{value:?} left in the export");
    }
    let birth = export["volunteers"][0]["birth_date"].as_str().unwrap();
    assert!(birth.ends_with("-07-01"), "only the year is kept: {birth}");
    app.stop().await;
}

#[tokio::test]
async fn the_retention_rule_erases_those_who_ended_long_enough_ago() {
    let app = TestApp::spawn_configured(
        json!({"volunteers": {"retention_days_after_end": 0, "retention_interval_secs": 0}}),
    )
    .await;
    let office = app.create_tenant("kielce").await;
    let ended = app.create_volunteer("kielce", "ended@example.pl").await;
    let active = app.create_volunteer("kielce", "active@example.pl").await;
    let ended_id = ended["id"].as_str().unwrap();
    call(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{ended_id}/status"),
        Some(json!({"status": "ended"})),
    )
    .await;
    // The end is dated today; with zero days of retention it is due tomorrow.
    let admin = app.db.admin().await;
    admin
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("UPDATE volunteers SET ended_on = ended_on - 1 WHERE id = '{ended_id}'"),
        ))
        .await
        .unwrap();

    let db = app.db.app().await;
    let settings = lacznik_volunteers::settings::VolunteerSettings::from_config(
        &app.db
            .config_with(json!({"volunteers": {"retention_days_after_end": 0}})),
    );
    let erased = lacznik_volunteers::retention::apply_in_office(
        &db.tenant_db(),
        lacznik_testkit::tenant_id(&office),
        &settings,
    )
    .await
    .unwrap();
    assert_eq!(erased, 1);
    let gone = call(
        &app,
        Method::GET,
        &format!("/api/v1/volunteers/{ended_id}"),
        None,
    )
    .await;
    assert_eq!(gone["anonymised"], true);
    assert_ne!(gone["email"], "ended@example.pl");
    let kept = call(
        &app,
        Method::GET,
        &format!("/api/v1/volunteers/{}", active["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(kept["anonymised"], false);
    let again = lacznik_volunteers::retention::apply_in_office(
        &db.tenant_db(),
        lacznik_testkit::tenant_id(&office),
        &settings,
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
    app.stop().await;
}
