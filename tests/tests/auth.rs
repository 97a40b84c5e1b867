//! Identity and access, end to end through the gateway: a token works only in its own office
//! and only for what its role allows; forged tokens are refused at the gateway and again by
//! the services; refresh tokens rotate and a reused one ends its session; passwords change,
//! reset and lock out as a user would see it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lacznik_auth::{AUDIENCE, Claims, ISSUER, Role, TokenSigner};
use lacznik_testkit::{TEST_PASSWORD, TestApp, link_secret, problem, tenant_id};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn token(pair: &Value) -> String {
    pair["access_token"].as_str().unwrap().to_owned()
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// The kinds of the events on a page of the security log, newest first.
fn event_kinds(log: &Value) -> Vec<&str> {
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_token_works_only_in_its_own_office_and_reaches_only_that_offices_data() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    app.create_volunteer("kielce", "zofia@example.pl").await;
    app.create_volunteer("plock", "jan@example.pl").await;
    let kielce = app.coordinator_token("kielce").await;

    // At Płock's address, by host and by path prefix, Kielce's token is refused outright.
    for request in [
        app.at("plock", Method::GET, "/api/v1/volunteers"),
        app.raw(Method::GET, "/t/plock/api/v1/volunteers"),
        app.at("plock", Method::GET, "/api/v1/identity/me"),
    ] {
        let response = request.bearer_auth(&kielce).send().await.unwrap();
        assert_eq!(
            problem(response).await,
            (StatusCode::FORBIDDEN, "token_tenant_mismatch".into())
        );
    }
    // …and on the platform address too.
    let response = app
        .raw(Method::GET, "/api/v1/identity/me")
        .bearer_auth(&kielce)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.0, StatusCode::FORBIDDEN);

    // At Kielce it reaches Kielce's volunteers, and only them.
    let page = json_of(
        app.at("kielce", Method::GET, "/api/v1/volunteers")
            .bearer_auth(&kielce)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let emails: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["zofia@example.pl"]);

    // Without a token nothing personal is served.
    let response = app
        .at("kielce", Method::GET, "/api/v1/volunteers")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::UNAUTHORIZED, "authentication_required".into())
    );
}

#[tokio::test]
async fn a_volunteer_reads_and_edits_only_their_own_profile() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let own = app.create_volunteer("kielce", "ola@example.pl").await;
    let other = app.create_volunteer("kielce", "piotr@example.pl").await;
    let own_id: uuid::Uuid = own["id"].as_str().unwrap().parse().unwrap();
    app.create_user(
        Some("kielce"),
        "ola@example.pl",
        Role::Volunteer,
        Some(own_id),
        None,
    )
    .await;
    let pair = app.login(Some("kielce"), "ola@example.pl").await;
    assert_eq!(pair["roles"], json!(["volunteer"]));
    assert_eq!(pair["volunteer_id"], own["id"]);
    let ola = token(&pair);
    let own_path = format!("/api/v1/volunteers/{own_id}");
    let other_path = format!("/api/v1/volunteers/{}", other["id"].as_str().unwrap());

    let response = app
        .at("kielce", Method::GET, &own_path)
        .bearer_auth(&ola)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .at("kielce", Method::PATCH, &own_path)
        .bearer_auth(&ola)
        .json(&json!({"phone": "602 111 222"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(response).await["phone"], "+48 602 111 222");

    let forbidden = [
        app.at("kielce", Method::GET, &other_path),
        app.at("kielce", Method::PATCH, &other_path)
            .json(&json!({"first_name": "Zmieniony"})),
        app.at("kielce", Method::DELETE, &other_path),
        app.at("kielce", Method::DELETE, &own_path),
        app.at("kielce", Method::GET, "/api/v1/volunteers"),
        app.at("kielce", Method::POST, "/api/v1/volunteers")
            .json(&json!({
                "first_name": "Nowy", "last_name": "Nowak", "email": "n@example.pl",
                "birth_date": "1990-01-01"
            })),
        app.at("kielce", Method::GET, "/api/v1/identity/audit"),
        app.at("kielce", Method::POST, "/api/v1/identity/invitations")
            .json(&json!({"email": "x@example.pl"})),
    ];
    for request in forbidden {
        let response = request.bearer_auth(&ola).send().await.unwrap();
        assert_eq!(
            problem(response).await,
            (StatusCode::FORBIDDEN, "forbidden".into())
        );
    }
    let still = app.get_json("kielce", &other_path).await;
    assert_eq!(still["first_name"], "Zofia");
    assert_eq!(app.volunteer_count("kielce").await, 2);
}

#[tokio::test]
async fn a_regional_admin_never_reaches_personal_data() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await; // świętokrzyskie (26)
    app.create_tenant_in("plock", "14", Vec::new()).await; // mazowieckie
    app.create_volunteer("kielce", "zofia@example.pl").await;
    app.create_user(
        None,
        "region.14@example.pl",
        Role::RegionalAdmin,
        None,
        Some("14"),
    )
    .await;

    // There is no office role to sign in with at an office address.
    let response = app
        .login_response(Some("kielce"), "region.14@example.pl", TEST_PASSWORD)
        .await;
    assert_eq!(
        problem(response).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
    );
    // On the platform: a token for the region, no office in it.
    let pair = app.login(None, "region.14@example.pl").await;
    assert_eq!(pair["roles"], json!(["regional_admin"]));
    assert_eq!(pair["office"], Value::Null);
    let admin = token(&pair);
    for request in [
        app.at("kielce", Method::GET, "/api/v1/volunteers"),
        app.raw(Method::GET, "/t/kielce/api/v1/volunteers"),
        app.at("plock", Method::GET, "/api/v1/volunteers"),
    ] {
        let response = request.bearer_auth(&admin).send().await.unwrap();
        assert_eq!(
            problem(response).await,
            (StatusCode::FORBIDDEN, "token_tenant_mismatch".into())
        );
    }
    let response = app
        .raw(Method::GET, "/api/v1/volunteers")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.0, StatusCode::NOT_FOUND);

    // The office list is limited to the admin's voivodeship; onboarding is not theirs.
    let offices = json_of(
        app.raw(Method::GET, "/api/v1/identity/platform/offices")
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let slugs: Vec<&str> = offices
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["plock"]);
    let response = app
        .raw(
            Method::POST,
            "/api/v1/identity/platform/offices/plock/suspend",
        )
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
}

