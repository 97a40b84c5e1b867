//! Services refuse a connection on which row-level security would not apply.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_config::Config;
use lacznik_tenancy::{AppDb, TenancyError};
use lacznik_testkit::TestDb;
use sea_orm::ConnectionTrait;
use secrecy::SecretString;

async fn refusal(url: String) -> String {
    match AppDb::connect(&SecretString::from(url), &Config::default().database).await {
        Err(error @ TenancyError::UnsafeRole { .. }) => error.to_string(),
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(_) => panic!("an unsafe role was accepted"),
    }
}

fn url_as(db: &TestDb, role: &str) -> String {
    db.app_url()
        .replacen("lacznik_app@", &format!("{role}@"), 1)
}

#[tokio::test]
async fn superuser_bypassrls_and_owner_connections_are_refused() {
    let db = TestDb::new().await;
    assert!(refusal(db.admin_url()).await.contains("is a superuser"));

    let admin = db.admin().await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let bypass = format!("t_bypass_{}", &suffix[..12]);
    let owner = format!("t_owner_{}", &suffix[..12]);
    admin
        .execute_unprepared(&format!(
            "CREATE ROLE {bypass} LOGIN BYPASSRLS; CREATE ROLE {owner} LOGIN IN ROLE lacznik_owner;"
        ))
        .await
        .unwrap();
    let bypass_msg = refusal(url_as(&db, &bypass)).await;
    let owner_msg = refusal(url_as(&db, &owner)).await;
    admin
        .execute_unprepared(&format!("DROP ROLE {bypass}; DROP ROLE {owner};"))
        .await
        .unwrap();
    assert!(bypass_msg.contains("BYPASSRLS"), "{bypass_msg}");
    assert!(owner_msg.contains("owns tables"), "{owner_msg}");

    assert!(
        AppDb::connect(
            &SecretString::from(db.app_url()),
            &Config::default().database
        )
        .await
        .is_ok(),
        "lacznik_app must be accepted"
    );
}

#[tokio::test]
async fn the_platform_does_not_start_when_services_would_connect_as_superuser() {
    let db = TestDb::new().await;
    let mut config = db.config();
    config.database.app_url = Some(SecretString::from(db.admin_url()));
    let telemetry = lacznik_telemetry::init_for_tests();
    let error = match lacznik::start(&config, lacznik::Component::All, &telemetry).await {
        Ok(_) => panic!("started on a superuser connection"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("refusing to start"), "{error}");
}

#[tokio::test]
async fn the_platform_does_not_start_on_an_outdated_schema() {
    let db = TestDb::new().await;
    db.admin()
        .await
        .execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version = (SELECT max(version) FROM seaql_migrations)",
        )
        .await
        .unwrap();
    let telemetry = lacznik_telemetry::init_for_tests();
    let error = match lacznik::start(&db.config(), lacznik::Component::All, &telemetry).await {
        Ok(_) => panic!("started on an outdated schema"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("run `lacznik migrate`"), "{error}");
}
