//! Actions of the needs service through the gateway on PostgreSQL (as `lacznik_app`): shifts
//! with limited places and a waitlist, school classes registered all or nothing with their
//! guardians' consents, the insurer's list, tallies in Polish, and events without names.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::collections::HashSet;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use lacznik_testkit::{TestApp, fields, ok_json, problem};
use lacznik_types::local_time::warsaw;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ACTIONS: &str = "/api/v1/needs/actions";

async fn send(
    app: &TestApp,
    slug: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    app.send(slug, method, path, body).await
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A birth date of someone `years` old (and two months) today, and on a shift next week.
fn aged(years: u32) -> String {
    today()
        .checked_sub_months(Months::new(years * 12 + 2))
        .unwrap()
        .to_string()
}

/// A food collection next week (two days) in office `slug`; its id.
async fn collection(app: &TestApp, slug: &str) -> String {
    let created = ok_json(
        send(
            app,
            slug,
            Method::POST,
            ACTIONS,
            Some(json!({
                "title": "Świąteczna zbiórka żywności", "kind": "food_collection",
                "place": "Lidl, ul. Warszawska 20",
                "starts_on": today() + Duration::days(7), "ends_on": today() + Duration::days(8)
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

/// `hour` (UTC) on the first day of [`collection`].
fn shift_start(hour: u32) -> DateTime<Utc> {
    (today() + Duration::days(7))
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
}

/// A shift of the action on its first day from `hour` (UTC) for four hours; its path.
async fn shift(
    app: &TestApp,
    slug: &str,
    action: &str,
    hour: u32,
    capacity: i32,
    adults_only: bool,
) -> String {
    let starts = shift_start(hour);
    let created = ok_json(
        send(
            app,
            slug,
            Method::POST,
            &format!("{ACTIONS}/{action}/shifts"),
            Some(json!({
                "starts_at": starts, "ends_at": starts + Duration::hours(4),
                "capacity": capacity, "adults_only": adults_only
            })),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    format!(
        "{ACTIONS}/{action}/shifts/{}",
        created["id"].as_str().unwrap()
    )
}

const FIRST_NAMES: [&str; 20] = [
    "Ada", "Bartek", "Celina", "Dawid", "Ewa", "Filip", "Gabriela", "Hubert", "Iga", "Jakub",
    "Kinga", "Łukasz", "Maja", "Natan", "Oliwia", "Paweł", "Róża", "Szymon", "Tola", "Wiktor",
];
const LAST_NAMES: [&str; 20] = [
    "Adamczyk",
    "Bąk",
    "Cieślak",
    "Dudek",
    "Ekiert",
    "Fijałkowski",
    "Górska",
    "Hołownia",
    "Iwańska",
    "Jabłoński",
    "Kaczmarek",
    "Łoś",
    "Mazur",
    "Nowicki",
    "Olszewska",
    "Pietrzak",
    "Rutkowska",
    "Sikora",
    "Tomaszewska",
    "Wróbel",
];

/// Class 3b: twenty 14-year-olds, each with a guardian's consent.
fn class_3b() -> Value {
    let pupils: Vec<Value> = (0..20)
        .map(|i| {
            json!({
                "first_name": FIRST_NAMES[i], "last_name": LAST_NAMES[i],
                "birth_date": aged(14),
                "guardian_name": format!("Anna {}", LAST_NAMES[i]), "guardian_consent": true
            })
        })
        .collect();
    json!({
        "name": "3b", "teacher_name": "Barbara Kowal", "teacher_email": "b.kowal@sp5.example.pl",
        "pupils": pupils
    })
}

fn adult(first_name: &str, last_name: &str) -> Value {
    json!({"first_name": first_name, "last_name": last_name, "birth_date": "1980-05-05"})
}

/// Every event of the needs service in office `slug`.
async fn needs_events(app: &TestApp, slug: &str) -> Vec<(String, Value)> {
    app.outbox(Some(slug))
        .await
        .into_iter()
        .filter(|(topic, _)| topic.starts_with("needs."))
        .collect()
}

/// A shift's sign-ups as "last name, status[, place in line]".
fn statuses(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let line = format!(
                "{} {}",
                s["last_name"].as_str().unwrap(),
                s["status"].as_str().unwrap()
            );
            match s["position"].as_i64() {
                Some(position) => format!("{line} {position}"),
                None => line,
            }
        })
        .collect()
}

#[tokio::test]
async fn a_class_of_twenty_takes_fifteen_places_and_five_wait_with_guardians_on_the_roster() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let action = collection(&app, "kielce").await;
    let shift = shift(&app, "kielce", &action, 9, 15, false).await;

    let registered = ok_json(
        send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/groups"),
            Some(class_3b()),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(registered["registered"], 15);
    assert_eq!(registered["waitlisted"], 5);
    assert_eq!(registered["group"]["name"], "3b");
    let signups = registered["signups"].as_array().unwrap();
    // In the order the teacher listed them: the first fifteen have places, the rest wait.
    assert!(signups[..15].iter().all(|s| s["status"] == "registered"));
    let waiting: Vec<(&str, i64)> = signups[15..]
        .iter()
        .map(|s| {
            assert_eq!(s["status"], "waitlisted");
            (
                s["first_name"].as_str().unwrap(),
                s["position"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        waiting,
        [
            ("Paweł", 1),
            ("Róża", 2),
            ("Szymon", 3),
            ("Tola", 4),
            ("Wiktor", 5)
        ]
    );
    assert!(signups.iter().all(|s| s["minor"] == true));
    assert!(signups.iter().all(|s| s["guardian_consent_at"].is_string()));

    // The action shows the shift full, with no names.
    let detail = app.get_json("kielce", &format!("{ACTIONS}/{action}")).await;
    let shown = &detail["shifts"][0];
    assert_eq!(shown["capacity"], 15);
    assert_eq!(shown["registered"], 15);
    assert_eq!(shown["waitlisted"], 5);
    assert_eq!(shown["free_places"], 0);
    assert!(!detail.to_string().contains("Adamczyk"), "{detail}");

    // The insurer's list: the fifteen with places, each with their guardian.
    let roster = app
        .get_json("kielce", &format!("{ACTIONS}/{action}/roster"))
        .await;
    assert_eq!(roster["people"], 15);
    assert_eq!(roster["minors"], 15);
    let lines = roster["lines"].as_array().unwrap();
    let starts = warsaw(shift_start(9));
    let shift_time = format!(
        "{}–{}",
        starts.format("%d.%m.%Y %H:%M"),
        (starts + Duration::hours(4)).format("%H:%M")
    );
    for line in lines {
        let last = line["last_name"].as_str().unwrap();
        assert_eq!(line["guardian_name"], format!("Anna {last}"));
        assert_eq!(line["group"], "3b");
        assert_eq!(line["minor"], true);
        assert_eq!(line["place"], "Lidl, ul. Warszawska 20");
        assert_eq!(line["shift_time"], shift_time.as_str());
    }
    // The first fifteen, in Polish alphabetical order (Łoś between Kaczmarek and Mazur).
    let on_roster: Vec<&str> = lines
        .iter()
        .map(|l| l["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(on_roster, LAST_NAMES[..15]);

    // Twenty sign-ups reported, none with a name or a birth date.
    let events = needs_events(&app, "kielce").await;
    let signed: Vec<&Value> = events
        .iter()
        .filter(|(topic, _)| topic == "needs.shift.signed_up")
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(signed.len(), 20);
    assert_eq!(
        signed
            .iter()
            .filter(|p| p["status"] == "waitlisted")
            .count(),
        5
    );
    assert!(signed.iter().all(|p| p["minor"] == true));
    let all = format!("{events:?}");
    for name in FIRST_NAMES.iter().chain(LAST_NAMES.iter()) {
        assert!(!all.contains(name), "{name} in {all}");
    }
    assert!(!all.contains(&aged(14)), "a birth date in {all}");
    assert!(!all.contains("Kowal"), "the teacher in {all}");
    app.stop().await;
}

#[tokio::test]
async fn a_class_with_problems_is_refused_whole_naming_each_pupil() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let action = collection(&app, "kielce").await;
    let shift = shift(&app, "kielce", &action, 9, 15, false).await;
    // Someone is already on the shift.
    ok_json(
        send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/signups"),
            Some(adult("Jan", "Nowak")),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let before = app.get_json("kielce", &format!("{shift}/signups")).await;
    let events_before = needs_events(&app, "kielce").await.len();

    let mut class = class_3b();
    class["pupils"][7]["guardian_consent"] = json!(false);
    class["pupils"][12]["guardian_name"] = json!("  ");
    class["pupils"][15]["birth_date"] = json!(aged(12));
    class["pupils"][19] = class["pupils"][2].clone();
    class["teacher_email"] = json!("nie-adres");
    let refused = send(
        &app,
        "kielce",
        Method::POST,
        &format!("{shift}/groups"),
        Some(class),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        fields(&body),
        HashSet::from(
            [
                "pupils[7].guardian_consent",
                "pupils[12].guardian_name",
                "pupils[15].birth_date",
                "pupils[19]",
                "teacher_email",
            ]
            .map(String::from)
        ),
        "{body}"
    );

    // Nothing was written: the shift lists just Jan, and nothing was announced.
    let after = app.get_json("kielce", &format!("{shift}/signups")).await;
    assert_eq!(after, before);
    assert_eq!(statuses(&after).len(), 1);
    assert_eq!(needs_events(&app, "kielce").await.len(), events_before);
    let detail = app.get_json("kielce", &format!("{ACTIONS}/{action}")).await;
    assert_eq!(detail["shifts"][0]["registered"], 1);
    assert_eq!(detail["shifts"][0]["waitlisted"], 0);

    // Too many pupils, or none, is a problem of the list itself.
    for size in [0, 41] {
        let mut class = class_3b();
        class["pupils"] = json!(vec![class["pupils"][0].clone(); size]);
        let refused = send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/groups"),
            Some(class),
        )
        .await;
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "validation_failed");
        assert!(fields(&body).contains("pupils"), "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_place_goes_to_the_first_on_the_waitlist() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let action = collection(&app, "kielce").await;
    let shift = shift(&app, "kielce", &action, 9, 2, false).await;
    let mut ids = Vec::new();
    for (first, last) in [
        ("Anna", "Arendt"),
        ("Beata", "Bielecka"),
        ("Cezary", "Cichy"),
        ("Dorota", "Dąb"),
        ("Emil", "Ek"),
    ] {
        let signed = ok_json(
            send(
                &app,
                "kielce",
                Method::POST,
                &format!("{shift}/signups"),
                Some(adult(first, last)),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(signed["id"].as_str().unwrap().to_owned());
    }
    let list = app.get_json("kielce", &format!("{shift}/signups")).await;
    assert_eq!(
        statuses(&list),
        [
            "Arendt registered",
            "Bielecka registered",
            "Cichy waitlisted 1",
            "Dąb waitlisted 2",
            "Ek waitlisted 3",
        ]
    );

    // The same person twice is refused.
    assert_eq!(
        problem(
            send(
                &app,
                "kielce",
                Method::POST,
                &format!("{shift}/signups"),
                Some(adult("anna", "ARENDT")),
            )
            .await
        )
        .await,
        (StatusCode::CONFLICT, "already_signed_up".into())
    );

    // Beata cancels: Cezary, first in line, gets her place and the line moves up.
    let cancelled = ok_json(
        send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/signups/{}/cancellation", ids[1]),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["signup"]["status"], "cancelled");
    assert_eq!(cancelled["promoted_signup_id"], ids[2].as_str());
    // Emil leaves the waitlist: nobody is promoted, Dorota stays first.
    let left = ok_json(
        send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/signups/{}/cancellation", ids[4]),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(left["promoted_signup_id"], Value::Null);
    let list = app.get_json("kielce", &format!("{shift}/signups")).await;
    assert_eq!(
        statuses(&list),
        [
            "Arendt registered",
            "Cichy registered",
            "Dąb waitlisted 1",
            "Bielecka cancelled",
            "Ek cancelled",
        ]
    );
    let again = send(
        &app,
        "kielce",
        Method::POST,
        &format!("{shift}/signups/{}/cancellation", ids[1]),
        None,
    )
    .await;
    assert_eq!(
        problem(again).await,
        (StatusCode::CONFLICT, "already_cancelled".into())
    );

    // Check-in: only for someone with a place, once.
    let check_in = |i: usize| format!("{shift}/signups/{}/check-in", ids[i]);
    let checked = ok_json(
        send(&app, "kielce", Method::POST, &check_in(0), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(checked["status"], "checked_in");
    assert!(checked["checked_in_at"].is_string());
    for (i, code) in [
        (0, "already_checked_in"),
        (3, "not_registered"),
        (1, "not_registered"),
    ] {
        assert_eq!(
            problem(send(&app, "kielce", Method::POST, &check_in(i), None).await).await,
            (StatusCode::CONFLICT, code.into()),
            "signup {i}"
        );
    }
    // Statistics hear of cancellations (with whoever moved up) and of arrivals.
    let outbox = app.outbox(Some("kielce")).await;
    let cancelled_events: Vec<&Value> = outbox
        .iter()
        .filter(|(t, _)| t == "needs.shift.signup_cancelled")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(cancelled_events.len(), 2);
    assert_eq!(cancelled_events[0]["promoted_signup_id"], ids[2].as_str());
    assert_eq!(cancelled_events[1]["was"], "waitlisted");
    let arrivals = outbox
        .iter()
        .filter(|(t, p)| t == "needs.shift.checked_in" && p["signup_id"] == ids[0].as_str())
        .count();
    assert_eq!(arrivals, 1);
    // A checked-in person still holds a place and is on the insurer's list.
    let roster = app
        .get_json("kielce", &format!("{ACTIONS}/{action}/roster"))
        .await;
    let on_roster: Vec<(&str, bool)> = roster["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["last_name"].as_str().unwrap(),
                l["checked_in"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(on_roster, [("Arendt", true), ("Cichy", false)]);
    let refused = send(
        &app,
        "kielce",
        Method::POST,
        &format!("{shift}/signups/{}/cancellation", ids[0]),
        None,
    )
    .await;
    assert_eq!(
        problem(refused).await,
        (StatusCode::CONFLICT, "already_checked_in".into())
    );
    app.stop().await;
}

#[tokio::test]
async fn ages_and_guardians_decide_who_may_take_part() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let action = collection(&app, "kielce").await;
    let adults = shift(&app, "kielce", &action, 9, 10, true).await;
    let open = shift(&app, "kielce", &action, 13, 10, false).await;
    let person = |years: u32, guardian: Option<&str>, consent: bool| {
        json!({
            "first_name": "Ola", "last_name": "Zając", "birth_date": aged(years),
            "guardian_name": guardian, "guardian_consent": consent
        })
    };
    let sign_up = |path: &str, body: Value| {
        let path = format!("{path}/signups");
        let app = &app;
        async move { send(app, "kielce", Method::POST, &path, Some(body)).await }
    };

    // A 16-year-old, even with consent, is refused on an adults-only shift.
    assert_eq!(
        problem(sign_up(&adults, person(16, Some("Marek Zając"), true)).await).await,
        (StatusCode::CONFLICT, "adults_only".into())
    );
    // A minor needs a guardian's name and consent; under 13, nobody takes part.
    let missing: Value = sign_up(&open, person(16, None, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(missing["code"], "validation_failed");
    assert_eq!(
        fields(&missing),
        HashSet::from(["guardian_name".into(), "guardian_consent".into()])
    );
    let young: Value = sign_up(&open, person(12, Some("Marek Zając"), true))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fields(&young), HashSet::from(["birth_date".into()]));
    let blank: Value = sign_up(&open, json!({"first_name": " ", "guardian_consent": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        fields(&blank),
        HashSet::from(["first_name".into(), "last_name".into(), "birth_date".into()])
    );
    assert!(
        app.get_json("kielce", &format!("{open}/signups"))
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    // With the guardian's consent recorded, a 16-year-old signs up.
    let signed = ok_json(
        sign_up(&open, person(16, Some("Marek Zając"), true)).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(signed["status"], "registered");
    assert_eq!(signed["minor"], true);
    assert_eq!(signed["guardian_name"], "Marek Zając");
    assert!(signed["guardian_consent_at"].is_string());
    // An adult needs no guardian, and one named anyway is not kept.
    let adult = ok_json(
        sign_up(&adults, person(30, Some("Nikt"), false)).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(adult["minor"], false);
    assert_eq!(adult["guardian_name"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn tallies_from_two_shifts_add_up_per_measure_in_polish() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let action = collection(&app, "kielce").await;
    let morning = shift(&app, "kielce", &action, 8, 10, false).await;
    let afternoon = shift(&app, "kielce", &action, 13, 10, false).await;
    let shift_id = |path: &str| path.rsplit('/').next().unwrap().to_owned();
    let tallies = format!("{ACTIONS}/{action}/tallies");
    for (shift, measure, amount) in [
        (&morning, "kilograms", 1000.25),
        (&afternoon, "kilograms", 234.25),
        (&morning, "parcels", 120.0),
        (&afternoon, "parcels", 192.0),
        (&afternoon, "people_served", 1.0),
    ] {
        let recorded = ok_json(
            send(
                &app,
                "kielce",
                Method::POST,
                &tallies,
                Some(json!({"shift_id": shift_id(shift), "measure": measure, "amount": amount})),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(recorded["measure"], measure);
    }

    // Bad entries are refused and write nothing.
    let other_action = collection(&app, "kielce").await;
    let elsewhere = shift(&app, "kielce", &other_action, 8, 10, false).await;
    for (body, field) in [
        (json!({"measure": "kilograms", "amount": -1}), "amount"),
        (json!({"measure": "parcels", "amount": 2.5}), "amount"),
        (
            json!({"measure": "kilograms", "amount": 5, "shift_id": shift_id(&elsewhere)}),
            "shift_id",
        ),
    ] {
        let refused: Value = send(&app, "kielce", Method::POST, &tallies, Some(body))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(fields(&refused), HashSet::from([field.to_owned()]));
    }

    let listed = app.get_json("kielce", &tallies).await;
    assert_eq!(listed["entries"].as_array().unwrap().len(), 5);
    assert_eq!(
        listed["totals"],
        json!([
            {"measure": "kilograms", "amount": 1234.5, "formatted": "1 234,5 kg"},
            {"measure": "parcels", "amount": 312.0, "formatted": "312 paczek"},
            {"measure": "people_served", "amount": 1.0, "formatted": "1 osoba"},
        ])
    );
    let recorded: Vec<Value> = needs_events(&app, "kielce")
        .await
        .into_iter()
        .filter(|(topic, _)| topic == "needs.tally.recorded")
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(recorded.len(), 5);
    assert_eq!(recorded[0]["action_id"], action.as_str());
    assert_eq!(recorded[0]["shift_id"], shift_id(&morning));
    assert_eq!(recorded[0]["measure"], "kilograms");
    assert_eq!(recorded[0]["amount"], 1000.25);
    app.stop().await;
}

#[tokio::test]
async fn a_volunteer_signs_themself_up_and_sees_no_one_else() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let zofia = app.create_volunteer("kielce", "zofia@example.pl").await;
    let zofia_id = zofia["id"].as_str().unwrap().to_owned();
    app.create_user(
        Some("kielce"),
        "zofia@example.pl",
        lacznik_auth::Role::Volunteer,
        Some(zofia_id.parse().unwrap()),
        None,
    )
    .await;
    let token = app.login(Some("kielce"), "zofia@example.pl").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let as_zofia = |method, path: &str| app.at("kielce", method, path).bearer_auth(&token);
    let action = collection(&app, "kielce").await;
    let shift = shift(&app, "kielce", &action, 9, 1, false).await;
    // Someone without a profile takes the one place first.
    ok_json(
        send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/signups"),
            Some(adult("Jan", "Nowak")),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // Volunteers see actions and how full shifts are.
    let list: Value = as_zofia(Method::GET, ACTIONS)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["title"], "Świąteczna zbiórka żywności");

    let signed = ok_json(
        as_zofia(Method::POST, &format!("{shift}/signups"))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(signed["volunteer_id"], zofia_id.as_str());
    assert_eq!(signed["first_name"], "Zofia");
    assert_eq!(signed["last_name"], "Wiśniewska");
    assert_eq!(signed["birth_date"], "1961-03-14");
    assert_eq!(signed["status"], "waitlisted");
    assert_eq!(signed["position"], 1);

    let twice = as_zofia(Method::POST, &format!("{shift}/signups"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(twice).await,
        (StatusCode::CONFLICT, "already_signed_up".into())
    );
    // Nor can the coordinator put her on twice by her id.
    assert_eq!(
        problem(
            send(
                &app,
                "kielce",
                Method::POST,
                &format!("{shift}/signups"),
                Some(json!({"volunteer_id": zofia_id})),
            )
            .await
        )
        .await,
        (StatusCode::CONFLICT, "already_signed_up".into())
    );

    // She sees her own place on the shift and nobody's name.
    let detail: Value = as_zofia(Method::GET, &format!("{ACTIONS}/{action}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shown = &detail["shifts"][0];
    assert_eq!(shown["registered"], 1);
    assert_eq!(shown["waitlisted"], 1);
    assert_eq!(shown["my_signup"]["status"], "waitlisted");
    assert_eq!(shown["my_signup"]["position"], 1);
    assert!(!detail.to_string().contains("Nowak"), "{detail}");
    for path in [
        format!("{shift}/signups"),
        format!("{ACTIONS}/{action}/roster"),
    ] {
        assert_eq!(
            problem(as_zofia(Method::GET, &path).send().await.unwrap()).await,
            (StatusCode::FORBIDDEN, "forbidden".into()),
            "{path}"
        );
    }
    // She cannot sign up anyone else, nor cancel Jan's place.
    let jan = app.get_json("kielce", &format!("{shift}/signups")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let others = as_zofia(Method::POST, &format!("{shift}/signups"))
        .json(&adult("Ktoś", "Inny"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(others).await.0, StatusCode::FORBIDDEN);
    let not_hers = as_zofia(Method::POST, &format!("{shift}/signups/{jan}/cancellation"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(not_hers).await.0, StatusCode::NOT_FOUND);
    // Her own she can cancel.
    let own = signed["id"].as_str().unwrap();
    let cancelled = as_zofia(Method::POST, &format!("{shift}/signups/{own}/cancellation"))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);

    // The events name her by id only.
    let events = needs_events(&app, "kielce").await;
    let mine: Vec<&Value> = events
        .iter()
        .filter(|(topic, p)| {
            topic == "needs.shift.signed_up" && p["volunteer_id"] == zofia_id.as_str()
        })
        .map(|(_, p)| p)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["status"], "waitlisted");
    assert_eq!(mine[0]["minor"], false);
    let all = format!("{events:?}");
    for personal in ["Zofia", "Wiśniewska", "1961-03-14", "Nowak"] {
        assert!(!all.contains(personal), "{personal} in {all}");
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_action_input_writes_nothing_and_a_good_one_is_announced() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let refused = send(
        &app,
        "kielce",
        Method::POST,
        ACTIONS,
        Some(json!({
            "title": "   ", "kind": "festival",
            "starts_on": today() + Duration::days(3), "ends_on": today() + Duration::days(2),
            "partner_id": uuid::Uuid::now_v7()
        })),
    )
    .await;
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        fields(&body),
        HashSet::from(["title".into(), "ends_on".into(), "partner_id".into()])
    );
    let unknown_kind = send(
        &app,
        "kielce",
        Method::POST,
        ACTIONS,
        Some(json!({
            "title": "Festyn", "kind": "concert",
            "starts_on": today(), "ends_on": today()
        })),
    )
    .await;
    assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get_json("kielce", ACTIONS).await,
        json!([]),
        "nothing written"
    );
    assert!(needs_events(&app, "kielce").await.is_empty());

    let action = collection(&app, "kielce").await;
    // A shift outside the action's days, ending before it starts, with no places.
    let starts = (today() + Duration::days(30))
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    let bad_shift: Value = send(
        &app,
        "kielce",
        Method::POST,
        &format!("{ACTIONS}/{action}/shifts"),
        Some(json!({
            "starts_at": starts, "ends_at": starts - Duration::hours(1), "capacity": 0
        })),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        fields(&bad_shift),
        HashSet::from(["starts_at".into(), "ends_at".into(), "capacity".into()])
    );

    let events = needs_events(&app, "kielce").await;
    assert_eq!(events.len(), 1, "{events:?}");
    let (topic, payload) = &events[0];
    assert_eq!(topic, "needs.action.created");
    assert_eq!(payload["action_id"], action.as_str());
    assert_eq!(payload["kind"], "food_collection");
    assert_eq!(
        payload["starts_on"],
        (today() + Duration::days(7)).to_string()
    );
    assert_eq!(payload["partner_id"], Value::Null);
    assert!(!payload.to_string().contains("zbiórka"), "no title");
    app.stop().await;
}

#[tokio::test]
async fn another_office_cannot_see_or_touch_an_action() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    let action = collection(&app, "kielce").await;
    let shift = shift(&app, "kielce", &action, 9, 5, false).await;
    let signed = ok_json(
        send(
            &app,
            "kielce",
            Method::POST,
            &format!("{shift}/signups"),
            Some(adult("Jan", "Nowak")),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let signup = signed["id"].as_str().unwrap();

    assert_eq!(app.get_json("plock", ACTIONS).await, json!([]));
    let starts = (today() + Duration::days(7))
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    let cases = [
        (Method::GET, format!("{ACTIONS}/{action}"), None),
        (Method::GET, format!("{ACTIONS}/{action}/roster"), None),
        (Method::GET, format!("{ACTIONS}/{action}/tallies"), None),
        (Method::GET, format!("{shift}/signups"), None),
        (
            Method::POST,
            format!("{ACTIONS}/{action}/shifts"),
            Some(
                json!({"starts_at": starts, "ends_at": starts + Duration::hours(2), "capacity": 3}),
            ),
        ),
        (
            Method::POST,
            format!("{shift}/signups"),
            Some(adult("Ewa", "Obca")),
        ),
        (Method::POST, format!("{shift}/groups"), Some(class_3b())),
        (
            Method::POST,
            format!("{shift}/signups/{signup}/cancellation"),
            None,
        ),
        (
            Method::POST,
            format!("{shift}/signups/{signup}/check-in"),
            None,
        ),
        (
            Method::POST,
            format!("{ACTIONS}/{action}/tallies"),
            Some(json!({"measure": "kilograms", "amount": 1})),
        ),
    ];
    for (method, path, body) in cases {
        assert_eq!(
            problem(send(&app, "plock", method.clone(), &path, body).await).await,
            (StatusCode::NOT_FOUND, "not_found".into()),
            "{method} {path}"
        );
    }
    // Kielce's action is as it was.
    let detail = app.get_json("kielce", &format!("{ACTIONS}/{action}")).await;
    assert_eq!(detail["shifts"].as_array().unwrap().len(), 1);
    assert_eq!(detail["shifts"][0]["registered"], 1);
    app.stop().await;
}

#[tokio::test]
async fn sign_ups_at_once_never_overfill_a_shift() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let action = collection(&app, "kielce").await;
    let shift = shift(&app, "kielce", &action, 9, 3, false).await;
    let path = format!("{shift}/signups");
    let token = app.coordinator_token("kielce").await;
    let last_names = [
        "Kowal",
        "Nowak",
        "Lis",
        "Wójcik",
        "Kamińska",
        "Zieliński",
        "Szymańska",
        "Woźniak",
    ];
    let sign_ups = last_names.map(|last| {
        app.at("kielce", Method::POST, &path)
            .bearer_auth(&token)
            .json(&adult("Ewa", last))
            .send()
    });
    for response in futures_util::future::join_all(sign_ups).await {
        assert_eq!(response.unwrap().status(), StatusCode::CREATED);
    }
    let list = app.get_json("kielce", &path).await;
    let mut seen: Vec<String> = statuses(&list)
        .into_iter()
        .map(|line| line.split_once(' ').unwrap().1.to_owned())
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "registered",
            "registered",
            "registered",
            "waitlisted 1",
            "waitlisted 2",
            "waitlisted 3",
            "waitlisted 4",
            "waitlisted 5"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_actions_api_is_described_next_to_the_volunteers_one() {
    let app = TestApp::spawn().await;
    let spec: Value = app
        .raw(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/needs/actions",
        "/api/v1/needs/actions/{id}/shifts/{shift}/signups",
        "/api/v1/needs/actions/{id}/shifts/{shift}/groups",
        "/api/v1/needs/actions/{id}/roster",
        "/api/v1/needs/actions/{id}/tallies",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing");
    }
    // The insurer's lists of both services keep their own schemas.
    let schemas = &spec["components"]["schemas"];
    assert!(schemas["ActionRosterLine"]["properties"]["guardian_name"].is_object());
    assert!(schemas["RosterLine"]["properties"]["policy_number"].is_object());
    app.stop().await;
}
