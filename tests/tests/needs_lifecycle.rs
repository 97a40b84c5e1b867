//! The connector end to end through the gateway on PostgreSQL (as `lacznik_app`): a need is
//! opened, matched, offered by email, accepted through the email's link, booked in the
//! volunteers service, done, and its hours appear on the volunteer. Also: overlapping work is
//! refused, the beneficiary's address is shown only while it is needed, every read of the
//! record is logged, answer links fail cleanly, and bad input writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use lacznik_needs::sweep::sweep_office;
use lacznik_testkit::{TestApp, link_secret, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A request as Kielce's coordinator.
async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
    app.send("kielce", method, path, body).await
}

/// One pass of the needs service's clock in Kielce, as the scheduled job runs it.
async fn sweep(app: &TestApp) -> lacznik_needs::sweep::Swept {
    let tenant = lacznik_identity::store::find_by_slug(&app.db.app().await.platform_db(), "kielce")
        .await
        .unwrap()
        .unwrap();
    let office = lacznik_http::TenantContext {
        id: lacznik_types::TenantId::from_uuid(tenant.id),
        slug: tenant.slug,
    };
    let deps = lacznik_needs::Deps {
        settings: lacznik_needs::settings::NeedsSettings::from_config(&app.db.config()),
        volunteers: Arc::new(lacznik_needs::volunteers::VolunteersClient::new(&format!(
            "http://{}",
            app.service_addr("volunteers")
        ))),
        offices: Arc::new(lacznik_http::offices::OfficeDirectory::new(&format!(
            "http://{}",
            app.service_addr("identity")
        ))),
    };
    sweep_office(&app.db.app().await.tenant_db(), &deps, &office)
        .await
        .unwrap()
}

