//! The embedded default, as a new user meets it: `lacznik demo` in an empty directory, with no
//! configuration and no database server, serves the three seeded offices.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::process::{Child, Command};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn demo(dir: &PathBuf, port: u16) -> Child {
    lacznik(dir, port, "demo")
}

/// `lacznik <command>` in `dir`, the gateway on `port`, nothing but defaults otherwise.
fn lacznik(dir: &PathBuf, port: u16, command: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lacznik"))
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LACZNIK__GATEWAY__LISTEN", format!("127.0.0.1:{port}"))
        .env("LACZNIK__SERVICES__IDENTITY__LISTEN", "127.0.0.1:0")
        .env("LACZNIK__SERVICES__VOLUNTEERS__LISTEN", "127.0.0.1:0")
        .env("LACZNIK__SERVICES__NEEDS__LISTEN", "127.0.0.1:0")
        .env("LACZNIK__SERVICES__NOTIFICATIONS__LISTEN", "127.0.0.1:0")
        .env("LACZNIK__SERVICES__STATS__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn wait_healthy(client: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "lacznik demo did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the requests concurrently and returns their results in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

/// Signs in as the demo coordinator of `slug`; the access token.
async fn coordinator(client: &reqwest::Client, port: u16, slug: &str) -> String {
    let tokens: Value = client
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/identity/auth/login"
        ))
        .header("host", format!("{slug}.localhost"))
        .json(&serde_json::json!({
            "email": format!("koordynator@{slug}.example"),
            "password": lacznik::accounts::DEMO_PASSWORD,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("demo coordinator of {slug} cannot sign in: {tokens}"))
        .to_owned()
}

async fn count(client: &reqwest::Client, port: u16, slug: &str) -> usize {
    let token = coordinator(client, port, slug).await;
    let page: Value = client
        .get(format!(
            "http://127.0.0.1:{port}/api/v1/volunteers?limit=100"
        ))
        .header("host", format!("{slug}.localhost"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn demo_starts_from_an_empty_directory_and_serves_the_seeded_offices() {
    let dir = std::env::temp_dir().join(format!("lacznik-embedded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let client = reqwest::Client::new();

    let port = free_port();
    let mut child = demo(&dir, port);
    wait_healthy(&client, port).await;
    assert_eq!(count(&client, port, "kielce").await, 40);
    assert_eq!(count(&client, port, "plock").await, 30);
    assert_eq!(count(&client, port, "czechowice-dziedzice").await, 20);
    let office: Value = client
        .get(format!(
            "http://127.0.0.1:{port}/t/czechowice-dziedzice/api/v1/identity/office"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        office["name"],
        "Ośrodek Pomocy Społecznej w Czechowicach-Dziedzicach"
    );
    assert!(dir.join("data/lacznik.db").exists());

    // SQLite has one writer at a time; concurrent registrations must wait, not fail.
    let token = coordinator(&client, port, "kielce").await;
    let posts = (0..40).map(|i| {
        client
            .post(format!("http://127.0.0.1:{port}/api/v1/volunteers"))
            .header("host", "kielce.localhost")
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "first_name": "Hanna", "last_name": "Równoległa",
                "email": format!("hanna{i}@example.pl"), "birth_date": "1988-08-08"
            }))
            .send()
    });
    for response in futures_join_all(posts).await {
        assert_eq!(response.unwrap().status(), 201);
    }
    assert_eq!(count(&client, port, "kielce").await, 80);
    child.kill().await.unwrap();

    // A second run keeps the data and seeds nothing twice.
    let port = free_port();
    let mut child = demo(&dir, port);
    wait_healthy(&client, port).await;
    assert_eq!(count(&client, port, "kielce").await, 80);
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_admin_made_on_the_command_line_signs_in_on_the_platform() {
    let dir = std::env::temp_dir().join(format!("lacznik-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let create = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lacznik"))
            .args(["user", "create-admin", "--email", "Anna@Example.pl"])
            .args(["--name", "Anna Administratorka"])
            .current_dir(&dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let created = create();
    let stdout = String::from_utf8_lossy(&created.stdout).into_owned();
    assert!(created.status.success(), "{stdout}");
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Hasło (pokazywane tylko raz): "))
        .unwrap_or_else(|| panic!("no password printed: {stdout}"))
        .to_owned();
    let again = create();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("już istnieje"));

    let client = reqwest::Client::new();
    let port = free_port();
    let mut child = lacznik(&dir, port, "serve");
    wait_healthy(&client, port).await;
    let login = |password: String| {
        client
            .post(format!(
                "http://127.0.0.1:{port}/api/v1/identity/auth/login"
            ))
            .json(&serde_json::json!({ "email": "anna@example.pl", "password": password }))
            .send()
    };
    assert_eq!(login("nie-to-hasło".into()).await.unwrap().status(), 401);
    let pair: Value = login(password).await.unwrap().json().await.unwrap();
    assert_eq!(pair["roles"], serde_json::json!(["platform_admin"]));
    let offices: Value = client
        .get(format!(
            "http://127.0.0.1:{port}/api/v1/identity/platform/offices"
        ))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(offices, serde_json::json!([]));
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_volunteer_rules_work_on_sqlite_too() {
    let dir = std::env::temp_dir().join(format!("lacznik-embedded-rules-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let client = reqwest::Client::new();
    let port = free_port();
    let mut child = demo(&dir, port);
    wait_healthy(&client, port).await;
    let token = coordinator(&client, port, "kielce").await;
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let request = client
            .request(
                method,
                format!("http://127.0.0.1:{port}/api/v1/volunteers{path}"),
            )
            .header("host", "kielce.localhost")
            .bearer_auth(&token);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
    };

    let start = chrono::Utc::now() + chrono::Duration::days(7);
    let matched: Value = call(
        reqwest::Method::POST,
        "/matching",
        Some(serde_json::json!({
            "kind": "senior_company", "district": "centrum",
            "when": {"starts_at": start, "ends_at": start + chrono::Duration::hours(2)}
        })),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(matched["considered"].as_u64().unwrap() > 20, "{matched}");

    let page: Value = call(reqwest::Method::GET, "?status=active&limit=100", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let adult = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["age"].as_u64().unwrap() >= 18)
        .unwrap();
    let id = adult["id"].as_str().unwrap();
    let booked = call(
        reqwest::Method::POST,
        &format!("/{id}/assignments"),
        Some(serde_json::json!({
            "title": "Zakupy", "kind": "shopping_household",
            "starts_at": start, "ends_at": start + chrono::Duration::hours(1)
        })),
    )
    .await
    .unwrap();
    assert_eq!(booked.status(), 201);
    let late = call(
        reqwest::Method::POST,
        &format!("/{id}/assignments"),
        Some(serde_json::json!({
            "title": "Zakupy", "kind": "shopping_household",
            "starts_at": start + chrono::Duration::days(40),
            "ends_at": start + chrono::Duration::days(40) + chrono::Duration::hours(1)
        })),
    )
    .await
    .unwrap();
    assert_eq!(late.status(), 409);
    let drawn: Value = call(
        reqwest::Method::POST,
        &format!("/{id}/agreements"),
        Some(serde_json::json!({"starts_on": chrono::Utc::now().date_naive()})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let pdf = call(
        reqwest::Method::GET,
        &format!(
            "/{id}/agreements/{}/document",
            drawn["id"].as_str().unwrap()
        ),
        None,
    )
    .await
    .unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    let export: Value = call(reqwest::Method::GET, &format!("/{id}/export"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["volunteer_assignments"].as_array().unwrap().len(), 1);
    let erased: Value = call(
        reqwest::Method::POST,
        &format!("/{id}/anonymisation"),
        Some(serde_json::json!({"reason": "wniosek"})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(erased["anonymised"], true, "{erased}");
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_need_is_offered_and_accepted_by_link_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("lacznik-embedded-needs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let client = reqwest::Client::new();
    let port = free_port();
    let mut child = demo(&dir, port);
    wait_healthy(&client, port).await;
    let token = coordinator(&client, port, "kielce").await;
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let request = client
            .request(
                method,
                format!("http://127.0.0.1:{port}/api/v1/needs{path}"),
            )
            .header("host", "kielce.localhost")
            .bearer_auth(&token);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
    };

    // The demo office has open needs; the one-off shopping is offered to its best candidate.
    let open: Value = call(reqwest::Method::GET, "?status=open", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shopping = open
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "shopping_household")
        .unwrap_or_else(|| panic!("no demo shopping need in {open}"));
    let need = shopping["id"].as_str().unwrap();
    let candidates: Value = call(reqwest::Method::GET, &format!("/{need}/candidates"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let best = candidates["ranked"][0]["volunteer_id"].clone();
    assert!(best.is_string(), "{candidates}");
    let offered = call(
        reqwest::Method::POST,
        &format!("/{need}/offers"),
        Some(serde_json::json!({ "volunteer_ids": [best] })),
    )
    .await
    .unwrap();
    assert_eq!(offered.status(), 201);

    // Embedded, the same pipeline writes the email as a file: the poller reads the outbox, the
    // sender renders it and lettre's file transport writes it under data/mail.
    let mail_dir = dir.join("data/mail");
    let offer = wait_for_eml(&mail_dir, "Propozycja:").await;
    let text = offer.body_text(0).unwrap().into_owned();
    let secret = text
        .split("#token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();

    // Accepting by link books the volunteer in the volunteers service — both services share
    // the one SQLite writer, so no transaction may wait on the other.
    let accepted = client
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/needs/offer-links/acceptance"
        ))
        .header("host", "kielce.localhost")
        .json(&serde_json::json!({ "token": secret }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200, "{}", accepted.text().await.unwrap());
    let after: Value = call(reqwest::Method::GET, &format!("/{need}"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "assigned");
    let confirmation = wait_for_eml(&mail_dir, "Potwierdzenie:").await;
    assert!(
        confirmation
            .attachments()
            .any(|a| mail_parser::MimeHeaders::attachment_name(a) == Some("zaproszenie.ics")),
        "the confirmation carries its calendar invitation"
    );
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The first `.eml` under `dir` whose subject starts with `prefix` (waits up to 30 s).
async fn wait_for_eml(dir: &std::path::Path, prefix: &str) -> mail_parser::Message<'static> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let raw = std::fs::read(entry.path()).unwrap_or_default();
            if let Some(message) = mail_parser::MessageParser::default().parse(&raw)
                && message.subject().is_some_and(|s| s.starts_with(prefix))
            {
                return message.into_owned();
            }
        }
        assert!(
            Instant::now() < deadline,
            "no email “{prefix}…” in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
