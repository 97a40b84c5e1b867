//! The outbox relay against the real PostgreSQL (as `lacznik_relay`) and the real Redis: every
//! committed event reaches its office's stream once, rows wait in PostgreSQL while Redis is
//! down and go when it is back, and the relay's role can read nothing but the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_queue::relay::{Relay, stream_key, streams_key};
use lacznik_testkit::{TestApp, redis_url, tenant_id};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

async fn relay_db(app: &TestApp) -> DatabaseConnection {
    let config = app.db.config();
    let url = config.database.relay_url(&config.data_dir.0).unwrap();
    lacznik_tenancy::connect_pool(&url, &config.database)
        .await
        .unwrap()
}

async fn pending(app: &TestApp) -> i64 {
    let admin = app.db.admin().await;
    let row = admin
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT (SELECT count(*) FROM outbox_events WHERE published_at IS NULL) + \
             (SELECT count(*) FROM platform_outbox_events WHERE published_at IS NULL) AS n",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn committed_events_reach_their_office_stream_once_and_wait_while_redis_is_down() {
    let app = TestApp::spawn().await;
    let kielce = tenant_id(&app.create_tenant("kielce").await);
    let plock = tenant_id(&app.create_tenant("plock").await);
    app.create_volunteer("kielce", "anna@example.pl").await;
    app.create_volunteer("plock", "jan@example.pl").await;
    let waiting = pending(&app).await;
    assert!(waiting >= 2, "{waiting}");
    let prefix = format!("lacznik:test:relay:{}:", uuid::Uuid::now_v7());

    // Redis down: nothing is marked, the rows wait.
    let down = Relay::new(
        relay_db(&app).await,
        redis::Client::open("redis://127.0.0.1:1/0").unwrap(),
        &prefix,
        100,
    );
    assert!(down.relay_once().await.is_err());
    assert_eq!(pending(&app).await, waiting);

    // Back: everything goes, to the right office's stream, once.
    let redis = redis::Client::open(redis_url()).unwrap();
    let relay = Relay::new(relay_db(&app).await, redis.clone(), &prefix, 100);
    let moved = relay.relay_once().await.unwrap();
    assert_eq!(moved as i64, waiting);
    assert_eq!(pending(&app).await, 0);
    assert_eq!(relay.relay_once().await.unwrap(), 0);

    let mut conn = redis.get_multiplexed_async_connection().await.unwrap();
    let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg(stream_key(&prefix, Some(kielce.as_uuid())))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap();
    let fields = |entry: &(String, Vec<(String, String)>), name: &str| {
        entry
            .1
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let topics: Vec<String> = entries.iter().map(|e| fields(e, "topic")).collect();
    assert!(
        topics.contains(&"volunteers.volunteer.registered".to_owned()),
        "{topics:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| fields(e, "tenant") == kielce.to_string())
    );
    let streams: Vec<String> = redis::cmd("SMEMBERS")
        .arg(streams_key(&prefix))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(streams.contains(&stream_key(&prefix, Some(plock.as_uuid()))));
    let _: () = redis::cmd("DEL")
        .arg(stream_key(&prefix, Some(kielce.as_uuid())))
        .arg(stream_key(&prefix, Some(plock.as_uuid())))
        .arg(stream_key(&prefix, None))
        .arg(streams_key(&prefix))
        .query_async(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_relay_role_reads_the_outbox_and_nothing_else() {
    let app = TestApp::spawn().await;
    app.create_tenant("kielce").await;
    app.create_volunteer("kielce", "anna@example.pl").await;
    let db = relay_db(&app).await;
    for table in ["volunteers", "users", "needs", "beneficiaries"] {
        let refused = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT count(*) AS n FROM {table}"),
            ))
            .await;
        assert!(refused.is_err(), "{table} must be out of the relay's reach");
    }
    let refused = db
        .execute_unprepared("UPDATE outbox_events SET payload = '{}'")
        .await;
    assert!(
        refused.is_err(),
        "the relay may only mark rows, not change them"
    );
}
