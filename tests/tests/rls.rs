//! The second isolation layer: PostgreSQL row-level security, seen from the `lacznik_app` role
//! with the application's scoping deliberately left out.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_testkit::{TestApp, tenant_id};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

async fn add(app: &TestApp, slug: &str, n: usize) {
    for i in 0..n {
        app.create_volunteer(slug, &format!("anna{i}@example.pl"))
            .await;
    }
}

/// `SELECT count(*) FROM volunteers` with no tenant filter: only RLS limits what it sees.
async fn count(db: &impl ConnectionTrait) -> i64 {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT count(*) AS n FROM volunteers",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get("", "n")
    .unwrap()
}

#[tokio::test]
async fn without_a_tenant_the_app_role_sees_no_rows() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    add(&app, "kielce", 3).await;

    let raw = app.db.app_raw().await;
    let n = count(&raw).await;
    assert_eq!(n, 0, "no tenant set outside a transaction");
    let txn = raw.begin().await.unwrap();
    let n = count(&txn).await;
    assert_eq!(n, 0, "no tenant set inside a transaction");
    txn.commit().await.unwrap();

    // The superuser sees them: the rows are there.
    let admin = app.db.admin().await;
    let n = count(&admin).await;
    assert_eq!(n, 3);
    app.stop().await;
}

#[tokio::test]
async fn an_unscoped_query_still_returns_only_the_current_tenants_rows() {
    let app = TestApp::spawn().await;
    let kielce = app.create_tenant("kielce").await;
    app.create_tenant("plock").await;
    add(&app, "kielce", 2).await;
    add(&app, "plock", 5).await;

    let db = app.db.app().await.tenant_db();
    let txn = db.begin(tenant_id(&kielce)).await.unwrap();
    // Deliberately no `WHERE tenant_id = …`.
    let rows = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT tenant_id FROM volunteers",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let tenant: uuid::Uuid = row.try_get("", "tenant_id").unwrap();
        assert_eq!(tenant, kielce.id);
    }
    txn.commit().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn writing_a_row_for_another_tenant_is_rejected() {
    let app = TestApp::spawn().await;
    let kielce = app.create_tenant("kielce").await;
    let plock = app.create_tenant("plock").await;
    let db = app.db.app().await.tenant_db();
    let txn = db.begin(tenant_id(&kielce)).await.unwrap();
    let error = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO volunteers (tenant_id, id, first_name, last_name, email, birth_date, created_at, updated_at)
             VALUES ($1, $2, 'Obcy', 'Wpis', 'obcy@example.pl', '1990-01-01', now(), now())",
            [plock.id.into(), uuid::Uuid::now_v7().into()],
        ))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("row-level security"), "{error}");
    txn.rollback().await.unwrap();

    // Moving a row to another office is refused too (WITH CHECK on UPDATE).
    add(&app, "kielce", 1).await;
    let txn = db.begin(tenant_id(&kielce)).await.unwrap();
    let error = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE volunteers SET tenant_id = $1",
            [plock.id.into()],
        ))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("row-level security"), "{error}");
    txn.rollback().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn the_tenant_setting_does_not_outlive_its_transaction() {
    let app = TestApp::spawn().await;
    let kielce = app.create_tenant("kielce").await;
    add(&app, "kielce", 1).await;
    // One connection, so the next statement runs on the very connection the transaction used.
    let mut config = lacznik_config::Config::default().database;
    config.max_connections = 1;
    let db =
        lacznik_tenancy::AppDb::connect(&secrecy::SecretString::from(app.db.app_url()), &config)
            .await
            .unwrap();
    let txn = db.tenant_db().begin(tenant_id(&kielce)).await.unwrap();
    let n = count(&*txn).await;
    assert_eq!(n, 1);
    txn.commit().await.unwrap();
    let platform = db.platform_db();
    let n = count(platform.conn()).await;
    assert_eq!(n, 0, "the pooled connection must not keep the tenant");
    app.stop().await;
}