/// Tokens a client could forge or keep too long, for an office whose real token is `good`.
fn forgeries(app: &TestApp, good: &str) -> Vec<(&'static str, String)> {
    let pair = app.db.signing_key();
    let signer = TokenSigner::new(&pair, std::time::Duration::from_secs(900)).unwrap();
    let (header, rest) = good.split_once('.').unwrap();
    let (payload, _signature) = rest.split_once('.').unwrap();
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());

    let mut expired = claims.clone();
    expired.iat -= 7200;
    expired.exp = expired.iat + 900;
    let mut foreign_audience = claims.clone();
    foreign_audience.aud = "some-other-api".into();
    let mut foreign_issuer = claims.clone();
    foreign_issuer.iss = "someone-else".into();
    let mut promoted: Value = serde_json::to_value(&claims).unwrap();
    promoted["roles"] = json!(["platform_admin", "coordinator"]);
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(pair.public_key().as_bytes()),
    )
    .unwrap();
    let kid = pair.key_id();
    vec![
        ("expired", signer.sign_claims(&expired).unwrap()),
        (
            "foreign audience",
            signer.sign_claims(&foreign_audience).unwrap(),
        ),
        (
            "foreign issuer",
            signer.sign_claims(&foreign_issuer).unwrap(),
        ),
        (
            "tampered payload",
            format!(
                "{header}.{}.{}",
                encode(&promoted),
                rest.split_once('.').unwrap().1
            ),
        ),
        (
            "alg none",
            format!(
                "{}.{payload}.",
                encode(&json!({"alg": "none", "typ": "JWT"}))
            ),
        ),
        ("HS256 keyed with the public key", hs256),
        (
            "RS256 header",
            format!(
                "{}.{payload}.{}",
                encode(&json!({"alg": "RS256", "typ": "JWT", "kid": kid})),
                URL_SAFE_NO_PAD.encode([7u8; 256])
            ),
        ),
        (
            "unknown key",
            TokenSigner::new(
                &lacznik_auth::SigningKeyPair::generate(),
                std::time::Duration::from_secs(900),
            )
            .unwrap()
            .sign_claims(&claims)
            .unwrap(),
        ),
        ("garbage", "not.a.token".into()),
    ]
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused_by_the_gateway_and_by_the_service() {
    let app = TestApp::spawn().await;
    let kielce = app.create_tenant("kielce").await;
    let good = app.coordinator_token("kielce").await;
    assert_eq!(
        claims_of(&good).aud,
        AUDIENCE,
        "the real token is for our API"
    );
    assert_eq!(claims_of(&good).iss, ISSUER);
    let volunteers = app.service_addr("volunteers");

    for (what, forged) in forgeries(&app, &good) {
        // At the door.
        let response = app
            .at("kielce", Method::GET, "/api/v1/volunteers")
            .bearer_auth(&forged)
            .send()
            .await
            .unwrap();
        let (status, code) = problem(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what} at the gateway");
        if what == "expired" {
            assert_eq!(code, "token_expired");
        }
        // Straight at the service, as if the gateway had been bypassed: it checks again.
        let response = app
            .client
            .get(format!("http://{volunteers}/api/v1/volunteers"))
            .header("x-tenant-id", kielce.id.to_string())
            .header("x-tenant-slug", "kielce")
            .bearer_auth(&forged)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response).await.0,
            StatusCode::UNAUTHORIZED,
            "{what} at the service"
        );
    }

    // The service also refuses a bare tenant header without a token, and a real token of
    // another office presented with a spoofed tenant header.
    app.create_tenant("plock").await;
    let plock = app.coordinator_token("plock").await;
    let direct = |token: Option<&str>| {
        let request = app
            .client
            .get(format!("http://{volunteers}/api/v1/volunteers"))
            .header("x-tenant-id", tenant_id(&kielce).to_string())
            .header("x-tenant-slug", "kielce");
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    };
    assert_eq!(
        problem(direct(None).send().await.unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        problem(direct(Some(&plock)).send().await.unwrap()).await,
        (StatusCode::FORBIDDEN, "token_tenant_mismatch".into())
    );
    assert_eq!(
        direct(Some(&good)).send().await.unwrap().status(),
        StatusCode::OK
    );
}

