//! The rules of a volunteer's engagement through the gateway on PostgreSQL (as `lacznik_app`):
//! profiles checked against the catalogues, bookings refused with the rule that stops them
//! (consent, checks, double booking, the 30-day agreement), agreements as printable PDFs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use lacznik_testkit::{TestApp, fields, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A request as Kielce's coordinator.
async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
    app.send("kielce", method, path, body).await
}

async fn kielce_with_districts() -> TestApp {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let districts = json!([
        {"code": "centrum", "name": "Centrum", "neighbours": ["bocianek"]},
        {"code": "bocianek", "name": "Bocianek", "neighbours": ["ksm"]},
        {"code": "ksm", "name": "KSM", "neighbours": []}
    ]);
    let catalogue = ok_json(
        send(
            &app,
            Method::PUT,
            "/api/v1/volunteers/catalogue/districts",
            Some(districts),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Neighbourhood is mutual.
    let ksm = catalogue["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ksm")
        .unwrap()
        .clone();
    assert_eq!(ksm["neighbours"], json!(["bocianek"]));
    app
}

async fn volunteer(app: &TestApp, email: &str, birth_date: &str) -> String {
    let created = ok_json(
        send(
            app,
            Method::POST,
            "/api/v1/volunteers",
            Some(json!({
                "first_name": "Zofia", "last_name": "Łękawska", "email": email,
                "birth_date": birth_date, "kinds": ["senior_company", "tutoring"],
                "districts": ["centrum"]
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

fn task(days_from_now: i64, child_related: bool) -> Value {
    let start = (Utc::now() + Duration::days(days_from_now))
        .date_naive()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    json!({
        "title": "Odwiedziny u pani Heleny", "kind": "senior_company",
        "starts_at": start, "ends_at": start + Duration::hours(2),
        "child_related": child_related
    })
}

#[tokio::test]
async fn a_profile_is_checked_against_the_catalogues_and_bad_input_writes_nothing() {
    let app = kielce_with_districts().await;
    let added = send(
        &app,
        Method::POST,
        "/api/v1/volunteers/catalogue/skills",
        Some(json!({"code": "obsluga_wozka", "name": "obsługa wózka inwalidzkiego"})),
    )
    .await;
    assert_eq!(added.status(), StatusCode::CREATED);

    let bad = send(
        &app,
        Method::POST,
        "/api/v1/volunteers",
        Some(json!({
            "first_name": "Jan", "last_name": "Nowak", "email": "nie-email",
            "birth_date": "2090-01-01",
            "skills": ["first_aid", "zonglerka"], "districts": ["mars"],
            "kinds": ["tutoring"], "languages": ["pl", "xx"],
            "availability": [
                {"weekday": "tue", "start": "16:00", "end": "19:00"},
                {"weekday": "tue", "start": "18:00", "end": "20:00"}
            ]
        })),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        fields(&body),
        HashSet::from(
            [
                "email",
                "birth_date",
                "skills[1]",
                "districts[0]",
                "languages[1]",
                "availability[1]"
            ]
            .map(String::from)
        )
    );
    assert_eq!(app.volunteer_count("kielce").await, 0, "nothing written");

    let created = ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/volunteers",
            Some(json!({
                "first_name": "Jan", "last_name": "Nowak", "email": "jan@example.pl",
                "birth_date": "1990-01-01", "skills": ["first_aid", "obsluga_wozka"],
                "districts": ["bocianek"], "kinds": ["shopping_household"],
                "availability": [
                    {"weekday": "sat", "start": "9:00", "end": "12:00"},
                    {"weekday": "tue", "start": "16:00", "end": "19:00"}
                ],
                "max_hours_per_week": 6
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["skills"], json!(["first_aid", "obsluga_wozka"]));
    assert_eq!(created["languages"], json!(["pl"]));
    assert_eq!(created["availability"][0]["weekday"], "tue");
    assert_eq!(created["availability"][1]["start"], "09:00");
    assert_eq!(created["max_hours_per_week"], 6);

    // Notes are the coordinators'; a bad patch changes nothing.
    let path = format!("/api/v1/volunteers/{}", created["id"].as_str().unwrap());
    let noted = ok_json(
        send(
            &app,
            Method::PATCH,
            &path,
            Some(json!({"coordinator_notes": "Woli popołudnia, boi się psów."})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(noted["coordinator_notes"], "Woli popołudnia, boi się psów.");
    let overlapping = send(
        &app,
        Method::PATCH,
        &path,
        Some(json!({"last_name": "Kowalski", "availability": [
            {"weekday": "mon", "start": "10:00", "end": "12:00"},
            {"weekday": "mon", "start": "11:59", "end": "13:00"}
        ]})),
    )
    .await;
    assert_eq!(problem(overlapping).await.1, "validation_failed");
    let after = ok_json(send(&app, Method::GET, &path, None).await, StatusCode::OK).await;
    assert_eq!(after["last_name"], "Nowak");
    assert_eq!(after["availability"], created["availability"]);
    app.stop().await;
}

#[tokio::test]
async fn bookings_are_refused_with_the_rule_that_stops_them() {
    let app = kielce_with_districts().await;
    let adult = volunteer(&app, "zofia@example.pl", "1985-06-01").await;
    let minor = volunteer(
        &app,
        "ola@example.pl",
        &format!("{}-01-01", chrono::Datelike::year(&Utc::now()) - 16),
    )
    .await;
    let book = |id: &str| format!("/api/v1/volunteers/{id}/assignments");

    // A minor without a guardian's consent is not booked, nor for adults-only tasks.
    let refused = send(&app, Method::POST, &book(&minor), Some(task(2, false))).await;
    assert_eq!(
        problem(refused).await,
        (StatusCode::CONFLICT, "guardian_consent_missing".into())
    );
    let mut adults_only = task(2, false);
    adults_only["adults_only"] = json!(true);
    let refused = send(&app, Method::POST, &book(&minor), Some(adults_only)).await;
    assert_eq!(problem(refused).await.1, "adults_only");

    // Work with children needs both checks.
    let refused = send(&app, Method::POST, &book(&adult), Some(task(2, true))).await;
    assert_eq!(problem(refused).await.1, "child_check_missing");
    for kind in ["criminal_record", "sex_offender_register"] {
        let recorded = send(
            &app,
            Method::POST,
            &format!("/api/v1/volunteers/{adult}/checks"),
            Some(json!({"kind": kind, "checked_on": Utc::now().date_naive()})),
        )
        .await;
        assert_eq!(recorded.status(), StatusCode::CREATED);
    }
    let first = ok_json(
        send(&app, Method::POST, &book(&adult), Some(task(2, true))).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["status"], "booked");

    // Never twice at the same time.
    let mut overlapping = task(2, false);
    overlapping["starts_at"] = json!(
        chrono::DateTime::parse_from_rfc3339(first["starts_at"].as_str().unwrap()).unwrap()
            + Duration::hours(1)
    );
    overlapping["ends_at"] = json!(
        chrono::DateTime::parse_from_rfc3339(first["ends_at"].as_str().unwrap()).unwrap()
            + Duration::hours(1)
    );
    let refused = send(&app, Method::POST, &book(&adult), Some(overlapping)).await;
    assert_eq!(problem(refused).await.1, "double_booked");

    // Day 30 of the engagement is fine; day 31 needs a signed agreement.
    let day_30 = send(&app, Method::POST, &book(&adult), Some(task(31, false))).await;
    assert_eq!(day_30.status(), StatusCode::CREATED);
    let day_31 = send(&app, Method::POST, &book(&adult), Some(task(32, false))).await;
    let body: Value = day_31.json().await.unwrap();
    assert_eq!(body["status"], 409);
    assert_eq!(body["code"], "agreement_required");
    assert!(
        body["detail"].as_str().unwrap().contains("31. dniu"),
        "{body}"
    );

    // The 30-day report names her.
    let due = ok_json(
        send(&app, Method::GET, "/api/v1/volunteers/agreements/due", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(due[0]["volunteer_id"], adult.as_str());
    assert_eq!(due[0]["state"], "approaching");

    let drawn = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/volunteers/{adult}/agreements"),
            Some(json!({"starts_on": Utc::now().date_naive()})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let still = send(&app, Method::POST, &book(&adult), Some(task(32, false))).await;
    assert_eq!(problem(still).await.1, "agreement_required", "unsigned");
    let signed = send(
        &app,
        Method::POST,
        &format!(
            "/api/v1/volunteers/{adult}/agreements/{}/dates",
            drawn["id"].as_str().unwrap()
        ),
        Some(json!({"signed_on": Utc::now().date_naive()})),
    )
    .await;
    assert_eq!(signed.status(), StatusCode::OK);
    let day_31 = send(&app, Method::POST, &book(&adult), Some(task(32, false))).await;
    assert_eq!(day_31.status(), StatusCode::CREATED);
    let due = ok_json(
        send(&app, Method::GET, "/api/v1/volunteers/agreements/due", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(due, json!([]));

    // Not on days she said she is away.
    let away = (Utc::now() + Duration::days(5)).date_naive();
    let absence = send(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{adult}/absences"),
        Some(json!({"starts_on": away, "ends_on": away, "reason": "egzamin"})),
    )
    .await;
    assert_eq!(absence.status(), StatusCode::CREATED);
    let refused = send(&app, Method::POST, &book(&adult), Some(task(5, false))).await;
    assert_eq!(problem(refused).await.1, "volunteer_absent");

    // Bad input is a 422 and books nothing.
    let mut backwards = task(40, false);
    backwards["ends_at"] = json!(Utc::now());
    backwards["kind"] = json!("juggling");
    let refused = send(&app, Method::POST, &book(&adult), Some(backwards)).await;
    assert_eq!(problem(refused).await.1, "validation_failed");
    let list = ok_json(
        send(&app, Method::GET, &book(&adult), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn an_agreement_prints_as_a_pdf_with_the_termination_clause() {
    let app = kielce_with_districts().await;
    let without = send(
        &app,
        Method::PUT,
        "/api/v1/volunteers/agreement-template",
        Some(json!({"title": "Porozumienie", "clauses": ["Wolontariusz pomaga."], "termination_clause": " "})),
    )
    .await;
    let body: Value = without.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        fields(&body),
        HashSet::from(["termination_clause".to_owned()])
    );

    let id = volunteer(&app, "zofia@example.pl", "1985-06-01").await;
    let drawn = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/volunteers/{id}/agreements"),
            Some(json!({"starts_on": "2026-12-01", "ends_on": "2027-06-30"})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(drawn["number"].as_str().unwrap().starts_with("POR/"));
    let last = drawn["clauses"].as_array().unwrap().last().unwrap();
    assert!(last.as_str().unwrap().contains("rozwiązać porozumienie"));
    assert_eq!(
        drawn["scope"],
        json!([
            "towarzyszenie osobom starszym",
            "korepetycje i pomoc w nauce dzieci"
        ])
    );

    let pdf = send(
        &app,
        Method::GET,
        &format!(
            "/api/v1/volunteers/{id}/agreements/{}/document",
            drawn["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = lacznik_testkit::pdf_text(&pdf.bytes().await.unwrap());
    for expected in [
        "Zofia Łękawska",
        "Ośrodek Pomocy Społecznej kielce",
        "towarzyszenie osobom starszym",
        "rozwiązać porozumienie",
        "30 czerwca 2027",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    app.stop().await;
}

/// The secret of the newest email of `template` in the office's outbox, and the whole payload.
async fn emailed_secret(app: &TestApp, template: &str) -> (String, Value) {
    let (topic, payload) = app
        .outbox(Some("kielce"))
        .await
        .into_iter()
        .rev()
        .find(|(_, p)| p["template"] == template)
        .unwrap_or_else(|| panic!("no {template} email"));
    assert_eq!(topic, "email.requested");
    let link = payload["link"].as_str().unwrap();
    let secret = link.split("#token=").nth(1).unwrap().to_owned();
    (secret, payload)
}

#[tokio::test]
async fn a_minor_signs_up_confirms_and_works_only_after_the_guardian_consents() {
    let app = kielce_with_districts().await;
    let year = chrono::Datelike::year(&Utc::now()) - 15;
    let form = json!({
        "first_name": "Ola", "last_name": "Żak", "email": "ola.zak@example.pl",
        "birth_date": format!("{year}-03-01"), "kinds": ["events"], "districts": ["ksm"],
        "motivation": "Chcę pomagać przy festynach.", "data_processing_consent": true
    });
    let public = |method, path: &str| app.at("kielce", method, path);

    // No guardian, no consent: 422 naming both; nothing stored, nothing sent.
    let mut without = form.clone();
    without["data_processing_consent"] = json!(false);
    let refused = public(Method::POST, "/api/v1/volunteers/applications")
        .json(&without)
        .send()
        .await
        .unwrap();
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], 422);
    assert_eq!(
        fields(&body),
        HashSet::from(["data_processing_consent".to_owned(), "guardian".to_owned()])
    );
    assert!(app.outbox(Some("kielce")).await.is_empty());

    let mut with_guardian = form.clone();
    with_guardian["guardian"] = json!({"name": "Marta Żak", "email": "marta.zak@example.pl"});
    let accepted = public(Method::POST, "/api/v1/volunteers/applications")
        .json(&with_guardian)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let (secret, email) = emailed_secret(&app, "signup_confirmation").await;
    assert_eq!(email["to"], "ola.zak@example.pl");
    assert!(
        email["link"]
            .as_str()
            .unwrap()
            .starts_with("http://kielce.localhost:8080/wolontariat/potwierdz#token="),
        "{email}"
    );
    assert_eq!(
        app.volunteer_count("kielce").await,
        0,
        "not before confirming"
    );

    let invalid = public(Method::POST, "/api/v1/volunteers/applications/confirmation")
        .json(&json!({"token": "nie-ten"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(invalid).await,
        (StatusCode::BAD_REQUEST, "link_invalid".into())
    );
    let confirmed = ok_json(
        public(Method::POST, "/api/v1/volunteers/applications/confirmation")
            .json(&json!({"token": secret}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(confirmed["status"], "applicant");
    assert_eq!(confirmed["guardian_consent_pending"], true);
    let again = public(Method::POST, "/api/v1/volunteers/applications/confirmation")
        .json(&json!({"token": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await, (StatusCode::GONE, "link_used".into()));

    let id = confirmed["volunteer_id"].as_str().unwrap().to_owned();
    let profile = ok_json(
        send(&app, Method::GET, &format!("/api/v1/volunteers/{id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(profile["districts"], json!(["ksm"]));
    assert!(
        profile["coordinator_notes"]
            .as_str()
            .unwrap()
            .contains("festynach")
    );

    // The coordinator approves her after the interview; without the guardian, no work.
    let approved = send(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{id}/status"),
        Some(json!({"status": "active", "reason": "rozmowa odbyta"})),
    )
    .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let events = app.outbox(Some("kielce")).await;
    let topics: Vec<&str> = events
        .iter()
        .map(|(t, _)| t.as_str())
        .filter(|t| t.starts_with("volunteers."))
        .collect();
    assert_eq!(
        topics,
        [
            "volunteers.volunteer.registered",
            "volunteers.volunteer.status_changed"
        ]
    );
    let (_, changed) = events.last().unwrap();
    assert_eq!(changed["from"], "applicant");
    assert_eq!(changed["to"], "active");
    assert!(
        !events
            .iter()
            .filter(|(t, _)| t.starts_with("volunteers."))
            .any(|(_, p)| p.to_string().contains("Żak")),
        "events carry no names"
    );
    let book = format!("/api/v1/volunteers/{id}/assignments");
    let mut festival = task(3, false);
    festival["kind"] = json!("events");
    let refused = send(&app, Method::POST, &book, Some(festival.clone())).await;
    assert_eq!(problem(refused).await.1, "guardian_consent_missing");

    let (guardian_secret, guardian_email) = emailed_secret(&app, "guardian_consent").await;
    assert_eq!(guardian_email["to"], "marta.zak@example.pl");
    assert_eq!(guardian_email["data"]["volunteer_name"], "Ola Żak");
    let consented = public(Method::POST, "/api/v1/volunteers/guardian-consents")
        .header("user-agent", "Firefox")
        .json(&json!({"token": guardian_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(consented.status(), StatusCode::OK);
    let consents = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{id}/consents"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = consents
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["data_processing", "guardian"]);
    assert_eq!(consents[1]["given_by"], "Marta Żak");
    assert!(consents[1]["client_ip"].as_str().is_some(), "{consents}");

    let booked = send(&app, Method::POST, &book, Some(festival)).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn hours_add_up_into_a_certificate_and_the_insurer_gets_a_roster() {
    let app = kielce_with_districts().await;
    let id = volunteer(&app, "zofia@example.pl", "1985-06-01").await;
    let other = volunteer(&app, "jan@example.pl", "1979-02-11").await;
    app.create_user(
        Some("kielce"),
        "zofia@example.pl",
        lacznik_auth::Role::Volunteer,
        Some(id.parse().unwrap()),
        None,
    )
    .await;
    let token = app.login(Some("kielce"), "zofia@example.pl").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let as_volunteer = |method, path: &str| app.at("kielce", method, path).bearer_auth(&token);
    let hours_path = format!("/api/v1/volunteers/{id}/hours");

    // A completed assignment logs its planned two hours, approved.
    let booked = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/volunteers/{id}/assignments"),
            Some(task(-3, false)),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let done = send(
        &app,
        Method::POST,
        &format!(
            "/api/v1/volunteers/{id}/assignments/{}/completion",
            booked["id"].as_str().unwrap()
        ),
        Some(json!({})),
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);

    // She reports 90 minutes (approved) and 60 (rejected); bad reports write nothing.
    let yesterday = (Utc::now() - Duration::days(1)).date_naive();
    let mut reported = Vec::new();
    for minutes in [90, 60] {
        let entry = ok_json(
            as_volunteer(Method::POST, &hours_path)
                .json(&json!({"worked_on": yesterday, "minutes": minutes, "description": "zbiórka żywności"}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(entry["status"], "pending");
        reported.push(entry["id"].as_str().unwrap().to_owned());
    }
    for bad in [
        json!({"worked_on": yesterday, "minutes": 0}),
        json!({"worked_on": Utc::now().date_naive() + Duration::days(2), "minutes": 30}),
    ] {
        let refused = as_volunteer(Method::POST, &hours_path)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(refused).await.1, "validation_failed");
    }
    let not_hers = as_volunteer(
        Method::POST,
        &format!("/api/v1/volunteers/{id}/hours/{}/decision", reported[0]),
    )
    .json(&json!({"approved": true}))
    .send()
    .await
    .unwrap();
    assert_eq!(not_hers.status(), StatusCode::FORBIDDEN);
    for (entry, approved) in reported.iter().zip([true, false]) {
        let decided = send(
            &app,
            Method::POST,
            &format!("/api/v1/volunteers/{id}/hours/{entry}/decision"),
            Some(json!({"approved": approved})),
        )
        .await;
        assert_eq!(decided.status(), StatusCode::OK);
    }
    let report = ok_json(
        as_volunteer(Method::GET, &hours_path).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["entries"].as_array().unwrap().len(), 3);
    assert_eq!(report["approved_minutes"], 210);
    assert_eq!(report["pending_minutes"], 0);
    assert_eq!(report["approved_hours"], "3,5");

    // She asks for a certificate; the coordinator issues it with an opinion.
    let asked = as_volunteer(
        Method::POST,
        &format!("/api/v1/volunteers/{id}/certificate-requests"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let issued = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/volunteers/{id}/certificates"),
            Some(json!({
                "period_from": Utc::now().date_naive() - Duration::days(30),
                "period_to": Utc::now().date_naive(),
                "opinion": "Pani Zofia jest punktualna i cierpliwa.\n\nPolecamy ją każdemu ośrodkowi.",
                "signatory": "Anna Nowak, koordynator Centrum Wolontariatu"
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(issued["hours"], "3,5");
    assert_eq!(issued["scope"], json!(["towarzyszenie osobom starszym"]));
    let (_, ready) = app
        .outbox(Some("kielce"))
        .await
        .into_iter()
        .rev()
        .find(|(_, p)| p["template"] == "certificate_ready")
        .expect("certificate_ready email");
    assert_eq!(ready["to"], "zofia@example.pl");
    let pdf = as_volunteer(
        Method::GET,
        &format!(
            "/api/v1/volunteers/{id}/certificates/{}/document",
            issued["id"].as_str().unwrap()
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let text = lacznik_testkit::pdf_text(&pdf.bytes().await.unwrap());
    for expected in [
        "ZAŚWIADCZENIE",
        "Zofia Łękawska",
        "Ośrodek Pomocy Społecznej kielce",
        "3,5",
        "punktualna i cierpliwa",
        "Anna Nowak",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }

    // Insurance: one of the two is covered for the whole action.
    let policy = send(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{id}/insurance"),
        Some(
            json!({"insurer": "PZU SA", "policy_number": "NNW/2026/0042",
                    "valid_from": "2026-01-01", "valid_until": "2027-12-31"}),
        ),
    )
    .await;
    assert_eq!(policy.status(), StatusCode::CREATED);
    let roster = ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/volunteers/insurance/roster",
            Some(json!({"volunteer_ids": [id, other], "from": "2026-12-05", "to": "2026-12-06"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(roster[0]["insured"], true);
    assert_eq!(roster[0]["policy_number"], "NNW/2026/0042");
    assert_eq!(roster[1]["insured"], false);
    assert_eq!(roster[1]["birth_date"], "1979-02-11");
    app.stop().await;
}

#[tokio::test]
async fn matching_ranks_the_eligible_and_says_why_the_rest_were_left_out() {
    let app = kielce_with_districts().await;
    let create = |email: &'static str, birth: String, kinds: Value, districts: Value| {
        let app = &app;
        async move {
            let body = json!({
                "first_name": "Ewa", "last_name": "Mazur", "email": email, "birth_date": birth,
                "kinds": kinds, "districts": districts,
                "availability": [{"weekday": "tue", "start": "08:00", "end": "20:00"}]
            });
            let created = ok_json(
                send(app, Method::POST, "/api/v1/volunteers", Some(body)).await,
                StatusCode::CREATED,
            )
            .await;
            created["id"].as_str().unwrap().to_owned()
        }
    };
    let near = create(
        "near@example.pl",
        "1980-01-01".into(),
        json!(["senior_company"]),
        json!(["centrum"]),
    )
    .await;
    let far = create(
        "far@example.pl",
        "1981-01-01".into(),
        json!(["senior_company"]),
        json!(["ksm"]),
    )
    .await;
    create(
        "kind@example.pl",
        "1982-01-01".into(),
        json!(["tutoring"]),
        json!(["centrum"]),
    )
    .await;
    let minor_year = chrono::Datelike::year(&Utc::now()) - 16;
    create(
        "minor@example.pl",
        format!("{minor_year}-01-01"),
        json!(["senior_company"]),
        json!(["centrum"]),
    )
    .await;
    let busy = create(
        "busy@example.pl",
        "1983-01-01".into(),
        json!(["senior_company"]),
        json!(["centrum"]),
    )
    .await;
    let paused = create(
        "paused@example.pl",
        "1984-01-01".into(),
        json!(["senior_company"]),
        json!(["centrum"]),
    )
    .await;
    let pause = send(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{paused}/status"),
        Some(json!({"status": "paused"})),
    )
    .await;
    assert_eq!(pause.status(), StatusCode::OK);

    // Next Tuesday, 12:00–13:00 Polish time.
    let mut day = Utc::now().date_naive() + Duration::days(1);
    while chrono::Datelike::weekday(&day) != chrono::Weekday::Tue {
        day += Duration::days(1);
    }
    let starts_at = format!("{day}T12:00:00+01:00");
    let ends_at = format!("{day}T13:00:00+01:00");
    let mut booking = task(1, false);
    booking["starts_at"] = json!(starts_at);
    booking["ends_at"] = json!(ends_at);
    let booked = send(
        &app,
        Method::POST,
        &format!("/api/v1/volunteers/{busy}/assignments"),
        Some(booking),
    )
    .await;
    assert_eq!(booked.status(), StatusCode::CREATED);

    let need = json!({
        "kind": "senior_company", "district": "centrum",
        "when": {"starts_at": starts_at, "ends_at": ends_at}, "wanted": 2
    });
    let result = ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/volunteers/matching",
            Some(need.clone()),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        result["considered"], 5,
        "the paused volunteer is not considered"
    );
    assert_eq!(result["eligible"], 2);
    assert_eq!(result["short"], false);
    let ranked: Vec<&str> = result["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["volunteer_id"].as_str().unwrap())
        .collect();
    assert_eq!(ranked, [near.as_str(), far.as_str()], "{result}");
    let first = &result["ranked"][0];
    let points: u64 = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["points"].as_u64().unwrap())
        .sum();
    assert_eq!(first["score"].as_u64().unwrap(), points);
    assert!(first["score"].as_u64() > result["ranked"][1]["score"].as_u64());
    let excluded: HashMap<&str, u64> = result["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap(), e["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        excluded,
        HashMap::from([("kind", 1), ("no_guardian_consent", 1), ("busy", 1)]),
        "{result}"
    );

    // A task with children leaves out everyone without both checks.
    let mut with_children = need;
    with_children["child_check_required"] = json!(true);
    let result = ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/volunteers/matching",
            Some(with_children),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["eligible"], 0);
    assert_eq!(result["short"], true);

    let bad = send(
        &app,
        Method::POST,
        "/api/v1/volunteers/matching",
        Some(json!({"kind": "juggling", "district": "mars", "when": {}})),
    )
    .await;
    let body: Value = bad.json().await.unwrap();
    assert_eq!(
        fields(&body),
        HashSet::from(["kind", "district", "when"].map(String::from))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_sign_up_form_cannot_flood_an_inbox() {
    let app = kielce_with_districts().await;
    for _ in 0..5 {
        let accepted = app
            .at("kielce", Method::POST, "/api/v1/volunteers/applications")
            .json(&json!({
                "first_name": "Jan", "last_name": "Kowalski", "email": "ofiara@example.pl",
                "birth_date": "1990-01-01", "data_processing_consent": true
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    }
    let sent = app
        .outbox(Some("kielce"))
        .await
        .into_iter()
        .filter(|(_, p)| p["template"] == "signup_confirmation")
        .count();
    assert_eq!(sent, 3);
    app.stop().await;
}
