//! Who sees what: a regional admin of świętokrzyskie sees Kielce but not Płock (mazowieckie);
//! a coordinator sees only their office; the comparison's role reads the rollups and nothing
//! else; the service refuses a reader that could bypass row-level security.

use lacznik_testkit::{TestDb, problem};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::SecretString;
use serde_json::json;

use super::support::{
    figure, office_get, offices, ok, platform_admin, platform_get, readers, regional_admin,
};

const JANUARY: &str = "period=month&start=2026-01-01";

#[tokio::test]
async fn a_regional_admin_of_swietokrzyskie_sees_kielce_but_not_plock() {
    let o = offices().await;
    let app = &o.app;
    readers(app, o.kielce, 12, 10).await;
    readers(app, o.plock, 30, 10).await;
    let token = regional_admin(app, Some("26")).await;

    let compared = ok(platform_get(
        app,
        &token,
        &format!("/api/v1/stats/regions/26/comparison?{JANUARY}"),
    )
    .await)
    .await;
    let slugs: Vec<&str> = compared["offices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["office"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["kielce", "ostrowiec"]);
    assert!(!compared.to_string().contains("plock"), "{compared}");
    let kielce = &compared["offices"][0];
    assert_eq!(figure(&kielce["figures"], "active_volunteers")["value"], 12);
    // 12 of 50,000 inhabitants: 2.4 per 10,000.
    assert_eq!(
        figure(&kielce["figures"], "active_volunteers")["per_10k"],
        2.4
    );
    assert_eq!(
        figure(&compared["summary"], "active_volunteers")["total"],
        12
    );

    let (status, code) = problem(
        platform_get(
            app,
            &token,
            &format!("/api/v1/stats/regions/14/comparison?{JANUARY}"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "region_forbidden")
    );

    let trend = "/trend?figure=active_volunteers&months=3&end=2026-01-01";
    ok(platform_get(app, &token, &format!("/api/v1/stats/offices/kielce{trend}")).await).await;
    let (status, _) =
        problem(platform_get(app, &token, &format!("/api/v1/stats/offices/plock{trend}")).await)
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        platform_get(
            app,
            &token,
            &format!("/api/v1/stats/offices/nowhere{trend}"),
        )
        .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the same answer as for Płock"
    );

    let chosen = |offices: serde_json::Value| {
        app.raw(Method::POST, "/api/v1/stats/comparison")
            .bearer_auth(&token)
            .json(&json!({"offices": offices, "period": "month", "start": "2026-01-01"}))
            .send()
    };
    ok(chosen(json!(["kielce"])).await.unwrap()).await;
    let (status, _) = problem(chosen(json!(["kielce", "plock"])).await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A regional admin of every voivodeship, and a platform admin, see Płock.
    let everywhere = regional_admin(app, None).await;
    let mazowsze = ok(platform_get(
        app,
        &everywhere,
        &format!("/api/v1/stats/regions/14/comparison?{JANUARY}"),
    )
    .await)
    .await;
    assert_eq!(mazowsze["offices"][0]["office"]["slug"], "plock");
    let lubuskie = ok(platform_get(
        app,
        &everywhere,
        &format!("/api/v1/stats/regions/08/comparison?{JANUARY}"),
    )
    .await)
    .await;
    assert_eq!(lubuskie["offices"], json!([]));
    assert_eq!(lubuskie["region"]["name"], "lubuskie");
    assert_eq!(
        figure(&lubuskie["summary"], "active_volunteers")["total"],
        0
    );
    let admin = platform_admin(app).await;
    let both = app
        .raw(Method::POST, "/api/v1/stats/comparison")
        .bearer_auth(&admin)
        .json(&json!({"offices": ["plock", "kielce"], "period": "month", "start": "2026-01-01"}))
        .send()
        .await
        .unwrap();
    let both = ok(both).await;
    assert_eq!(both["offices"][0]["office"]["slug"], "plock");
    assert_eq!(both["offices"][1]["office"]["slug"], "kielce");
    assert!(
        figure(&both["summary"], "active_volunteers")["total"].is_null(),
        "a chosen set has no total: {both}"
    );

    // Regional admins have no office dashboard.
    let (status, code) =
        problem(platform_get(app, &token, &format!("/api/v1/stats/dashboard?{JANUARY}")).await)
            .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "tenant_required")
    );
}