fn claims_of(token: &str) -> Claims {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.at("kielce", Method::POST, "/api/v1/identity/auth/refresh")
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_whole_session() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_user(
        Some("kielce"),
        "anna@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    let first = app.login(Some("kielce"), "anna@example.pl").await;
    let r1 = first["refresh_token"].as_str().unwrap();

    let second = json_of(refresh(&app, r1).await).await;
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let access = token(&second);
    assert_eq!(claims_of(&access).sid, claims_of(&token(&first)).sid);
    let works = app
        .at("kielce", Method::GET, "/api/v1/volunteers")
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), StatusCode::OK);

    // Someone replays the first token: the session ends for everyone holding it.
    assert_eq!(
        problem(refresh(&app, r1).await).await,
        (StatusCode::UNAUTHORIZED, "refresh_token_reused".into())
    );
    assert_eq!(
        problem(refresh(&app, r2).await).await,
        (StatusCode::UNAUTHORIZED, "refresh_token_invalid".into())
    );
    let response = app
        .at("kielce", Method::GET, "/api/v1/volunteers")
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::UNAUTHORIZED, "session_revoked".into())
    );

    // A refresh token of one office means nothing at another.
    app.create_tenant("plock").await;
    let other = app.login(Some("kielce"), "anna@example.pl").await;
    let response = app
        .at("plock", Method::POST, "/api/v1/identity/auth/refresh")
        .json(&json!({ "refresh_token": other["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::UNAUTHORIZED, "refresh_token_invalid".into())
    );

    // The coordinator sees what happened in the office's security log.
    let log = app
        .get_json("kielce", "/api/v1/identity/audit?limit=100")
        .await;
    let kinds = event_kinds(&log);
    assert!(kinds.contains(&"refresh_token_reused"), "{kinds:?}");
    assert!(kinds.contains(&"login_succeeded"), "{kinds:?}");
}

#[tokio::test]
async fn logout_and_password_change_end_sessions() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_user(
        Some("kielce"),
        "anna@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    let laptop = app.login(Some("kielce"), "anna@example.pl").await;
    let phone = app.login(Some("kielce"), "anna@example.pl").await;
    let tablet = app.login(Some("kielce"), "anna@example.pl").await;

    // Logging out on the tablet ends that session at once.
    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/logout")
        .bearer_auth(token(&tablet))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.headers().get("x-lacznik-ended-sessions").is_none(),
        "the gateway keeps its internal header to itself"
    );
    let response = app
        .at("kielce", Method::GET, "/api/v1/identity/me")
        .bearer_auth(token(&tablet))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::UNAUTHORIZED, "session_revoked".into())
    );
    assert_eq!(
        problem(refresh(&app, tablet["refresh_token"].as_str().unwrap()).await)
            .await
            .1,
        "refresh_token_invalid"
    );

    // A wrong current password changes nothing.
    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/password")
        .bearer_auth(token(&laptop))
        .json(&json!({"current_password": "nie-to-haslo", "new_password": "Nowe-hasło-2027"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::FORBIDDEN, "current_password_wrong".into())
    );
    // Too short a new password is a field error.
    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/password")
        .bearer_auth(token(&laptop))
        .json(&json!({"current_password": TEST_PASSWORD, "new_password": "krótkie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );

    // Changing it on the laptop ends the phone's session, not the laptop's.
    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/password")
        .bearer_auth(token(&laptop))
        .json(&json!({"current_password": TEST_PASSWORD, "new_password": "Nowe-hasło-2027"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        problem(refresh(&app, phone["refresh_token"].as_str().unwrap()).await)
            .await
            .1,
        "refresh_token_invalid"
    );
    let response = app
        .at("kielce", Method::GET, "/api/v1/identity/me")
        .bearer_auth(token(&phone))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1, "session_revoked");
    let renewed = refresh(&app, laptop["refresh_token"].as_str().unwrap()).await;
    assert_eq!(renewed.status(), StatusCode::OK);

    let old = app
        .login_response(Some("kielce"), "anna@example.pl", TEST_PASSWORD)
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .login_response(Some("kielce"), "anna@example.pl", "Nowe-hasło-2027")
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn password_reset_answers_alike_for_every_address_and_its_link_works_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_user(
        Some("kielce"),
        "anna@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    let ask = |email: &'static str| {
        app.at(
            "kielce",
            Method::POST,
            "/api/v1/identity/auth/password-reset",
        )
        .json(&json!({ "email": email }))
        .send()
    };
    let known = ask("anna@example.pl").await.unwrap();
    let unknown = ask("nikt@example.pl").await.unwrap();
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());

    // One email was queued, for the known address only, from the office.
    let outbox = app.outbox(Some("kielce")).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let (topic, email) = &outbox[0];
    assert_eq!(topic, "email.requested");
    assert_eq!(email["template"], "password_reset");
    assert_eq!(email["to"], "anna@example.pl");
    assert_eq!(email["office"]["slug"], "kielce");
    assert!(
        email["link"]
            .as_str()
            .unwrap()
            .starts_with("http://kielce.localhost:8080/konto/nowe-haslo#token="),
        "{email}"
    );
    let secret = link_secret(email);

    let confirm = |password: &'static str| {
        app.at(
            "kielce",
            Method::POST,
            "/api/v1/identity/auth/password-reset/confirm",
        )
        .json(&json!({ "token": secret, "new_password": password }))
        .send()
    };
    // A weak password does not use the link up.
    assert_eq!(
        problem(confirm("123").await.unwrap()).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        confirm("Zupełnie-nowe-2027").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        problem(confirm("Jeszcze-inne-2028").await.unwrap()).await,
        (StatusCode::GONE, "link_used".into())
    );
    let response = app
        .login_response(Some("kielce"), "anna@example.pl", "Zupełnie-nowe-2027")
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    // An invented link is refused, and so is an expired one.
    let response = app
        .at(
            "kielce",
            Method::POST,
            "/api/v1/identity/auth/password-reset/confirm",
        )
        .json(&json!({ "token": "zmyslony-token", "new_password": "Zupełnie-nowe-2029" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::BAD_REQUEST, "link_invalid".into())
    );
    ask("anna@example.pl").await.unwrap();
    let outbox = app.outbox(Some("kielce")).await;
    let secret = link_secret(&outbox.last().unwrap().1);
    expire_all(&app, "one_time_tokens").await;
    let response = app
        .at(
            "kielce",
            Method::POST,
            "/api/v1/identity/auth/password-reset/confirm",
        )
        .json(&json!({ "token": secret, "new_password": "Zupełnie-nowe-2029" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::GONE, "link_expired".into())
    );
}

/// Moves every link in `table` past its expiry, as if the clock had run on.
async fn expire_all(app: &TestApp, table: &str) {
    use sea_orm::ConnectionTrait;
    let admin = app.db.admin().await;
    admin
        .execute_unprepared(&format!(
            "UPDATE {table} SET expires_at = now() - interval '1 minute'"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_invitation_expires_and_works_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let profile = app.create_volunteer("kielce", "nowa@example.pl").await;
    let invite = || async {
        let response = app
            .as_coordinator("kielce", Method::POST, "/api/v1/identity/invitations")
            .await
            .json(&json!({ "email": "Nowa@Example.pl", "volunteer_id": profile["id"] }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let invitation = json_of(response).await;
        assert_eq!(invitation["role"], "volunteer");
        assert!(
            invitation.get("token").is_none(),
            "the secret is only in the email"
        );
        let outbox = app.outbox(Some("kielce")).await;
        let email = &outbox.last().unwrap().1;
        assert_eq!(email["template"], "invitation");
        assert_eq!(email["to"], "nowa@example.pl");
        link_secret(email)
    };
    let accept = |secret: String| {
        app.at(
            "kielce",
            Method::POST,
            "/api/v1/identity/invitations/accept",
        )
        .json(&json!({ "token": secret, "display_name": "Nowa Wolontariuszka" }))
        .send()
    };

    let stale = invite().await;
    expire_all(&app, "invitations").await;
    assert_eq!(
        problem(accept(stale).await.unwrap()).await,
        (StatusCode::GONE, "link_expired".into())
    );

    let fresh = invite().await;
    let response = accept(fresh.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let pair = json_of(response).await;
    assert_eq!(pair["roles"], json!(["volunteer"]));
    assert_eq!(pair["volunteer_id"], profile["id"]);
    let me = json_of(
        app.at("kielce", Method::GET, "/api/v1/identity/me")
            .bearer_auth(token(&pair))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["email"], "nowa@example.pl");
    assert_eq!(me["display_name"], "Nowa Wolontariuszka");
    assert_eq!(
        problem(accept(fresh).await.unwrap()).await,
        (StatusCode::GONE, "link_used".into())
    );

    // The new volunteer signs in later with a login link instead of a password.
    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/login-link")
        .json(&json!({ "email": "nowa@example.pl" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox(Some("kielce")).await;
    let email = &outbox.last().unwrap().1;
    assert_eq!(email["template"], "login_link");
    let redeem = || {
        app.at(
            "kielce",
            Method::POST,
            "/api/v1/identity/auth/login-link/redeem",
        )
        .json(&json!({ "token": link_secret(email) }))
        .send()
    };
    let pair = json_of(redeem().await.unwrap()).await;
    assert_eq!(pair["volunteer_id"], profile["id"]);
    assert_eq!(
        problem(redeem().await.unwrap()).await,
        (StatusCode::GONE, "link_used".into())
    );

    let log = app
        .get_json("kielce", "/api/v1/identity/audit?limit=100")
        .await;
    let kinds = event_kinds(&log);
    for kind in ["invitation_created", "role_granted", "login_link_requested"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn lockout_engages_after_the_configured_failures_and_lifts_after_the_window() {
    let app = TestApp::spawn_configured(json!({
        "limits": { "account_failures": 3, "lockout_base_secs": 1, "lockout_max_secs": 1 }
    }))
    .await;
    app.create_tenant("kielce").await;
    app.create_user(
        Some("kielce"),
        "anna@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    for _ in 0..3 {
        let response = app
            .login_response(Some("kielce"), "anna@example.pl", "zgadywane-haslo")
            .await;
        assert_eq!(
            problem(response).await,
            (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
        );
    }
    // Locked: even the right password is refused, with a time to come back.
    let response = app
        .login_response(Some("kielce"), "anna@example.pl", TEST_PASSWORD)
        .await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1).contains(&retry_after), "{retry_after}");
    assert_eq!(
        problem(response).await,
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into())
    );
    // An unknown address is locked the same way (no hint of which accounts exist).
    for _ in 0..3 {
        app.login_response(Some("kielce"), "nikt@example.pl", "x")
            .await;
    }
    let response = app
        .login_response(Some("kielce"), "nikt@example.pl", "x")
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let response = app
        .login_response(Some("kielce"), "anna@example.pl", TEST_PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let log = app
        .get_json("kielce", "/api/v1/identity/audit?limit=100")
        .await;
    let kinds = event_kinds(&log);
    assert!(kinds.contains(&"login_locked"), "{kinds:?}");
    assert!(kinds.contains(&"login_failed"), "{kinds:?}");
}

#[tokio::test]
async fn an_office_over_its_request_rate_gets_429_and_others_do_not() {
    // Windows are aligned to the clock; an hour-long one makes it unlikely that the six
    // requests straddle a boundary (which would rightly start counting afresh).
    let app = TestApp::spawn_configured(json!({
        "limits": { "tenant_requests": 5, "tenant_window_secs": 3600 }
    }))
    .await;
    app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..6 {
        let response = app
            .at("kielce", Method::GET, "/api/v1/identity/office")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        last = Some(response);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    let last = last.unwrap();
    let retry_after: u64 = last.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(
        problem(last).await,
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );
    let other = app
        .at("plock", Method::GET, "/api/v1/identity/office")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_platform_admin_onboards_an_office_invites_its_coordinator_and_suspends_it() {
    // The gateway the suspension passes through forgets the office at once (others within
    // `gateway.tenant_cache_secs`), so the next request already sees it suspended.
    let app = TestApp::spawn().await;
    app.create_user(None, "admin@example.pl", Role::PlatformAdmin, None, None)
        .await;
    let admin = token(&app.login(None, "admin@example.pl").await);
    let office = json!({
        "slug": "ostrowiec", "name": "Miejski Ośrodek Pomocy Społecznej w Ostrowcu Świętokrzyskim",
        "short_name": "MOPS Ostrowiec", "region_code": "26", "population": 64000,
        "street_address": "ul. Sienkiewicza 70", "postal_code": "27-400",
        "city": "Ostrowiec Świętokrzyski", "phone": "41 247 95 00",
        "email": "wolontariat@mops.ostrowiec.example", "office_hours": "pn–pt 7:30–15:30",
        "hosts": ["wolontariat.ostrowiec.example"], "mail_reply_to": "koordynator@mops.ostrowiec.example"
    });
    let response = app
        .raw(Method::POST, "/api/v1/identity/platform/offices")
        .bearer_auth(&admin)
        .json(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(
        created["mail_reply_to"],
        "koordynator@mops.ostrowiec.example"
    );
    assert_eq!(created["mail_from_name"], "MOPS Ostrowiec");
    // Twice is a conflict; bad fields are all reported.
    let again = app
        .raw(Method::POST, "/api/v1/identity/platform/offices")
        .bearer_auth(&admin)
        .json(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(again).await,
        (StatusCode::CONFLICT, "office_taken".into())
    );
    let mut bad = office.clone();
    bad["slug"] = json!("Zła Nazwa");
    bad["postal_code"] = json!("27400");
    bad["region_code"] = json!("99");
    let response = app
        .raw(Method::POST, "/api/v1/identity/platform/offices")
        .bearer_auth(&admin)
        .json(&bad)
        .send()
        .await
        .unwrap();
    let body = json_of(response).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(body["code"], "validation_failed");
    for field in ["slug", "postal_code", "region_code"] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }

    let card = app.get_json("ostrowiec", "/api/v1/identity/office").await;
    assert_eq!(card["short_name"], "MOPS Ostrowiec");

    // The first coordinator is invited by email and sets a password on accepting.
    let response = app
        .raw(
            Method::POST,
            "/api/v1/identity/platform/offices/ostrowiec/invitations",
        )
        .bearer_auth(&admin)
        .json(&json!({ "email": "beata@example.pl" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let outbox = app.outbox(Some("ostrowiec")).await;
    let email = &outbox.last().unwrap().1;
    assert_eq!(email["data"]["role"], "coordinator");
    assert_eq!(
        email["office"]["reply_to"],
        "koordynator@mops.ostrowiec.example"
    );
    let response = app
        .at(
            "ostrowiec",
            Method::POST,
            "/api/v1/identity/invitations/accept",
        )
        .json(&json!({ "token": link_secret(email), "display_name": "Beata Kowalska" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await.1,
        "validation_failed",
        "a coordinator needs a password"
    );
    let response = app
        .at(
            "ostrowiec",
            Method::POST,
            "/api/v1/identity/invitations/accept",
        )
        .json(
            &json!({ "token": link_secret(email), "display_name": "Beata Kowalska",
                       "password": "Bezpieczne-hasło-1" }),
        )
        .send()
        .await
        .unwrap();
    let beata = json_of(response).await;
    assert_eq!(beata["roles"], json!(["coordinator"]));

    // An office token cannot act on the platform.
    let response = app
        .raw(
            Method::POST,
            "/api/v1/identity/platform/offices/ostrowiec/suspend",
        )
        .bearer_auth(token(&beata))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.0, StatusCode::FORBIDDEN);

    // Suspended: the office's traffic is refused, its data stays.
    let response = app
        .raw(
            Method::POST,
            "/api/v1/identity/platform/offices/ostrowiec/suspend",
        )
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(response).await["status"], "suspended");
    let response = app
        .at("ostrowiec", Method::GET, "/api/v1/identity/office")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (StatusCode::FORBIDDEN, "tenant_suspended".into())
    );
    let log = json_of(
        app.raw(Method::GET, "/api/v1/identity/audit")
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let kinds = event_kinds(&log);
    assert!(kinds.contains(&"office_onboarded"), "{kinds:?}");
    assert!(kinds.contains(&"office_suspended"), "{kinds:?}");
}

#[tokio::test]
async fn one_person_in_two_offices_has_a_separate_session_and_role_in_each() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    app.create_volunteer("kielce", "zofia@example.pl").await;
    let profile = app.create_volunteer("plock", "marta@example.pl").await;
    let email = "marta@example.pl";
    app.create_user(Some("kielce"), email, Role::Coordinator, None, None)
        .await;
    app.create_user(
        Some("plock"),
        email,
        Role::Volunteer,
        Some(profile["id"].as_str().unwrap().parse().unwrap()),
        None,
    )
    .await;

    let in_kielce = app.login(Some("kielce"), email).await;
    let in_plock = app.login(Some("plock"), email).await;
    assert_eq!(in_kielce["roles"], json!(["coordinator"]));
    assert_eq!(in_plock["roles"], json!(["volunteer"]));
    assert_ne!(
        claims_of(&token(&in_kielce)).sid,
        claims_of(&token(&in_plock)).sid
    );
    // A coordinator in Kielce, but only a volunteer in Płock.
    let kielce_list = app
        .at("kielce", Method::GET, "/api/v1/volunteers")
        .bearer_auth(token(&in_kielce))
        .send()
        .await
        .unwrap();
    assert_eq!(kielce_list.status(), StatusCode::OK);
    let plock_list = app
        .at("plock", Method::GET, "/api/v1/volunteers")
        .bearer_auth(token(&in_plock))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(plock_list).await.1, "forbidden");

    // Signing out of Kielce leaves the Płock session alone.
    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/logout")
        .bearer_auth(token(&in_kielce))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let me = app
        .at("plock", Method::GET, "/api/v1/identity/me")
        .bearer_auth(token(&in_plock))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(me).await["office"], "plock");
}

#[tokio::test]
async fn a_session_ended_through_one_gateway_is_refused_by_another_within_moments() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let second = app.spawn_gateway().await;
    app.create_user(
        Some("kielce"),
        "ewa@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    let pair = app.login(Some("kielce"), "ewa@example.pl").await;
    let on_second = || {
        app.client
            .get(format!("http://{second}/api/v1/identity/me"))
            .header("host", "kielce.localhost")
            .bearer_auth(token(&pair))
            .send()
    };
    // The second replica has seen the session open just now.
    assert_eq!(on_second().await.unwrap().status(), StatusCode::OK);

    let response = app
        .at("kielce", Method::POST, "/api/v1/identity/auth/logout")
        .bearer_auth(token(&pair))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // It learns of the logout from Redis once its knowledge is a second old.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let response = on_second().await.unwrap();
        if response.status() == StatusCode::UNAUTHORIZED {
            assert_eq!(problem(response).await.1, "session_revoked");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second gateway still accepts an ended session"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_platform_admin_resets_a_forgotten_password_on_the_platform_address() {
    let app = TestApp::spawn().await;
    app.create_user(None, "admin@example.pl", Role::PlatformAdmin, None, None)
        .await;
    let response = app
        .raw(Method::POST, "/api/v1/identity/auth/password-reset")
        .json(&json!({ "email": "admin@example.pl" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox(None).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let email = &outbox[0].1;
    assert_eq!(
        email["office"],
        Value::Null,
        "a platform email, from the platform"
    );
    assert!(
        email["link"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost:8080/konto/nowe-haslo#token="),
        "{email}"
    );
    // The page behind the link is served on the platform address too.
    let page = app
        .raw(Method::GET, "/konto/nowe-haslo")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let response = app
        .raw(Method::POST, "/api/v1/identity/auth/password-reset/confirm")
        .json(&json!({ "token": link_secret(email), "new_password": "Nowe-hasło-admina-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let signed_in = app
        .login_response(None, "admin@example.pl", "Nowe-hasło-admina-1")
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_gateway_given_only_the_public_key_verifies_tokens_without_the_private_one() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let token = app.coordinator_token("kielce").await;
    let pair = app.db.signing_key();
    let mut config = app.db.config_with(json!({
        "auth": {
            "public_keys": [format!("{}={}", pair.key_id(), pair.public_key())],
            "signing_key_file": "/nonexistent/lacznik/token-signing.pem",
        },
        "services": {
            "identity": { "url": format!("http://{}", app.service_addr("identity")) },
            "volunteers": { "url": format!("http://{}", app.service_addr("volunteers")) },
        },
    }));
    config.auth.signing_key = None;
    let telemetry = lacznik_telemetry::init_for_tests();
    let running = lacznik::start(
        &config,
        lacznik::Component::One("gateway".into()),
        &telemetry,
    )
    .await
    .expect("a gateway starts with public keys only");
    let gateway = running.gateway.unwrap();
    let response = app
        .client
        .get(format!("http://{gateway}/api/v1/volunteers"))
        .header("host", "kielce.localhost")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    running.stop().await.unwrap();
}

#[tokio::test]
async fn with_redis_down_sign_in_is_a_retryable_503_and_the_offices_stay_online() {
    // Nothing listens on port 1: every Redis call fails.
    let app =
        TestApp::spawn_configured(json!({ "redis": { "url": "redis://127.0.0.1:1/0" } })).await;
    app.create_tenant("kielce").await;
    app.create_user(
        Some("kielce"),
        "anna@example.pl",
        Role::Coordinator,
        None,
        None,
    )
    .await;
    let response = app
        .login_response(Some("kielce"), "anna@example.pl", TEST_PASSWORD)
        .await;
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        problem(response).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable".into()
        )
    );
    // Lockouts cannot be checked, so no one signs in; but public pages and the gateway work.
    let card = app
        .at("kielce", Method::GET, "/api/v1/identity/office")
        .send()
        .await
        .unwrap();
    assert_eq!(card.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_role_taken_away_ends_the_persons_sessions_and_is_in_the_log() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    let profile = app.create_volunteer("kielce", "jan@example.pl").await;
    let jan = app
        .create_user(
            Some("kielce"),
            "jan@example.pl",
            Role::Volunteer,
            Some(profile["id"].as_str().unwrap().parse().unwrap()),
            None,
        )
        .await;
    let other_coordinator = app
        .create_user(
            Some("kielce"),
            "ewa@example.pl",
            Role::Coordinator,
            None,
            None,
        )
        .await;
    let pair = app.login(Some("kielce"), "jan@example.pl").await;

    let members = app.get_json("kielce", "/api/v1/identity/members").await;
    let listed: Vec<(&str, &str)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert!(
        listed.contains(&("jan@example.pl", "volunteer")),
        "{listed:?}"
    );

    // A coordinator cannot take another coordinator's role; that is the platform's call.
    let response = app
        .as_coordinator(
            "kielce",
            Method::DELETE,
            &format!("/api/v1/identity/members/{other_coordinator}/roles/coordinator"),
        )
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1, "forbidden");

    let path = format!("/api/v1/identity/members/{jan}/roles/volunteer");
    let response = app
        .as_coordinator("kielce", Method::DELETE, &path)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let again = app
        .as_coordinator("kielce", Method::DELETE, &path)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await.0, StatusCode::NOT_FOUND);

    // Jan's token stops working at once, and he cannot sign in here any more.
    let response = app
        .at("kielce", Method::GET, "/api/v1/identity/me")
        .bearer_auth(token(&pair))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1, "session_revoked");
    let response = app
        .login_response(Some("kielce"), "jan@example.pl", TEST_PASSWORD)
        .await;
    assert_eq!(problem(response).await.1, "invalid_credentials");

    let log = app
        .get_json("kielce", "/api/v1/identity/audit?limit=100")
        .await;
    let revoked = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "role_revoked")
        .expect("role_revoked in the log");
    assert_eq!(revoked["user_id"], json!(jan));
    assert_eq!(revoked["detail"]["role"], "volunteer");
}
