//! Email as volunteers get it, end to end on the real parts: an action through the gateway
//! writes its outbox row in PostgreSQL (as `lacznik_app`), the relay moves it to the office's
//! Redis stream, the notifications consumer records a delivery, a sender sends it through lettre
//! to a real SMTP server, and the test reads the message that arrived, as a mail client would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::time::Duration;

use chrono::{Datelike, Utc};
use lacznik_testkit::proxy::TcpProxy;
use lacznik_testkit::smtp::{Received, SmtpServer};
use lacznik_testkit::{TestApp, eventually, ok_json, problem, redis_url};
use mail_parser::{MessageParser, MimeHeaders};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The platform with its event pipeline on, mailing through `smtp`.
async fn platform(smtp: &SmtpServer, extra: Value) -> TestApp {
    let mut config = json!({
        "queue": { "in_process": true, "poll_interval_ms": 50 },
        "notifications": { "smtp_url": smtp.url(), "retry_base_ms": 200, "send_timeout_secs": 5 },
    });
    merge(&mut config, extra);
    TestApp::spawn_configured(config).await
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (k, v) in from {
                merge(into.entry(k).or_insert(Value::Null), v);
            }
        }
        (into, from) => *into = from,
    }
}

/// An office with districts, an active volunteer and a beneficiary; returns the volunteer's id
/// and the beneficiary's.
async fn office(app: &TestApp, slug: &str, volunteer_email: &str) -> (String, String) {
    app.create_tenant(slug).await;
    ok_json(
        app.send(
            slug,
            Method::PUT,
            "/api/v1/volunteers/catalogue/districts",
            Some(json!([{"code": "centrum", "name": "Centrum", "neighbours": []}])),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let availability: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "07:00", "end": "21:00"}))
        .collect();
    let volunteer = ok_json(
        app.send(
            slug,
            Method::POST,
            "/api/v1/volunteers",
            Some(json!({
                "first_name": "Łucja", "last_name": "Żółkiewska", "email": volunteer_email,
                "birth_date": "1990-05-05", "kinds": ["senior_company"],
                "districts": ["centrum"], "availability": availability
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let beneficiary = ok_json(
        app.send(
            slug,
            Method::POST,
            "/api/v1/needs/beneficiaries",
            Some(json!({
                "first_name": "Helena", "last_name": "Krawczyk", "phone": "601 234 567",
                "street_address": "ul. Sienkiewicza 12/4", "district": "centrum"
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (
        volunteer["id"].as_str().unwrap().to_owned(),
        beneficiary["id"].as_str().unwrap().to_owned(),
    )
}

/// A need `days` ahead at 10:00–12:00 Polish time, offered to `volunteer`; returns the need and
/// its start in UTC as `YYYYMMDDTHHMMSSZ`.
async fn offer(
    app: &TestApp,
    slug: &str,
    volunteer: &str,
    beneficiary: &str,
    days: i64,
) -> (Value, String) {
    let day = Utc::now().date_naive() + chrono::Duration::days(days);
    let offset = if (4..=9).contains(&day.month()) { 2 } else { 1 };
    let need = ok_json(
        app.send(
            slug,
            Method::POST,
            "/api/v1/needs",
            Some(json!({
                "kind": "senior_company", "title": "Spacer z panią Heleną",
                "description": "Spacer do parku i zakupy w piekarni.",
                "beneficiary_id": beneficiary, "district": "centrum",
                "when": {
                    "starts_at": format!("{day}T10:00:00+0{offset}:00"),
                    "ends_at": format!("{day}T12:00:00+0{offset}:00"),
                },
                "safety_info": "Schody strome; w mieszkaniu kot.",
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = need["id"].as_str().unwrap();
    ok_json(
        app.send(
            slug,
            Method::POST,
            &format!("/api/v1/needs/{id}/offers"),
            Some(json!({ "volunteer_ids": [volunteer] })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let start = format!("{}T{:02}0000Z", day.format("%Y%m%d"), 10 - offset);
    (need, start)
}

fn parse(message: &Received) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(message.data.as_bytes())
        .expect("a parsable message")
}

fn subject(message: &Received) -> String {
    parse(message).subject().unwrap_or_default().to_owned()
}

/// Messages to `to` whose subject starts with `prefix`.
fn mails<'a>(smtp: &'a [Received], to: &str, prefix: &str) -> Vec<&'a Received> {
    smtp.iter()
        .filter(|m| m.to.iter().any(|t| t.contains(to)) && subject(m).starts_with(prefix))
        .collect()
}

async fn wait_for_mail(smtp: &SmtpServer, to: &str, prefix: &str, within: Duration) -> Received {
    eventually(
        within,
        &format!("an email “{prefix}…” to {to}"),
        || async {
            mails(&smtp.received(), to, prefix)
                .first()
                .map(|m| (*m).clone())
        },
    )
    .await
}

/// The link's secret in an offer or confirmation email's text.
fn secret_in(message: &Received) -> String {
    let text = parse(message).body_text(0).unwrap().into_owned();
    text.split("#token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned()
}

/// The volunteer accepts the offer with the link from the email itself, as from a mail client.
async fn accept(app: &TestApp, slug: &str, offer_mail: &Received) {
    let answer = app
        .at(slug, Method::POST, "/api/v1/needs/offer-links/acceptance")
        .json(&json!({ "token": secret_in(offer_mail) }))
        .send()
        .await
        .unwrap();
    ok_json(answer, StatusCode::OK).await;
}

/// The office's delivery log, newest first.
async fn log(app: &TestApp, slug: &str, query: &str) -> Vec<Value> {
    let page = ok_json(
        app.send(
            slug,
            Method::GET,
            &format!("/api/v1/notifications/deliveries?limit=100{query}"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_assignment_produces_exactly_one_well_formed_email_with_its_invitation() {
    let smtp = SmtpServer::start().await;
    let app = platform(&smtp, json!({})).await;
    let (volunteer, beneficiary) = office(&app, "kielce", "lucja@example.pl").await;
    let (_, starts) = offer(&app, "kielce", &volunteer, &beneficiary, 4).await;

    // The offer arrives; the volunteer answers with the link from the email itself.
    let offer_mail = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Propozycja:",
        Duration::from_secs(20),
    )
    .await;
    accept(&app, "kielce", &offer_mail).await;

    let mail = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Potwierdzenie:",
        Duration::from_secs(20),
    )
    .await;
    assert!(
        mail.data.is_ascii(),
        "headers and bodies travel 7-bit, Polish letters encoded"
    );
    let parsed = parse(&mail);
    assert_eq!(
        parsed.subject(),
        Some("Potwierdzenie: Spacer z panią Heleną")
    );
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("OPS kielce"));
    assert_eq!(from.address(), Some("wolontariat@kielce.example"));
    assert_eq!(
        parsed.reply_to().unwrap().first().unwrap().address(),
        Some("wolontariat@kielce.example")
    );
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("Łucja Żółkiewska"), Some("lucja@example.pl"))
    );
    let text = parsed.body_text(0).unwrap();
    assert!(text.starts_with("Dzień dobry, Łucja!"), "{text}");
    assert!(text.contains("Ważne dla Twojego bezpieczeństwa: Schody strome; w mieszkaniu kot."));
    assert!(!text.contains("Sienkiewicza"), "no address in an email");
    assert!(
        parsed
            .body_html(0)
            .unwrap()
            .contains("Spacer z panią Heleną")
    );

    // One-click unsubscribe, signed, at the office's address.
    let unsubscribe = parsed
        .header_raw("List-Unsubscribe")
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        unsubscribe.starts_with("<http://kielce.localhost:8080/wolontariat/wypisz?token="),
        "{unsubscribe}"
    );
    assert_eq!(
        parsed.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );

    // The calendar invitation: offered inline (method=REQUEST) and attached.
    let calendar = parsed
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
                && p.attachment_name().is_none()
        })
        .expect("a text/calendar alternative");
    assert_eq!(
        calendar.content_type().unwrap().attribute("method"),
        Some("REQUEST")
    );
    let attachment = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some("zaproszenie.ics"))
        .expect("the .ics attachment");
    let ics = String::from_utf8(attachment.contents().to_vec())
        .unwrap()
        .replace("\r\n ", "");
    for line in [
        "METHOD:REQUEST".to_owned(),
        format!("DTSTART:{starts}"),
        "SUMMARY:Spacer z panią Heleną".to_owned(),
        "ATTENDEE;CN=\"Łucja Żółkiewska\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:lucja@example.pl"
            .to_owned(),
    ] {
        assert!(ics.contains(&line), "{line} missing in {ics}");
    }

    // Exactly one: the log has one confirmation, sent on the first attempt, whose Message-ID
    // is the one that arrived — and once everything is final, it arrived once.
    let confirmations = eventually(Duration::from_secs(10), "a final log", || async {
        let all = log(&app, "kielce", "").await;
        all.iter()
            .all(|d| {
                ["sent", "failed", "skipped", "suppressed"].contains(&d["status"].as_str().unwrap())
            })
            .then(|| {
                all.into_iter()
                    .filter(|d| d["template"] == "assignment_confirmed")
                    .collect::<Vec<_>>()
            })
    })
    .await;
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert_eq!(confirmations[0]["status"], "sent");
    assert_eq!(confirmations[0]["attempts"], 1);
    assert_eq!(parsed.message_id(), confirmations[0]["message_id"].as_str());
    let arrived = mails(&smtp.received(), "lucja@example.pl", "Potwierdzenie:").len();
    assert_eq!(arrived, 1);
}

#[tokio::test]
async fn one_click_unsubscribe_stops_that_kind_of_mail_but_security_mail_still_goes() {
    let smtp = SmtpServer::start().await;
    let app = platform(&smtp, json!({})).await;
    let (volunteer, beneficiary) = office(&app, "kielce", "lucja@example.pl").await;
    app.create_user(
        Some("kielce"),
        "lucja@example.pl",
        lacznik_auth::Role::Volunteer,
        Some(volunteer.parse().unwrap()),
        None,
    )
    .await;
    offer(&app, "kielce", &volunteer, &beneficiary, 3).await;
    let first = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Propozycja:",
        Duration::from_secs(20),
    )
    .await;
    let header = parse(&first)
        .header_raw("List-Unsubscribe")
        .unwrap()
        .trim()
        .trim_matches(['<', '>'])
        .to_owned();
    let path = header.split_once("localhost:8080").unwrap().1;

    // What a mail provider does for the "Unsubscribe" button (RFC 8058).
    let clicked = app
        .at("kielce", Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    let answer = ok_json(clicked, StatusCode::OK).await;
    assert_eq!(answer["categories"], json!(["offers"]));

    // A forged or foreign link does nothing.
    let forged = app
        .at("kielce", Method::POST, "/wolontariat/wypisz?token=abc.def")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(forged).await.0, StatusCode::BAD_REQUEST);

    // The next offer is not sent; the log says why.
    offer(&app, "kielce", &volunteer, &beneficiary, 5).await;
    let skipped = eventually(
        Duration::from_secs(20),
        "the second offer to be skipped",
        || async {
            log(&app, "kielce", "&template=offer")
                .await
                .into_iter()
                .find(|d| d["status"] == "skipped")
        },
    )
    .await;
    assert_eq!(skipped["reason"], "preference: no offers mail");

    // Security mail still goes: a sign-in link to the same address.
    let requested = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/login-link")
        .json(&json!({ "email": "lucja@example.pl" }))
        .send()
        .await
        .unwrap();
    assert!(requested.status().is_success(), "{}", requested.status());
    let sign_in = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Logowanie",
        Duration::from_secs(20),
    )
    .await;
    assert!(
        parse(&sign_in).header_raw("List-Unsubscribe").is_none(),
        "security mail cannot be refused"
    );
    assert_eq!(
        mails(&smtp.received(), "lucja@example.pl", "Propozycja:").len(),
        1,
        "only the offer sent before unsubscribing arrived"
    );

    // The settings page behind the link shows the choice.
    let token = path.split("token=").nth(1).unwrap();
    let prefs = ok_json(
        app.at(
            "kielce",
            Method::GET,
            &format!("/api/v1/notifications/link-preferences?token={token}"),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(prefs["address"], "l***@example.pl");
    let offers = prefs["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "offers")
        .unwrap();
    assert_eq!(offers["frequency"], "off");
}

#[tokio::test]
async fn while_redis_is_down_api_writes_succeed_and_the_mail_goes_once_it_is_back() {
    let smtp = SmtpServer::start().await;
    let redis: std::net::SocketAddr = redis_url()
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = TcpProxy::start(redis).await;
    let app = platform(
        &smtp,
        json!({ "redis": { "url": format!("redis://{}/0", proxy.addr) } }),
    )
    .await;
    let (volunteer, beneficiary) = office(&app, "kielce", "lucja@example.pl").await;
    app.coordinator_token("kielce").await; // signed in before the outage

    proxy.cut();
    // The coordinator keeps working: a new volunteer, a need, an offer — all stored.
    ok_json(
        app.send(
            "kielce",
            Method::POST,
            "/api/v1/volunteers",
            Some(
                json!({"first_name": "Jan", "last_name": "Nowak", "email": "jan@example.pl",
                        "birth_date": "1980-01-01"}),
            ),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    offer(&app, "kielce", &volunteer, &beneficiary, 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the relay tries and fails meanwhile
    assert!(
        mails(&smtp.received(), "lucja@example.pl", "Propozycja:").is_empty(),
        "nothing can be sent while Redis is down"
    );
    let waiting = app
        .outbox(Some("kielce"))
        .await
        .iter()
        .filter(|(t, p)| t == "email.requested" && p["template"] == "offer")
        .count();
    assert_eq!(waiting, 1, "the offer's email waits in the outbox");

    proxy.restore().await;
    let mail = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Propozycja:",
        Duration::from_secs(45),
    )
    .await;
    assert_eq!(subject(&mail), "Propozycja: Spacer z panią Heleną");
}

#[tokio::test]
async fn a_kielce_broadcast_to_5000_does_not_hold_back_a_plock_assignment_email() {
    let smtp = SmtpServer::start().await;
    let app = platform(
        &smtp,
        json!({ "notifications": { "tenant_rate_per_sec": 1000, "tenant_burst": 1000, "concurrency": 32 } }),
    )
    .await;
    let kielce = app.create_tenant("kielce").await;
    let (plock_volunteer, plock_beneficiary) = office(&app, "plock", "jan@plock.example.pl").await;

    // 5,000 active volunteers in Kielce (written directly: the broadcast is what is measured).
    let admin = app.db.admin().await;
    use sea_orm::ConnectionTrait;
    admin
        .execute_unprepared(&format!(
            "INSERT INTO volunteers (tenant_id, id, first_name, last_name, email, birth_date, \
             created_at, updated_at, status, kinds, skills, languages, districts, availability) \
             SELECT '{}', gen_random_uuid(), 'Wolontariusz', 'Nr ' || i, \
             'w' || i || '@kielce.example.pl', DATE '1990-01-01', now(), now(), 'active', \
             '[]', '[]', '[]', '[]', '[]' FROM generate_series(1, 5000) AS i",
            kielce.id
        ))
        .await
        .unwrap();
    let broadcast = ok_json(
        app.send(
            "kielce",
            Method::POST,
            "/api/v1/notifications/broadcasts",
            Some(json!({
                "subject": "Widzisz – Reaguj – Zadzwoń",
                "body": "Zima: jeśli widzisz osobę w kryzysie bezdomności, zadzwoń pod 987.\n\nDziękujemy!"
            })),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(broadcast["recipients"], 5000);
    eventually(
        Duration::from_secs(30),
        "the broadcast to start going out",
        || async { (smtp.received().len() >= 100).then_some(()) },
    )
    .await;

    // Płock's volunteer accepts an offer while Kielce's broadcast is under way.
    offer(&app, "plock", &plock_volunteer, &plock_beneficiary, 3).await;
    let offer_mail = wait_for_mail(
        &smtp,
        "jan@plock.example.pl",
        "Propozycja:",
        Duration::from_secs(10),
    )
    .await;
    let accepted_at = std::time::Instant::now();
    accept(&app, "plock", &offer_mail).await;
    wait_for_mail(
        &smtp,
        "jan@plock.example.pl",
        "Potwierdzenie:",
        Duration::from_secs(10),
    )
    .await;
    let took = accepted_at.elapsed();
    let kielce_so_far = mails(&smtp.received(), "@kielce.example.pl", "Widzisz").len();
    assert!(
        kielce_so_far < 5000,
        "Płock's email came {took:?} after the acceptance, but only after all of Kielce's broadcast"
    );
    eprintln!(
        "Płock's confirmation arrived {took:?} after the acceptance, with {kielce_so_far} of 5000 Kielce emails delivered"
    );

    // The broadcast itself goes on, and the coordinator can follow it.
    let id = broadcast["id"].as_str().unwrap();
    let progress = ok_json(
        app.send(
            "kielce",
            Method::GET,
            &format!("/api/v1/notifications/broadcasts/{id}"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        progress["progress"]["sent"].as_i64().unwrap() > 0,
        "{progress}"
    );
}

#[tokio::test]
async fn bad_input_gets_a_problem_and_writes_nothing() {
    let smtp = SmtpServer::start().await;
    let app = platform(&smtp, json!({})).await;
    app.create_tenant("kielce").await;
    let refused = app
        .send(
            "kielce",
            Method::POST,
            "/api/v1/notifications/broadcasts",
            Some(json!({ "subject": "  ", "body": "", "kinds": ["nie_ma_takiego"] })),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["subject", "body", "kinds[0]"], "{body}");
    let list = ok_json(
        app.send(
            "kielce",
            Method::GET,
            "/api/v1/notifications/broadcasts",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, json!([]));

    for path in [
        "/api/v1/notifications/deliveries?limit=0",
        "/api/v1/notifications/deliveries?cursor=%%%",
        "/api/v1/notifications/deliveries?status=lost",
        "/api/v1/notifications/link-preferences?token=nope",
    ] {
        let response = app.send("kielce", Method::GET, path, None).await;
        assert!(
            response.status().is_client_error(),
            "{path}: {}",
            response.status()
        );
        problem(response).await;
    }
    let missing = app
        .send(
            "kielce",
            Method::POST,
            &format!(
                "/api/v1/notifications/deliveries/{}/resend",
                uuid::Uuid::now_v7()
            ),
            None,
        )
        .await;
    assert_eq!(problem(missing).await.0, StatusCode::NOT_FOUND);
    let refused = app
        .at("kielce", Method::GET, "/api/v1/notifications/deliveries")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn notices_repeated_every_day_are_mailed_once_and_reminders_reach_the_volunteer() {
    let smtp = SmtpServer::start().await;
    let app = platform(&smtp, json!({})).await;
    let (volunteer, beneficiary) = office(&app, "kielce", "lucja@example.pl").await;

    // Booked work reaching day 26 of the engagement, and no signed agreement.
    for days in [2, 25] {
        let start = (Utc::now() + chrono::Duration::days(days))
            .date_naive()
            .and_hms_opt(14, 0, 0)
            .unwrap()
            .and_utc();
        ok_json(
            app.send(
                "kielce",
                Method::POST,
                &format!("/api/v1/volunteers/{volunteer}/assignments"),
                Some(json!({"title": "Odwiedziny", "kind": "senior_company",
                            "starts_at": start, "ends_at": start + chrono::Duration::hours(2)})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    // A criminal-record check that runs out in ten days.
    let checked_on = Utc::now().date_naive() - chrono::Duration::days(355);
    ok_json(
        app.send(
            "kielce",
            Method::POST,
            &format!("/api/v1/volunteers/{volunteer}/checks"),
            Some(json!({"kind": "criminal_record", "checked_on": checked_on})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // The daily job, run twice (two days, or two replicas).
    let tenant = lacznik_identity::store::find_by_slug(&app.db.app().await.platform_db(), "kielce")
        .await
        .unwrap()
        .unwrap();
    let office = lacznik_http::offices::OfficeDirectory::new(&format!(
        "http://{}",
        app.service_addr("identity")
    ));
    let id = lacznik_types::TenantId::from_uuid(tenant.id);
    let details = office.get(id, "kielce").await.unwrap();
    let tenants = app.db.app().await.tenant_db();
    for _ in 0..2 {
        let sent = lacznik_volunteers::notices::send_in_office(&tenants, id, &details)
            .await
            .unwrap();
        assert_eq!(sent, 3, "to the volunteer twice, to the office once");
    }
    let agreement = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Porozumienie",
        Duration::from_secs(20),
    )
    .await;
    assert!(
        parse(&agreement)
            .body_text(0)
            .unwrap()
            .contains("Od 31. dnia współpracy")
    );
    let check = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Zbliża się termin",
        Duration::from_secs(20),
    )
    .await;
    assert!(
        parse(&check)
            .body_text(0)
            .unwrap()
            .contains("zaświadczenie o niekaralności (KRK)")
    );
    wait_for_mail(
        &smtp,
        "wolontariat@kielce.example",
        "Porozumienia do podpisania: 1",
        Duration::from_secs(20),
    )
    .await;

    // A reminder before an assignment, from the needs service's clock: help in five hours.
    let starts = (Utc::now() + chrono::Duration::hours(5))
        .format("%Y-%m-%dT%H:%M:00Z")
        .to_string();
    let ends = (Utc::now() + chrono::Duration::hours(6))
        .format("%Y-%m-%dT%H:%M:00Z")
        .to_string();
    let need = ok_json(
        app.send(
            "kielce",
            Method::POST,
            "/api/v1/needs",
            Some(json!({
                "kind": "senior_company", "title": "Spacer z panią Heleną",
                "description": "Spacer do parku.", "beneficiary_id": beneficiary,
                "district": "centrum", "when": {"starts_at": starts, "ends_at": ends},
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    ok_json(
        app.send(
            "kielce",
            Method::POST,
            &format!("/api/v1/needs/{}/offers", need["id"].as_str().unwrap()),
            Some(json!({ "volunteer_ids": [volunteer] })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let offer_mail = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Propozycja:",
        Duration::from_secs(20),
    )
    .await;
    accept(&app, "kielce", &offer_mail).await;
    let deps = lacznik_needs::Deps {
        settings: lacznik_needs::settings::NeedsSettings::from_config(&app.db.config()),
        volunteers: std::sync::Arc::new(lacznik_needs::volunteers::VolunteersClient::new(
            &format!("http://{}", app.service_addr("volunteers")),
        )),
        offices: std::sync::Arc::new(office),
    };
    let context = lacznik_http::TenantContext {
        id,
        slug: "kielce".into(),
    };
    let swept = lacznik_needs::sweep::sweep_office(&tenants, &deps, &context)
        .await
        .unwrap();
    assert_eq!(swept.reminders, 1, "{need}");
    let reminder = wait_for_mail(
        &smtp,
        "lucja@example.pl",
        "Przypomnienie:",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(subject(&reminder), "Przypomnienie: Spacer z panią Heleną");

    let settled = eventually(Duration::from_secs(10), "every email settled", || async {
        let all = log(&app, "kielce", "").await;
        all.iter().all(|d| d["status"] == "sent").then_some(all)
    })
    .await;
    let count = |template: &str| settled.iter().filter(|d| d["template"] == template).count();
    assert_eq!(
        (
            count("agreement_due"),
            count("check_expiring"),
            count("agreement_due_office")
        ),
        (1, 1, 1)
    );
}