#[tokio::test]
async fn a_coordinator_sees_only_their_office() {
    let o = offices().await;
    let app = &o.app;
    readers(app, o.kielce, 7, 10).await;
    readers(app, o.ostrowiec, 20, 10).await;

    let board =
        ok(office_get(app, "kielce", &format!("/api/v1/stats/dashboard?{JANUARY}")).await).await;
    assert_eq!(board["office"]["slug"], "kielce");
    assert_eq!(figure(&board["figures"], "active_volunteers")["current"], 7);
    let board = ok(office_get(
        app,
        "ostrowiec",
        &format!("/api/v1/stats/dashboard?{JANUARY}"),
    )
    .await)
    .await;
    assert_eq!(
        figure(&board["figures"], "active_volunteers")["current"],
        20
    );

    let trend = "/trend?figure=active_volunteers&months=2&end=2026-01-01";
    let own = ok(office_get(
        app,
        "kielce",
        &format!("/api/v1/stats/offices/kielce{trend}"),
    )
    .await)
    .await;
    assert_eq!(own["points"][1]["value"], 7);
    for other in ["ostrowiec", "plock"] {
        let (status, _) = problem(
            office_get(
                app,
                "kielce",
                &format!("/api/v1/stats/offices/{other}{trend}"),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other}");
    }
    let (status, code) = problem(
        office_get(
            app,
            "kielce",
            &format!("/api/v1/stats/regions/26/comparison?{JANUARY}"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );

    // Kielce's token at Ostrowiec's address is refused before any figure is read.
    let token = app.coordinator_token("kielce").await;
    let (status, code) = problem(
        app.at(
            "ostrowiec",
            Method::GET,
            &format!("/api/v1/stats/dashboard?{JANUARY}"),
        )
        .bearer_auth(token)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "token_tenant_mismatch")
    );

    // A volunteer of the office gets no statistics.
    let email = "wolontariuszka@kielce.test";
    app.create_user(
        Some("kielce"),
        email,
        lacznik_auth::Role::Volunteer,
        None,
        None,
    )
    .await;
    let volunteer = app.login(Some("kielce"), email).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = problem(
        app.at("kielce", Method::GET, "/api/v1/stats/dashboard")
            .bearer_auth(volunteer)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_comparison_role_reads_rollups_of_every_office_and_nothing_else() {
    let o = offices().await;
    let app = &o.app;
    readers(app, o.kielce, 6, 10).await;
    readers(app, o.plock, 6, 10).await;
    let config = app.db.config();
    let url = config.database.stats_url(&config.data_dir.0).unwrap();
    let db = lacznik_tenancy::connect_checked(&url, &config.database)
        .await
        .unwrap();
    let offices = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(DISTINCT tenant_id) AS n FROM stats_rollups",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(offices, 2);
    for table in [
        "stats_people",
        "stats_needs",
        "stats_volunteers",
        "stats_seen_events",
        "outbox_events",
        "volunteers",
        "users",
        "tenants",
    ] {
        let refused = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT count(*) AS n FROM {table}"),
            ))
            .await;
        assert!(
            refused.is_err(),
            "{table} must be out of lacznik_stats's reach"
        );
    }
    let refused = db
        .execute_unprepared("UPDATE stats_rollups SET active_volunteers = 0")
        .await;
    assert!(refused.is_err(), "lacznik_stats only reads");
}

#[tokio::test]
async fn the_platform_does_not_start_when_the_comparison_would_read_as_superuser() {
    let db = TestDb::new().await;
    let mut config = db.config();
    config.database.stats_url = Some(SecretString::from(db.admin_url()));
    let telemetry = lacznik_telemetry::init_for_tests();
    let error = match lacznik::start(&config, lacznik::Component::All, &telemetry).await {
        Ok(_) => panic!("started with a superuser reading statistics"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("refusing to start"), "{error}");
}