async fn kielce() -> TestApp {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    ok_json(
        send(
            &app,
            Method::PUT,
            "/api/v1/volunteers/catalogue/districts",
            Some(json!([
                {"code": "centrum", "name": "Centrum", "neighbours": ["bocianek"]},
                {"code": "bocianek", "name": "Bocianek", "neighbours": ["ksm"]},
                {"code": "ksm", "name": "KSM", "neighbours": []}
            ])),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app
}

/// An active volunteer of Kielce who helps seniors any day; returns (id, email).
async fn volunteer(app: &TestApp, first_name: &str, email: &str, district: &str) -> String {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let availability: Vec<Value> = days
        .iter()
        .map(|d| json!({"weekday": d, "start": "07:00", "end": "21:00"}))
        .collect();
    let created = ok_json(
        send(
            app,
            Method::POST,
            "/api/v1/volunteers",
            Some(json!({
                "first_name": first_name, "last_name": "Wolontariusz", "email": email,
                "birth_date": "1990-05-05", "kinds": ["senior_company", "shopping_household"],
                "districts": [district], "availability": availability
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

/// A token of the volunteer's own account.
async fn volunteer_token(app: &TestApp, id: &str, email: &str) -> String {
    app.create_user(
        Some("kielce"),
        email,
        lacznik_auth::Role::Volunteer,
        Some(id.parse().unwrap()),
        None,
    )
    .await;
    app.login(Some("kielce"), email).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn as_volunteer(app: &TestApp, token: &str, method: Method, path: &str) -> reqwest::Response {
    app.at("kielce", method, path)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn beneficiary(app: &TestApp) -> String {
    let created = ok_json(
        send(
            app,
            Method::POST,
            "/api/v1/needs/beneficiaries",
            Some(json!({
                "first_name": "Helena", "last_name": "Krawczyk", "phone": "601 234 567",
                "street_address": "ul. Sienkiewicza 12/4", "district": "centrum",
                "note": "3. piętro bez windy; dzwonić dłużej"
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

/// Next Tuesday (at least two days ahead), `hour`:00 Polish winter time, for an hour.
fn next_tuesday(hour: u32) -> (String, String) {
    let mut day = Utc::now().date_naive() + Duration::days(2);
    while day.weekday() != chrono::Weekday::Tue {
        day += Duration::days(1);
    }
    let offset = if (4..=9).contains(&day.month()) { 2 } else { 1 };
    (
        format!("{day}T{hour:02}:00:00+0{offset}:00"),
        format!("{day}T{:02}:00:00+0{offset}:00", hour + 1),
    )
}

/// Opens a need for `beneficiary` next Tuesday at `hour` (fields in `extra` replace the
/// defaults).
async fn open_need(app: &TestApp, beneficiary: &str, hour: u32, extra: Value) -> Value {
    let (starts_at, ends_at) = next_tuesday(hour);
    let mut body = json!({
        "kind": "senior_company", "title": "Spacer z panią Heleną",
        "description": "Pani Helena chce wyjść na spacer do parku Miejskiego.",
        "beneficiary_id": beneficiary, "district": "centrum",
        "when": {"starts_at": starts_at, "ends_at": ends_at},
        "safety_info": "Schody strome, w mieszkaniu kot.",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    ok_json(
        send(app, Method::POST, "/api/v1/needs", Some(body)).await,
        StatusCode::CREATED,
    )
    .await
}

async fn link(app: &TestApp, action: &str, token: &str) -> reqwest::Response {
    app.at(
        "kielce",
        Method::POST,
        &format!("/api/v1/needs/offer-links/{action}"),
    )
    .json(&json!({ "token": token }))
    .send()
    .await
    .unwrap()
}

fn topics(outbox: &[(String, Value)]) -> Vec<&str> {
    outbox.iter().map(|(t, _)| t.as_str()).collect()
}

#[tokio::test]
async fn a_need_goes_from_open_to_fulfilled_and_the_hours_reach_the_volunteer() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let bartek = volunteer(&app, "Bartek", "bartek@example.pl", "bocianek").await;
    let celina = volunteer(&app, "Celina", "celina@example.pl", "ksm").await;
    let need = open_need(&app, &helena, 12, json!({})).await;
    let id = need["id"].as_str().unwrap();
    assert_eq!(need["status"], "open");
    assert!(
        need["when_text"].as_str().unwrap().starts_with("wtorek, "),
        "{need}"
    );

    // Candidates come from the volunteers service, nearest first.
    let candidates = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{id}/candidates"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ranked: Vec<&str> = candidates["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["volunteer_id"].as_str().unwrap())
        .collect();
    assert_eq!(ranked, [anna.as_str(), bartek.as_str(), celina.as_str()]);

    // Offered to all three: three emails with answer links.
    let offers = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{id}/offers"),
            Some(json!({"volunteer_ids": [anna, bartek, celina]})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(offers.as_array().unwrap().len(), 3);
    let need_now = ok_json(
        send(&app, Method::GET, &format!("/api/v1/needs/{id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(need_now["status"], "offered");
    assert_eq!(need_now["pending_offers"], 3);

    // Before answering, the volunteer sees the first name and district, not the address.
    let bartek_token = app.link_sent("kielce", "offer", "bartek@example.pl").await;
    let seen = ok_json(link(&app, "view", &bartek_token).await, StatusCode::OK).await;
    assert_eq!(seen["beneficiary_first_name"], "Helena");
    assert_eq!(seen["district"], "centrum");
    assert_eq!(seen["safety_info"], "Schody strome, w mieszkaniu kot.");
    assert!(!seen.to_string().contains("Sienkiewicza"), "{seen}");
    assert!(!seen.to_string().contains("601"), "{seen}");

    // Two accept for one place: the first gets it, the second is told it is filled.
    let answer = ok_json(
        link(&app, "acceptance", &bartek_token).await,
        StatusCode::OK,
    )
    .await;
    let assignment = answer["assignment_id"].as_str().unwrap().to_owned();
    assert_eq!(answer["offer"]["status"], "accepted");
    let late = link(
        &app,
        "acceptance",
        &app.link_sent("kielce", "offer", "anna@example.pl").await,
    )
    .await;
    let (status, code) = problem(late).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "need_filled")
    );

    let offers = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{id}/offers"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let status_of = |v: &str| {
        offers
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["volunteer_id"] == v)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status_of(&bartek), "accepted");
    assert_eq!(status_of(&anna), "filled");
    assert_eq!(status_of(&celina), "filled");
    let outbox = app.outbox(Some("kielce")).await;
    let filled_mails: Vec<&Value> = outbox
        .iter()
        .filter(|(t, p)| t == "email.requested" && p["template"] == "offer_filled")
        .map(|(_, p)| p)
        .collect();
    let mut told: Vec<&str> = filled_mails
        .iter()
        .map(|m| m["to"].as_str().unwrap())
        .collect();
    told.sort_unstable();
    assert_eq!(
        told,
        ["anna@example.pl", "celina@example.pl"],
        "everyone still waiting is told"
    );
    let confirmed: Vec<&Value> = outbox
        .iter()
        .filter(|(t, p)| t == "email.requested" && p["template"] == "assignment_confirmed")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0]["to"], "bartek@example.pl");
    // The confirmation's link shows where to go while the task lasts; the offer's link is
    // replaced by it.
    let confirmation = &link_secret(confirmed[0]);
    let shown = ok_json(link(&app, "view", confirmation).await, StatusCode::OK).await;
    assert_eq!(shown["status"], "accepted");
    assert_eq!(shown["street_address"], "ul. Sienkiewicza 12/4");
    assert_eq!(shown["phone"], "+48 601 234 567");
    let (status, code) = problem(link(&app, "view", &bartek_token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "link_invalid")
    );

    // The booking is in the volunteers service.
    let booked = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{bartek}/assignments"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(booked.as_array().unwrap().len(), 1);
    assert_eq!(booked[0]["id"], assignment.as_str());
    assert_eq!(booked[0]["status"], "booked");

    // Done: the coordinator confirms 75 minutes; the need is fulfilled and the hours appear.
    let done = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/assignments/{assignment}/completion"),
            Some(json!({"minutes": 75})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["status"], "completed");
    let hours = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{bartek}/hours"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hours["approved_minutes"], 75, "{hours}");
    let history = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{id}/history"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let steps: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["draft", "open", "offered", "assigned", "fulfilled"]);

    // The volunteer's access request: this service's rows about them.
    let export = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/volunteers/{bartek}/export"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(export["offers"].as_array().unwrap().len(), 1);
    assert_eq!(export["need_assignments"][0]["id"], assignment.as_str());
    assert_eq!(export["need_assignments"][0]["minutes"], 75);

    let outbox = app.outbox(Some("kielce")).await;
    let seen = topics(&outbox);
    for topic in [
        "needs.need.opened",
        "needs.offer.made",
        "needs.offer.accepted",
        "needs.assignment.confirmed",
        "needs.offer.filled",
        "needs.assignment.completed",
        "needs.hours.logged",
        "needs.need.status_changed",
    ] {
        assert!(seen.contains(&topic), "{topic} missing from {seen:?}");
    }
    assert_eq!(seen.iter().filter(|t| **t == "needs.offer.made").count(), 3);
    // Events carry ids and kinds, never a name or an address.
    for (topic, payload) in outbox.iter().filter(|(t, _)| t.starts_with("needs.")) {
        let text = payload.to_string();
        for personal in ["Helena", "Krawczyk", "Sienkiewicza", "Bartek", "bartek@"] {
            assert!(
                !text.contains(personal),
                "{topic} carries {personal}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn overlapping_work_is_refused_and_nothing_is_written() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let first = open_need(&app, &helena, 12, json!({})).await;
    let second = open_need(
        &app,
        &helena,
        12,
        json!({"title": "Zakupy", "kind": "shopping_household"}),
    )
    .await;
    for need in [&first, &second] {
        let id = need["id"].as_str().unwrap();
        ok_json(
            send(
                &app,
                Method::POST,
                &format!("/api/v1/needs/{id}/offers"),
                Some(json!({"volunteer_ids": [anna]})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    // Anna answers in the volunteer portal.
    let token = volunteer_token(&app, &anna, "anna@example.pl").await;
    let mine = ok_json(
        as_volunteer(&app, &token, Method::GET, "/api/v1/needs/my/offers").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 2);
    let offer_of = |need: &Value| {
        mine.as_array()
            .unwrap()
            .iter()
            .find(|o| o["title"] == need["title"])
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let accepted = as_volunteer(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/needs/offers/{}/acceptance", offer_of(&first)),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let clash = as_volunteer(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/needs/offers/{}/acceptance", offer_of(&second)),
    )
    .await;
    assert_eq!(
        clash.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let (status, code) = problem(clash).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "double_booked")
    );

    // The second need is untouched: still offered, nobody assigned, one booking in total.
    let second_id = second["id"].as_str().unwrap();
    let now = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{second_id}"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (now["status"].as_str(), now["assigned"].as_u64()),
        (Some("offered"), Some(0))
    );
    let booked = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/assignments"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(booked.as_array().unwrap().len(), 1);
    let mine = ok_json(
        as_volunteer(&app, &token, Method::GET, "/api/v1/needs/my/assignments").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_address_is_shown_only_while_needed_and_every_read_is_logged() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let token = volunteer_token(&app, &anna, "anna@example.pl").await;
    let need = open_need(&app, &helena, 10, json!({})).await;
    let id = need["id"].as_str().unwrap();
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{id}/offers"),
            Some(json!({"volunteer_ids": [anna]})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // A coordinator reads the record, saying why.
    let record = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/beneficiaries/{helena}?purpose=ustalenie%20terminu"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(record["street_address"], "ul. Sienkiewicza 12/4");
    // A volunteer cannot read it at all.
    let refused = as_volunteer(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/needs/beneficiaries/{helena}"),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Before acceptance: first name only.
    let offers = ok_json(
        as_volunteer(&app, &token, Method::GET, "/api/v1/needs/my/offers").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(offers[0]["beneficiary_first_name"], "Helena");
    assert!(!offers.to_string().contains("Sienkiewicza"));
    let offer = offers[0]["id"].as_str().unwrap();
    let answer = ok_json(
        as_volunteer(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/needs/offers/{offer}/acceptance"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let assignment = answer["assignment_id"].as_str().unwrap();

    // While assigned: address, phone and the need-to-know note.
    let live = ok_json(
        as_volunteer(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/needs/assignments/{assignment}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        live["beneficiary"]["street_address"],
        "ul. Sienkiewicza 12/4"
    );
    assert_eq!(live["beneficiary"]["phone"], "+48 601 234 567");
    assert_eq!(
        live["beneficiary"]["note"],
        "3. piętro bez windy; dzwonić dłużej"
    );

    // After the end: first name and district again, nothing to find her by.
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/assignments/{assignment}/completion"),
            Some(json!({})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let after = ok_json(
        as_volunteer(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/needs/assignments/{assignment}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["beneficiary"]["first_name"], "Helena");
    assert_eq!(after["beneficiary"]["street_address"], Value::Null);
    assert_eq!(after["beneficiary"]["phone"], Value::Null);

    // Every read is in the log: who, why, how much they saw.
    let log = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/beneficiaries/{helena}/access-log"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let entries: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["role"].as_str().unwrap().to_owned(),
                e["view"].as_str().unwrap().to_owned(),
                e["purpose"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let views: Vec<(&str, &str)> = entries
        .iter()
        .map(|(r, v, _)| (r.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        views,
        [
            ("coordinator", "full"),
            // the offers in the portal
            ("volunteer", "first_name"),
            // accepting: the answer shows the offer, then where to go
            ("volunteer", "first_name"),
            ("volunteer", "contact"),
            // the assignment while live, and after its end
            ("volunteer", "contact"),
            ("volunteer", "first_name"),
        ],
        "{log}"
    );
    assert_eq!(entries[0].2, "ustalenie terminu");
    assert_eq!(log[4]["reader"], anna.as_str());
    assert!(entries[4].2.contains(assignment));
    // The log cannot be rewritten by the application.
    let app_db = app.db.app_raw().await;
    let refused =
        sea_orm::ConnectionTrait::execute_unprepared(&app_db, "DELETE FROM beneficiary_reads")
            .await;
    assert!(
        refused.is_err(),
        "the app role must not delete the access log"
    );
}

#[tokio::test]
async fn answer_links_are_single_use_expire_and_auto_offer_moves_on() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let bartek = volunteer(&app, "Bartek", "bartek@example.pl", "bocianek").await;
    let celina = volunteer(&app, "Celina", "celina@example.pl", "ksm").await;
    let need = open_need(&app, &helena, 15, json!({"auto_offer": true})).await;
    let id = need["id"].as_str().unwrap();
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{id}/offers"),
            Some(json!({"volunteer_ids": [anna]})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // A link that never existed.
    let (status, code) = problem(link(&app, "acceptance", "nie-ma-takiego").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "link_invalid")
    );

    // Anna declines; auto-offer asks the next best candidate (Bartek).
    let anna_token = app.link_sent("kielce", "offer", "anna@example.pl").await;
    let declined = ok_json(link(&app, "decline", &anna_token).await, StatusCode::OK).await;
    assert_eq!(declined["offer"]["status"], "declined");
    // The link is used: neither a second decline nor an acceptance works.
    let (status, code) = problem(link(&app, "acceptance", &anna_token).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::GONE, "link_used"));
    let bartek_token = app.link_sent("kielce", "offer", "bartek@example.pl").await;

    // Bartek does not answer in time: the sweep expires his offer and asks Celina.
    let admin = app.db.admin().await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &admin,
        "UPDATE offers SET expires_at = now() - interval '1 minute' WHERE status = 'pending'",
    )
    .await
    .unwrap();
    let (status, code) = problem(link(&app, "acceptance", &bartek_token).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::GONE, "link_expired"));
    let swept = sweep(&app).await;
    assert_eq!(swept.offers_expired, 1);
    let offers = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{id}/offers"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let by: Vec<(String, String, bool)> = offers
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["volunteer_id"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
                o["automatic"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            (anna.clone(), "declined".to_owned(), false),
            (bartek.clone(), "expired".to_owned(), true),
            (celina.clone(), "pending".to_owned(), true),
        ]
    );
    let (status, code) = problem(link(&app, "acceptance", &bartek_token).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::GONE, "link_expired"));
    let celina_answer = ok_json(
        link(
            &app,
            "acceptance",
            &app.link_sent("kielce", "offer", "celina@example.pl").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(celina_answer["offer"]["status"], "accepted");
    let outbox = app.outbox(Some("kielce")).await;
    assert!(topics(&outbox).contains(&"needs.offer.expired"));
    assert!(topics(&outbox).contains(&"needs.offer.declined"));
}

#[tokio::test]
async fn bad_input_gets_a_problem_and_writes_nothing() {
    let app = kielce().await;
    let bad = send(
        &app,
        Method::POST,
        "/api/v1/needs",
        Some(json!({
            "kind": "juggling", "title": " ", "description": "x",
            "when": {"starts_at": "2030-01-01T12:00:00Z", "ends_at": "2030-01-01T11:00:00Z"},
            "wanted": 0, "languages": ["klingon"]
        })),
    )
    .await;
    let body = ok_json(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "validation_failed");
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "beneficiary_id",
            "kind",
            "languages[0]",
            "title",
            "wanted",
            "when.ends_at"
        ]
    );
    let weekly_without_period = send(
        &app,
        Method::POST,
        "/api/v1/needs",
        Some(json!({
            "kind": "tutoring", "title": "Korepetycje", "description": "Matematyka, klasa 6",
            "beneficiary_id": uuid::Uuid::now_v7(),
            "when": {"weekly": [{"weekday": "mon", "start": "16:00", "end": "15:00"}]}
        })),
    )
    .await;
    let body = ok_json(weekly_without_period, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"when.weekly[0]")
            && fields.contains(&"when.until")
            && fields.contains(&"beneficiary_id"),
        "{body}"
    );
    let malformed = send(&app, Method::POST, "/api/v1/needs", None).await;
    assert!(malformed.status().is_client_error());
    let unknown = send(
        &app,
        Method::GET,
        &format!("/api/v1/needs/{}", uuid::Uuid::now_v7()),
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let not_uuid = send(&app, Method::GET, "/api/v1/needs/abc", None).await;
    assert!(not_uuid.status().is_client_error());

    let listed = ok_json(
        send(&app, Method::GET, "/api/v1/needs", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));
    let events = app.outbox(Some("kielce")).await;
    assert!(
        !topics(&events).iter().any(|t| t.starts_with("needs.")),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_pairing_books_each_visit_and_a_missed_visit_alerts_the_office() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let token = volunteer_token(&app, &anna, "anna@example.pl").await;
    let today = Utc::now().date_naive();
    let weekday = |d: NaiveDate| {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            [d.weekday().num_days_from_monday() as usize]
    };
    // Since a week ago, every week on the weekdays of two and four days ahead, for three weeks:
    // the visits already past are not booked.
    let (past, ahead) = (today + Duration::days(2), today + Duration::days(4));
    let need = ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/needs",
            Some(json!({
                "kind": "senior_company", "title": "Stała para: pani Helena",
                "description": "Rozmowa, spacer, pomoc w drobnych sprawach.",
                "beneficiary_id": helena, "district": "centrum",
                "when": {
                    "weekly": [
                        {"weekday": weekday(past), "start": "10:00", "end": "11:30"},
                        {"weekday": weekday(ahead), "start": "10:00", "end": "11:30"}
                    ],
                    "from": (today - Duration::days(7)).to_string(),
                    "until": (today + Duration::days(20)).to_string()
                }
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = need["id"].as_str().unwrap();
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{id}/offers"),
            Some(json!({"volunteer_ids": [anna]})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let offers = ok_json(
        as_volunteer(&app, &token, Method::GET, "/api/v1/needs/my/offers").await,
        StatusCode::OK,
    )
    .await;
    let answer = ok_json(
        as_volunteer(
            &app,
            &token,
            Method::POST,
            &format!(
                "/api/v1/needs/offers/{}/acceptance",
                offers[0]["id"].as_str().unwrap()
            ),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let assignment = answer["assignment_id"].as_str().unwrap();
    let visits = ok_json(
        as_volunteer(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/needs/assignments/{assignment}/visits"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let visits = visits.as_array().unwrap();
    assert!(visits.len() >= 4, "{visits:?}");
    let now = Utc::now().to_rfc3339();
    assert!(
        visits
            .iter()
            .all(|v| v["starts_at"].as_str().unwrap() > now.as_str()),
        "{visits:?}"
    );
    // Each visit is booked on its own: the volunteer is free between them.
    let booked = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/assignments"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(booked.as_array().unwrap().len(), visits.len());

    // The first visit happened (90 minutes); a future one cannot be recorded as done.
    let first = visits[0]["id"].as_str().unwrap();
    // Time passes: the first visit is over.
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db.admin().await,
        &format!(
            "UPDATE visits SET starts_at = now() - interval '3 hours', \
             ends_at = now() - interval '90 minutes' WHERE id = '{first}'"
        ),
    )
    .await
    .unwrap();
    let done = app
        .at(
            "kielce",
            Method::POST,
            &format!("/api/v1/needs/assignments/{assignment}/visits/{first}"),
        )
        .bearer_auth(&token)
        .json(&json!({"outcome": "done", "note": "Spacer do parku, dobry humor."}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let last = visits.last().unwrap()["id"].as_str().unwrap();
    let early = app
        .at(
            "kielce",
            Method::POST,
            &format!("/api/v1/needs/assignments/{assignment}/visits/{last}"),
        )
        .bearer_auth(&token)
        .json(&json!({"outcome": "done"}))
        .send()
        .await
        .unwrap();
    let (status, code) = problem(early).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "visit_in_future")
    );
    let hours = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/hours"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        hours["pending_minutes"], 90,
        "hours reported by the volunteer wait for approval: {hours}"
    );

    // The second is missed: the office is alerted by email, without the note's words.
    let second = visits[1]["id"].as_str().unwrap();
    let missed = app
        .at("kielce", Method::POST, &format!("/api/v1/needs/assignments/{assignment}/visits/{second}"))
        .bearer_auth(&token)
        .json(&json!({"outcome": "missed", "note": "Pani Helena nie otworzyła, sąsiadka mówi, że jest w szpitalu.", "concern": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(missed.status(), StatusCode::OK);
    let outbox = app.outbox(Some("kielce")).await;
    let alert = outbox
        .iter()
        .find(|(t, p)| t == "email.requested" && p["template"] == "visit_alert")
        .map(|(_, p)| p)
        .expect("an alert to the office");
    assert_eq!(alert["data"]["missed"], true);
    assert!(!alert.to_string().contains("szpitalu"));
    assert!(topics(&outbox).contains(&"needs.visit.missed"));
    let booked = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/assignments"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let cancelled = booked
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "cancelled")
        .count();
    assert_eq!(cancelled, 1, "the missed visit's time is freed");

    // Each later visit gets its own reminder, once.
    let third = visits[2]["id"].as_str().unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db.admin().await,
        &format!(
            "UPDATE visits SET starts_at = now() + interval '60 minutes', \
             ends_at = now() + interval '150 minutes' WHERE id = '{third}'"
        ),
    )
    .await
    .unwrap();
    assert_eq!(sweep(&app).await.reminders, 1);
    assert_eq!(sweep(&app).await.reminders, 0);
    let outbox = app.outbox(Some("kielce")).await;
    let reminder = outbox
        .iter()
        .find(|(t, _)| t == "needs.reminder.due")
        .map(|(_, p)| p)
        .expect("a reminder");
    assert_eq!(
        (
            reminder["visit_id"].as_str(),
            reminder["lead_minutes"].as_u64()
        ),
        (Some(third), Some(120))
    );
}

#[tokio::test]
async fn no_shows_cancellations_and_feedback_free_the_time_and_tell_the_volunteer() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let bartek = volunteer(&app, "Bartek", "bartek@example.pl", "centrum").await;
    let anna_token = volunteer_token(&app, &anna, "anna@example.pl").await;
    let accept = |need: Value, who: String| {
        let app = &app;
        async move {
            let id = need["id"].as_str().unwrap().to_owned();
            ok_json(
                send(
                    app,
                    Method::POST,
                    &format!("/api/v1/needs/{id}/offers"),
                    Some(json!({"volunteer_ids": [who]})),
                )
                .await,
                StatusCode::CREATED,
            )
            .await;
            id
        }
    };

    // A no-show frees the volunteer's time; with auto-offer the next candidate is asked.
    let first = accept(
        open_need(&app, &helena, 9, json!({"auto_offer": true})).await,
        anna.clone(),
    )
    .await;
    let answer = ok_json(
        link(
            &app,
            "acceptance",
            &app.link_sent("kielce", "offer", "anna@example.pl").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let assignment = answer["assignment_id"].as_str().unwrap().to_owned();
    let missed = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/assignments/{assignment}/no-show"),
            Some(json!({"reason": "nie dotarła"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(missed["status"], "no_show");
    let booked = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/assignments"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(booked[0]["status"], "cancelled");
    let offers = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{first}/offers"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let next = offers
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["volunteer_id"] == bartek.as_str())
        .expect("Bartek asked next");
    assert_eq!(
        (next["status"].as_str(), next["automatic"].as_bool()),
        (Some("pending"), Some(true))
    );
    let need = ok_json(
        send(&app, Method::GET, &format!("/api/v1/needs/{first}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(need["status"], "offered");

    // The volunteer cancels an assignment themself; the office cancels a whole need.
    let second = accept(
        open_need(&app, &helena, 13, json!({"title": "Zakupy w aptece"})).await,
        anna.clone(),
    )
    .await;
    let answer = ok_json(
        link(
            &app,
            "acceptance",
            &app.link_sent("kielce", "offer", "anna@example.pl").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let second_assignment = answer["assignment_id"].as_str().unwrap().to_owned();
    let feedback = app
        .at(
            "kielce",
            Method::POST,
            &format!("/api/v1/needs/assignments/{second_assignment}/feedback"),
        )
        .bearer_auth(&anna_token)
        .json(&json!({"from": "volunteer", "rating": 5, "comment": "Miła rozmowa."}))
        .send()
        .await
        .unwrap();
    assert_eq!(feedback.status(), StatusCode::OK);
    let not_hers = app
        .at(
            "kielce",
            Method::POST,
            &format!("/api/v1/needs/assignments/{second_assignment}/feedback"),
        )
        .bearer_auth(&anna_token)
        .json(&json!({"from": "beneficiary", "rating": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_hers.status(), StatusCode::FORBIDDEN);
    let bad_rating = send(
        &app,
        Method::POST,
        &format!("/api/v1/needs/assignments/{second_assignment}/feedback"),
        Some(json!({"from": "beneficiary", "rating": 9})),
    )
    .await;
    assert_eq!(bad_rating.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let cancelled = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{second}/cancellation"),
            Some(json!({"reason": "Pani Helena jest u rodziny"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let view = ok_json(
        app.at(
            "kielce",
            Method::GET,
            &format!("/api/v1/needs/assignments/{second_assignment}"),
        )
        .bearer_auth(&anna_token)
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["status"], "cancelled");
    assert_eq!(view["volunteer_rating"], 5);
    let outbox = app.outbox(Some("kielce")).await;
    let told = outbox
        .iter()
        .filter(|(t, p)| {
            t == "email.requested"
                && p["template"] == "assignment_cancelled"
                && p["to"] == "anna@example.pl"
        })
        .count();
    assert_eq!(told, 1);
    let booked = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/assignments"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        booked
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["status"] == "cancelled"),
        "{booked}"
    );
    let again = send(
        &app,
        Method::POST,
        &format!("/api/v1/needs/{second}/cancellation"),
        Some(json!({})),
    )
    .await;
    let (status, code) = problem(again).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "need_closed")
    );
    assert!(topics(&outbox).contains(&"needs.assignment.no_show"));
    assert!(topics(&outbox).contains(&"needs.assignment.cancelled"));
    assert!(topics(&outbox).contains(&"needs.feedback.given"));
}

#[tokio::test]
async fn the_sweep_announces_reminders_once_and_expires_needs_nobody_took() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    // Starts in 90 minutes: only the 2-hour reminder is due, and only once.
    let starts = Utc::now() + Duration::minutes(90);
    let soon = open_need(
        &app,
        &helena,
        0,
        json!({"when": {"starts_at": starts, "ends_at": starts + Duration::hours(1)}}),
    )
    .await;
    let id = soon["id"].as_str().unwrap();
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/needs/{id}/offers"),
            Some(json!({"volunteer_ids": [anna]})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    ok_json(
        link(
            &app,
            "acceptance",
            &app.link_sent("kielce", "offer", "anna@example.pl").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Nobody takes this one before its time.
    let unwanted = open_need(&app, &helena, 16, json!({"title": "Przegląd szafek"})).await;
    let unwanted_id = unwanted["id"].as_str().unwrap();

    let first = sweep(&app).await;
    assert_eq!((first.reminders, first.needs_expired), (1, 0));
    let second = sweep(&app).await;
    assert_eq!(second.reminders, 0);
    let outbox = app.outbox(Some("kielce")).await;
    let reminders: Vec<&Value> = outbox
        .iter()
        .filter(|(t, _)| t == "needs.reminder.due")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0]["lead_minutes"], 120);

    let admin = app.db.admin().await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &admin,
        &format!("UPDATE needs SET starts_at = now() - interval '1 hour', ends_at = now() WHERE id = '{unwanted_id}'"),
    )
    .await
    .unwrap();
    // Too late to offer it, even before the sweep notices.
    let late = send(
        &app,
        Method::POST,
        &format!("/api/v1/needs/{unwanted_id}/offers"),
        Some(json!({"volunteer_ids": [anna]})),
    )
    .await;
    let (status, code) = problem(late).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "need_past"));
    let third = sweep(&app).await;
    assert_eq!(third.needs_expired, 1);
    let need = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/needs/{unwanted_id}"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(need["status"], "expired");
}

#[tokio::test]
async fn a_volunteer_checks_in_and_out_and_the_hours_wait_for_approval() {
    let app = kielce().await;
    let helena = beneficiary(&app).await;
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let token = volunteer_token(&app, &anna, "anna@example.pl").await;
    let starts = Utc::now() + Duration::minutes(60);
    let today = open_need(
        &app,
        &helena,
        0,
        json!({"when": {"starts_at": starts, "ends_at": starts + Duration::hours(1)}}),
    )
    .await;
    let later = open_need(&app, &helena, 17, json!({"title": "Wizyta we wtorek"})).await;
    let mut assignments = Vec::new();
    for need in [&today, &later] {
        let id = need["id"].as_str().unwrap();
        ok_json(
            send(
                &app,
                Method::POST,
                &format!("/api/v1/needs/{id}/offers"),
                Some(json!({"volunteer_ids": [anna]})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let answer = ok_json(
            link(
                &app,
                "acceptance",
                &app.link_sent("kielce", "offer", "anna@example.pl").await,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assignments.push(answer["assignment_id"].as_str().unwrap().to_owned());
    }
    let post = |path: String, body: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.at("kielce", Method::POST, &path)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Days ahead is too early to check in.
    let early = post(
        format!("/api/v1/needs/assignments/{}/check-in", assignments[1]),
        json!({}),
    )
    .await;
    let (status, code) = problem(early).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "too_early"));

    let checked = ok_json(
        post(
            format!("/api/v1/needs/assignments/{}/check-in", assignments[0]),
            json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(checked["status"], "in_progress");
    let need_id = today["id"].as_str().unwrap();
    let need = ok_json(
        send(&app, Method::GET, &format!("/api/v1/needs/{need_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(need["status"], "in_progress");
    let out = ok_json(
        post(
            format!("/api/v1/needs/assignments/{}/check-out", assignments[0]),
            json!({"minutes": 50}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (out["status"].as_str(), out["minutes"].as_i64()),
        (Some("completed"), Some(50))
    );
    let again = post(
        format!("/api/v1/needs/assignments/{}/check-out", assignments[0]),
        json!({}),
    )
    .await;
    let (status, code) = problem(again).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "assignment_not_live")
    );

    // Reported by the volunteer: the office approves them in the volunteers service.
    let hours = ok_json(
        send(
            &app,
            Method::GET,
            &format!("/api/v1/volunteers/{anna}/hours"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            hours["pending_minutes"].as_i64(),
            hours["approved_minutes"].as_i64()
        ),
        (Some(50), Some(0)),
        "{hours}"
    );
    let need = ok_json(
        send(&app, Method::GET, &format!("/api/v1/needs/{need_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(need["status"], "fulfilled");
}

#[tokio::test]
async fn a_bad_beneficiary_record_is_refused_whole() {
    let app = kielce().await;
    let bad = send(
        &app,
        Method::POST,
        "/api/v1/needs/beneficiaries",
        Some(json!({
            "first_name": " ", "last_name": "Krawczyk", "phone": "12",
            "partner_id": uuid::Uuid::now_v7()
        })),
    )
    .await;
    let body = ok_json(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["first_name", "partner_id", "phone"]);
    let listed = ok_json(
        send(&app, Method::GET, "/api/v1/needs/beneficiaries", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));
    // A volunteer's token reads no list of beneficiaries at all.
    let anna = volunteer(&app, "Anna", "anna@example.pl", "centrum").await;
    let token = volunteer_token(&app, &anna, "anna@example.pl").await;
    let refused = as_volunteer(&app, &token, Method::GET, "/api/v1/needs/beneficiaries").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
