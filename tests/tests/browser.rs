//! What a person does with the link in an email, in a real headless Chromium: open the
//! password-reset page of their office, type a new password twice, and sign in with it; the
//! same link a second time says it has been used. And the public volunteer pages: a minor signs
//! up on the office's form, confirms by the emailed link, and a parent consents by theirs.
//!
//! Needs `chromedriver` (Debian: `chromium-driver`) on the PATH, or its path in
//! `LACZNIK_TEST_CHROMEDRIVER`; `.ci/run` installs it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use lacznik_auth::Role;
use lacznik_testkit::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A chromedriver of our own on a free port, and a headless Chromium session through it.
async fn browser() -> (tokio::process::Child, Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver =
        std::env::var("LACZNIK_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = tokio::process::Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {driver} (Debian package chromium-driver): {e}"));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage"
        ] }),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let connected =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
        match connected {
            Ok(client) => return (child, client),
            Err(error) if std::time::Instant::now() < deadline => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("chromedriver did not start a session: {error}"),
        }
    }
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_password_reset_link_opens_a_page_that_sets_the_new_password_once() {
    let app = TestApp::spawn().await;
    let office = app.create_tenant("kielce").await;
    app.create_user(
        Some("kielce"),
        "anna@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    let asked = app
        .at(
            "kielce",
            Method::POST,
            "/api/v1/identity/auth/password-reset",
        )
        .json(&json!({ "email": "anna@example.pl" }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox(Some("kielce")).await;
    let link = outbox.last().unwrap().1["link"]
        .as_str()
        .unwrap()
        .to_owned();
    // The email's link, opened at this test's gateway (by path prefix: its port is random).
    let (path, fragment) = link
        .split_once("/konto/")
        .map(|(_, rest)| rest.split_once('#').unwrap())
        .unwrap();
    let url = format!("http://{}/t/kielce/konto/{path}#{fragment}", app.gateway);

    // Served with a strict policy: no caching, no referrer, no framing, scripts from itself.
    let page = app
        .raw(Method::GET, &format!("/t/kielce/konto/{path}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );

    let (_driver, browser) = browser().await;
    browser.goto(&url).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Ustaw nowe hasło");
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&format!(
            "//div[@id='office' and text()='{}']",
            office.name
        )))
        .await
        .expect("the page names the office");
    browser
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("Nowe-hasło-z-przeglądarki")
        .await
        .unwrap();
    browser
        .find(Locator::Id("repeat"))
        .await
        .unwrap()
        .send_keys("Nowe-hasło-z-przeglądarki")
        .await
        .unwrap();
    browser
        .find(Locator::Id("submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = text_of(&browser, "#message.ok").await;
    assert!(done.contains("Hasło zostało zmienione"), "{done}");

    let signed_in = app
        .login_response(
            Some("kielce"),
            "anna@example.pl",
            "Nowe-hasło-z-przeglądarki",
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);

    // The same link again: the page says it has been used. (Leave the page first: the same
    // address with only a new fragment would not load it anew.)
    browser.goto("about:blank").await.unwrap();
    browser.goto(&url).await.unwrap();
    for id in ["password", "repeat"] {
        browser
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id(id))
            .await
            .unwrap()
            .send_keys("Jeszcze-inne-hasło-1")
            .await
            .unwrap();
    }
    browser
        .find(Locator::Id("submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let refused = text_of(&browser, "#message.error").await;
    assert!(refused.contains("został już użyty"), "{refused}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_invited_volunteer_accepts_in_the_browser_without_choosing_a_password() {
    let app = TestApp::spawn().await;
    app.create_tenant("plock").await;
    let profile = app.create_volunteer("plock", "tomek@example.pl").await;
    let invited = app
        .as_coordinator("plock", Method::POST, "/api/v1/identity/invitations")
        .await
        .json(&json!({ "email": "tomek@example.pl", "volunteer_id": profile["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), StatusCode::CREATED);
    let outbox = app.outbox(Some("plock")).await;
    let link = outbox.last().unwrap().1["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let fragment = link.split_once('#').unwrap().1;
    let url = format!(
        "http://{}/t/plock/konto/zaproszenie#{fragment}",
        app.gateway
    );

    let (_driver, browser) = browser().await;
    browser.goto(&url).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Przyjmij zaproszenie");
    // Without a name the API's field error is shown, and nothing is used up.
    browser
        .find(Locator::Id("submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let refused = text_of(&browser, "#message.error").await;
    assert!(refused.contains("Podaj imię i nazwisko"), "{refused}");
    browser
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Tomasz Kowalczyk")
        .await
        .unwrap();
    browser
        .find(Locator::Id("submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = text_of(&browser, "#message.ok").await;
    assert!(done.contains("konto jest aktywne"), "{done}");
    browser.close().await.unwrap();

    // The account exists, as a volunteer of Płock bound to the profile; it signs in by link.
    let asked = app
        .at("plock", Method::POST, "/api/v1/identity/auth/login-link")
        .json(&json!({ "email": "tomek@example.pl" }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox(Some("plock")).await;
    assert_eq!(outbox.last().unwrap().1["template"], "login_link");
    assert_eq!(outbox.last().unwrap().1["to_name"], "Tomasz Kowalczyk");
}

/// Types into the field with id `id`, after clearing it.
async fn type_into(browser: &Client, id: &str, text: &str) {
    let field = browser.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// With `LACZNIK_TEST_SCREENSHOTS=<dir>`, writes a screenshot of the whole page to
/// `<dir>/<name>.png` (the window grows to the page's height for it), to look the pages over.
async fn screenshot(browser: &Client, name: &str) {
    let Ok(dir) = std::env::var("LACZNIK_TEST_SCREENSHOTS") else {
        return;
    };
    // The page's height, measured in a short window (or it would be the window's height), plus
    // what the window itself takes.
    browser.set_window_size(1200, 400).await.unwrap();
    let sizes = browser
        .execute(
            "window.scrollTo(0, 0); \
             return [document.documentElement.scrollHeight, outerHeight - innerHeight];",
            Vec::new(),
        )
        .await
        .unwrap();
    let height = sizes[0].as_u64().unwrap() + sizes[1].as_u64().unwrap();
    browser
        .set_window_size(1200, u32::try_from(height).unwrap())
        .await
        .unwrap();
    let png = browser.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    browser.set_window_size(1200, 900).await.unwrap();
}

/// The link of the last email from office `slug` made from `template`, opened at this test's
/// gateway (by path prefix: its port is random); and the address it went to.
async fn emailed_link(app: &TestApp, slug: &str, template: &str) -> (String, String) {
    let outbox = app.outbox(Some(slug)).await;
    let (_, email) = outbox
        .iter()
        .rev()
        .find(|(_, payload)| payload["template"] == template)
        .unwrap_or_else(|| panic!("no {template} email in {outbox:?}"));
    let link = email["link"].as_str().unwrap();
    let (path, fragment) = link
        .split_once("/wolontariat/")
        .map(|(_, rest)| rest.split_once('#').unwrap())
        .unwrap();
    (
        format!(
            "http://{}/t/{slug}/wolontariat/{path}#{fragment}",
            app.gateway
        ),
        email["to"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_sixteen_year_old_signs_up_in_the_browser_and_a_parent_consents_by_link() {
    let app = TestApp::spawn().await;
    let office = app.create_tenant("kielce").await;
    let districts = app
        .as_coordinator(
            "kielce",
            Method::PUT,
            "/api/v1/volunteers/catalogue/districts",
        )
        .await
        .json(&json!([
            { "code": "centrum", "name": "Centrum", "neighbours": ["bocianek"] },
            { "code": "bocianek", "name": "Bocianek", "neighbours": ["ksm"] },
            { "code": "ksm", "name": "KSM", "neighbours": [] }
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(districts.status(), StatusCode::OK);

    // The pages are the gateway's, served with a strict policy, and only for a real office.
    let page = app
        .raw(Method::GET, "/t/kielce/wolontariat/zgloszenie")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let by_host = app
        .at("kielce", Method::GET, "/wolontariat/zgloszenie")
        .send()
        .await
        .unwrap();
    assert_eq!(by_host.status(), StatusCode::OK);
    let unknown = app
        .raw(Method::GET, "/t/nieznany/wolontariat/zgloszenie")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let (_driver, browser) = browser().await;
    browser.set_window_size(1200, 900).await.unwrap();
    browser
        .goto(&format!(
            "http://{}/t/kielce/wolontariat/zgloszenie",
            app.gateway
        ))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Zgłoś się na wolontariusza");
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&format!(
            "//span[@class='office-name' and text()='{}']",
            office.name
        )))
        .await
        .expect("the page names the office");
    // The office's districts and the shared kinds of help, from the catalogue, as checkboxes.
    assert_eq!(text_of(&browser, "label[for='districts-ksm']").await, "KSM");
    text_of(&browser, "#kinds-tutoring").await;
    text_of(&browser, "#guardian[hidden]").await;

    type_into(&browser, "first_name", "Julia").await;
    type_into(&browser, "last_name", "Nowak").await;
    type_into(&browser, "email", "julia.nowak@").await;
    type_into(&browser, "phone", "601 234 567").await;

    // A ten-year-old cannot sign up themselves: the page says so, with no guardian section.
    let today = chrono::Utc::now().date_naive();
    let ten = today
        .checked_sub_months(chrono::Months::new(10 * 12))
        .unwrap();
    type_into(&browser, "birth_day", &ten.format("%d").to_string()).await;
    type_into(&browser, "birth_month", &ten.format("%m").to_string()).await;
    type_into(&browser, "birth_year", &ten.format("%Y").to_string()).await;
    let refused = text_of(&browser, "#too-young:not([hidden])").await;
    assert!(refused.contains("ukończyła 13 lat"), "{refused}");
    text_of(&browser, "#guardian[hidden]").await;
    text_of(&browser, "#submit[disabled]").await;

    // Sixteen: the guardian section appears.
    let sixteen = today
        .checked_sub_months(chrono::Months::new(16 * 12 + 3))
        .unwrap();
    type_into(&browser, "birth_day", &sixteen.format("%d").to_string()).await;
    type_into(&browser, "birth_month", &sixteen.format("%m").to_string()).await;
    type_into(&browser, "birth_year", &sixteen.format("%Y").to_string()).await;
    let note = text_of(&browser, "#guardian:not([hidden])").await;
    assert!(note.contains("zgodą rodzica lub opiekuna"), "{note}");
    text_of(&browser, "#too-young[hidden]").await;
    type_into(&browser, "guardian_name", "Katarzyna Nowak").await;
    type_into(&browser, "guardian_email", "katarzyna.nowak@example.pl").await;

    for id in [
        "kinds-tutoring",
        "kinds-animal_shelter",
        "districts-centrum",
        "districts-bocianek",
        "languages-en",
    ] {
        browser
            .find(Locator::Id(id))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    browser
        .find(Locator::Id("weekday_0"))
        .await
        .unwrap()
        .select_by_value("tue")
        .await
        .unwrap();
    type_into(&browser, "start_0", "16:00").await;
    type_into(&browser, "end_0", "19:00").await;
    type_into(&browser, "max_hours_per_week", "6").await;
    type_into(
        &browser,
        "motivation",
        "Lubię pomagać młodszym dzieciom w lekcjach.",
    )
    .await;
    // Without a mouse: the consent is ticked with the space bar.
    browser
        .find(Locator::Id("data_processing_consent"))
        .await
        .unwrap()
        .send_keys(" ")
        .await
        .unwrap();
    assert!(
        browser
            .find(Locator::Id("data_processing_consent"))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    );
    screenshot(&browser, "zgloszenie").await;

    // The office refuses the address: its Polish message is shown next to the field, the field
    // is marked and described by it, and the summary at the top links to it.
    browser
        .find(Locator::Id("submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = text_of(&browser, "#email-error:not([hidden])").await;
    assert!(error.contains("Podaj poprawny adres e-mail"), "{error}");
    let email = browser.find(Locator::Id("email")).await.unwrap();
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        email
            .attr("aria-describedby")
            .await
            .unwrap()
            .unwrap()
            .contains("email-error")
    );
    let summary = text_of(&browser, "#summary:not([hidden])").await;
    assert!(
        summary.contains("Adres e-mail: Podaj poprawny"),
        "{summary}"
    );
    screenshot(&browser, "zgloszenie-blad").await;
    assert!(
        app.outbox(Some("kielce"))
            .await
            .iter()
            .all(|(_, p)| p["template"] != "signup_confirmation"),
        "nothing is sent for a refused form"
    );

    // Corrected, and sent with the Enter key.
    type_into(&browser, "email", "julia.nowak@example.pl").await;
    browser
        .find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(&fantoccini::key::Key::Enter.to_string())
        .await
        .unwrap();
    let done = text_of(&browser, "#done:not([hidden])").await;
    assert!(done.contains("wysłaliśmy link potwierdzający"), "{done}");
    text_of(&browser, "#form[hidden]").await;
    screenshot(&browser, "zgloszenie-wyslane").await;

    // The confirmation link from the email, opened in the browser.
    let (confirm_url, to) = emailed_link(&app, "kielce", "signup_confirmation").await;
    assert_eq!(to, "julia.nowak@example.pl");
    browser.goto(&confirm_url).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Potwierdzenie zgłoszenia");
    let confirmed = text_of(&browser, "#done:not([hidden])").await;
    assert!(confirmed.contains("Zgłoszenie potwierdzone"), "{confirmed}");
    let pending = text_of(&browser, "#guardian-pending:not([hidden])").await;
    assert!(pending.contains("rodzica lub opiekuna"), "{pending}");
    assert!(
        !browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("token"),
        "the secret leaves the address bar once used"
    );
    screenshot(&browser, "potwierdzenie").await;

    // The same link again: it has been used; the page says so and links back to the form.
    browser.goto("about:blank").await.unwrap();
    browser.goto(&confirm_url).await.unwrap();
    let used = text_of(&browser, "#failed:not([hidden])").await;
    assert!(used.contains("został już użyty"), "{used}");
    text_of(&browser, "#back:not([hidden]) a[href='zgloszenie']").await;

    // The parent's link: what they agree to, and the button.
    let (consent_url, to) = emailed_link(&app, "kielce", "guardian_consent").await;
    assert_eq!(to, "katarzyna.nowak@example.pl");
    browser.goto("about:blank").await.unwrap();
    browser.goto(&consent_url).await.unwrap();
    assert_eq!(
        text_of(&browser, "h1").await,
        "Zgoda rodzica lub opiekuna prawnego"
    );
    let terms = text_of(&browser, "#consent:not([hidden])").await;
    assert!(
        terms.contains("o działalności pożytku publicznego i o wolontariacie"),
        "{terms}"
    );
    screenshot(&browser, "zgoda-opiekuna").await;
    browser
        .find(Locator::XPath("//button[text()='Wyrażam zgodę']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let thanks = text_of(&browser, "#done:not([hidden])").await;
    assert!(thanks.contains("Dziękujemy"), "{thanks}");
    assert!(thanks.contains("Julia"), "{thanks}");
    text_of(&browser, "#consent[hidden]").await;
    screenshot(&browser, "zgoda-opiekuna-zapisana").await;
    browser.close().await.unwrap();

    // What the office now has: an applicant with the profile from the form, and both consents.
    let page = app.get_json("kielce", "/api/v1/volunteers").await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let volunteer = &items[0];
    assert_eq!(volunteer["email"], "julia.nowak@example.pl");
    assert_eq!(volunteer["status"], "applicant");
    assert_eq!(volunteer["age"], 16);
    assert_eq!(volunteer["kinds"], json!(["tutoring", "animal_shelter"]));
    let mut districts: Vec<&str> = volunteer["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    districts.sort_unstable();
    assert_eq!(districts, ["bocianek", "centrum"]);
    assert_eq!(volunteer["languages"], json!(["en"]));
    assert_eq!(
        volunteer["availability"],
        json!([{ "weekday": "tue", "start": "16:00", "end": "19:00" }])
    );
    assert_eq!(volunteer["max_hours_per_week"], 6);
    let consents = app
        .get_json(
            "kielce",
            &format!(
                "/api/v1/volunteers/{}/consents",
                volunteer["id"].as_str().unwrap()
            ),
        )
        .await;
    let mut kinds: Vec<&str> = consents
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["data_processing", "guardian"], "{consents}");
    let guardian = consents
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "guardian")
        .unwrap();
    assert_eq!(guardian["given_by"], "Katarzyna Nowak");
}

#[tokio::test]
async fn a_volunteer_opens_an_emailed_offer_and_accepts_it_in_the_browser() {
    let app = TestApp::spawn().await;
    app.create_tenant("plock").await;
    let coordinator = |method: Method, path: &'static str| {
        let app = &app;
        async move { app.as_coordinator("plock", method, path).await }
    };
    let created = coordinator(Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({
            "first_name": "Kacper", "last_name": "Wiśniewski", "email": "kacper@example.pl",
            "birth_date": "1999-03-14", "kinds": ["shopping_household"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let volunteer = created.json::<serde_json::Value>().await.unwrap()["id"].clone();
    let senior = coordinator(Method::POST, "/api/v1/needs/beneficiaries")
        .await
        .json(&json!({
            "first_name": "Stanisław", "last_name": "Kowalczyk",
            "street_address": "ul. Tumska 8/3", "phone": "+48 24 262 00 00"
        }))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let starts = chrono::Utc::now() + chrono::Duration::days(3);
    let need = coordinator(Method::POST, "/api/v1/needs")
        .await
        .json(&json!({
            "kind": "shopping_household", "title": "Zakupy dla pana Stanisława",
            "description": "Lista zakupów u pana Stanisława; sklep na rogu Tumskiej.",
            "beneficiary_id": senior["id"],
            "when": {"starts_at": starts, "ends_at": starts + chrono::Duration::hours(1)},
            "safety_info": "W mieszkaniu jest pies — pan Stanisław zamknie go w pokoju."
        }))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let offered = app
        .as_coordinator(
            "plock",
            Method::POST,
            &format!("/api/v1/needs/{}/offers", need["id"].as_str().unwrap()),
        )
        .await
        .json(&json!({ "volunteer_ids": [volunteer] }))
        .send()
        .await
        .unwrap();
    assert_eq!(offered.status(), StatusCode::CREATED);

    let (link, to) = emailed_link(&app, "plock", "offer").await;
    assert_eq!(to, "kacper@example.pl");
    let (_process, browser) = browser().await;
    browser.goto(&link).await.unwrap();
    assert_eq!(
        text_of(&browser, "#offer:not([hidden]) #offer-title").await,
        "Zakupy dla pana Stanisława"
    );
    assert_eq!(
        text_of(&browser, "#offer:not([hidden]) #offer-who").await,
        "Stanisław"
    );
    assert!(
        text_of(&browser, "#offer:not([hidden]) #offer-safety")
            .await
            .contains("W mieszkaniu jest pies")
    );
    let page = browser.source().await.unwrap();
    assert!(!page.contains("Tumska 8"), "no address before accepting");
    screenshot(&browser, "oferta").await;
    browser
        .find(Locator::Id("accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = text_of(&browser, "#done:not([hidden]) #done-text").await;
    assert!(done.contains("Zadanie jest Twoje"), "{done}");
    // The confirmation's link opens the same page, now with where to go, and no buttons.
    let (confirmation, to) = emailed_link(&app, "plock", "assignment_confirmed").await;
    assert_eq!(to, "kacper@example.pl");
    browser.goto("about:blank").await.unwrap();
    browser.goto(&confirmation).await.unwrap();
    let again = text_of(&browser, "#done:not([hidden]) #done-text").await;
    assert!(again.contains("jest Twoje"), "{again}");
    assert_eq!(
        text_of(&browser, "#contact:not([hidden]) #contact-address").await,
        "ul. Tumska 8/3"
    );
    screenshot(&browser, "oferta-przyjeta").await;
    assert!(
        !browser
            .find(Locator::Id("answers"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_volunteer_unsubscribes_from_the_link_in_an_email_and_chooses_a_daily_digest() {
    use mail_parser::MessageParser;
    let smtp = lacznik_testkit::smtp::SmtpServer::start().await;
    let app = TestApp::spawn_configured(json!({
        "queue": { "in_process": true, "poll_interval_ms": 50 },
        "notifications": { "smtp_url": smtp.url() },
    }))
    .await;
    app.create_tenant("kielce").await;
    let created = app
        .as_coordinator("kielce", Method::POST, "/api/v1/volunteers")
        .await
        .json(&json!({
            "first_name": "Zofia", "last_name": "Łękawska", "email": "zofia@example.pl",
            "birth_date": "1961-03-14"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let sent = app
        .as_coordinator("kielce", Method::POST, "/api/v1/notifications/broadcasts")
        .await
        .json(&json!({
            "subject": "Widzisz – Reaguj – Zadzwoń",
            "body": "Mróz: jeśli widzisz osobę w kryzysie bezdomności, zadzwoń pod 987."
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    let received = smtp.wait_for(1, Duration::from_secs(20)).await;
    let message = MessageParser::default()
        .parse(received[0].data.as_bytes())
        .unwrap();
    let header = message.header_raw("List-Unsubscribe").unwrap().trim();
    let query = header
        .trim_matches(['<', '>'])
        .split_once("/wolontariat/wypisz")
        .unwrap()
        .1
        .to_owned();

    let (_process, browser) = browser().await;
    browser
        .goto(&format!(
            "http://{}/t/kielce/wolontariat/wypisz{query}",
            app.gateway
        ))
        .await
        .unwrap();
    assert_eq!(
        text_of(&browser, "#settings:not([hidden]) #address").await,
        "z***@example.pl"
    );
    assert_eq!(text_of(&browser, "#link-kinds").await, "komunikaty ośrodka");
    screenshot(&browser, "wypisz").await;
    browser
        .find(Locator::Id("unsubscribe"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = text_of(&browser, "#done:not([hidden]) #done-text").await;
    assert!(done.starts_with("Wypisano"), "{done}");
    assert!(
        browser
            .find(Locator::Id("broadcasts-off"))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    );
    // Offers once a day instead: chosen on the same page and saved.
    browser
        .find(Locator::Id("offers-daily"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .find(Locator::Id("save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The message box already shows the unsubscription: wait for it to say the save went.
    lacznik_testkit::eventually(Duration::from_secs(10), "the save's message", || async {
        let text = text_of(&browser, "#done:not([hidden]) #done-text").await;
        (text == "Zapisano ustawienia powiadomień.").then_some(())
    })
    .await;
    let token = query.trim_start_matches("?token=");
    let prefs: serde_json::Value = app
        .at(
            "kielce",
            Method::GET,
            &format!("/api/v1/notifications/link-preferences?token={token}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let frequency = |category: &str| {
        prefs["choices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == category)
            .unwrap()["frequency"]
            .clone()
    };
    assert_eq!(
        (frequency("broadcasts"), frequency("offers")),
        (json!("off"), json!("daily"))
    );
    browser.close().await.unwrap();
}
