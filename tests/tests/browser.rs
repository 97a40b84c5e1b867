//! What a person does with the link in an email, in a real headless Chromium: open the
//! password-reset page of their office, type a new password twice, and sign in with it; the
//! same link a second time says it has been used.
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
