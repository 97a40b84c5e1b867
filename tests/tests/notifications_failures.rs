//! What goes wrong on the way to a mailbox, on the real parts: a sender killed with work in
//! hand (its jobs are taken over, and nobody gets a message twice), an SMTP relay that is down
//! for a while (retried and delivered), one that refuses an address (failed, dead-lettered,
//! the address suppressed, all visible in the log) and one that never comes back (given up
//! after the configured attempts); and what is left of a message once its content is no longer
//! kept.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lacznik_testkit::proxy::TcpProxy;
use lacznik_testkit::smtp::{Answer, SmtpServer};
use lacznik_testkit::{TestApp, eventually, ok_json, problem, redis_url};
use mail_parser::MessageParser;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

async fn platform(smtp: &SmtpServer, notifications: Value, queue: Value) -> TestApp {
    let mut config_queue = json!({ "in_process": true, "poll_interval_ms": 50 });
    for (k, v) in queue.as_object().unwrap() {
        config_queue[k] = v.clone();
    }
    let mut config_mail =
        json!({ "smtp_url": smtp.url(), "retry_base_ms": 200, "send_timeout_secs": 5 });
    for (k, v) in notifications.as_object().unwrap() {
        config_mail[k] = v.clone();
    }
    TestApp::spawn_configured(json!({ "queue": config_queue, "notifications": config_mail })).await
}

/// `count` active volunteers in office `slug`, `v<i>@<slug>.example.pl`, written directly.
async fn volunteers(app: &TestApp, slug: &str, addresses: &[String]) {
    let tenant = app.create_tenant(slug).await;
    let admin = app.db.admin().await;
    for address in addresses {
        admin
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO volunteers (tenant_id, id, first_name, last_name, email, birth_date, \
                 created_at, updated_at, status, kinds, skills, languages, districts, availability) \
                 VALUES ($1, gen_random_uuid(), 'Zofia', 'Wiśniewska', $2, DATE '1985-02-03', \
                 now(), now(), 'active', '[]', '[]', '[]', '[]', '[]')",
                [tenant.id.into(), address.clone().into()],
            ))
            .await
            .unwrap();
    }
}

async fn broadcast(app: &TestApp, slug: &str, subject: &str) -> Value {
    ok_json(
        app.send(
            slug,
            Method::POST,
            "/api/v1/notifications/broadcasts",
            Some(json!({ "subject": subject, "body": "Ośrodek będzie nieczynny w piątek." })),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await
}

async fn log(app: &TestApp, slug: &str) -> Vec<Value> {
    let page = ok_json(
        app.send(
            slug,
            Method::GET,
            "/api/v1/notifications/deliveries?limit=100",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

/// How many deliveries are in each status (read as the superuser, across the office).
async fn statuses(app: &TestApp) -> HashMap<String, i64> {
    let admin = app.db.admin().await;
    admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT status, count(*) AS n FROM deliveries GROUP BY status",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.try_get::<String>("", "status").unwrap(),
                row.try_get::<i64>("", "n").unwrap(),
            )
        })
        .collect()
}

fn message_ids(smtp: &SmtpServer) -> Vec<String> {
    smtp.received()
        .iter()
        .map(|m| {
            MessageParser::default()
                .parse(m.data.as_bytes())
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn redis_addr() -> std::net::SocketAddr {
    redis_url()
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A notifications worker of its own, as a separate process would run, on the platform's
/// database and queue (through `redis`).
async fn worker(
    app: &TestApp,
    smtp: &SmtpServer,
    redis: &str,
) -> Arc<lacznik_notifications::Notifications> {
    let config = app.db.config_with(json!({
        "notifications": {
            "smtp_url": smtp.url(), "send_timeout_secs": 2, "concurrency": 8, "retry_base_ms": 200,
        },
        "queue": { "claim_idle_secs": 2 },
    }));
    let service = |name: &str| format!("http://{}", app.service_addr(name));
    let prefix = config.redis.key_prefix.clone();
    let db = app.db.app().await;
    lacznik_notifications::build(
        &config,
        &db,
        &lacznik_notifications::Upstreams {
            identity: service("identity"),
            volunteers: service("volunteers"),
            needs: service("needs"),
        },
        Some((redis::Client::open(redis).unwrap(), prefix)),
    )
    .unwrap()
}

fn start(
    n: &Arc<lacznik_notifications::Notifications>,
    name: &str,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::watch::Sender<bool>,
) {
    let (stop, signal) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(lacznik_notifications::sender::run(
        n.clone(),
        name.to_owned(),
        signal,
    ));
    (task, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_between_send_and_ack_loses_nothing_and_repeats_nothing() {
    let smtp = SmtpServer::start().await;
    let app = platform(
        &smtp,
        json!({ "senders": 0 }),
        json!({ "claim_idle_secs": 2 }),
    )
    .await;
    let addresses: Vec<String> = (1..=30)
        .map(|i| format!("v{i}@kielce.example.pl"))
        .collect();
    volunteers(&app, "kielce", &addresses).await;
    broadcast(&app, "kielce", "Dzień zamknięcia ośrodka").await;
    eventually(Duration::from_secs(20), "30 queued deliveries", || async {
        (statuses(&app).await.get("queued") == Some(&30)).then_some(())
    })
    .await;

    // Sender A reaches Redis through a proxy that goes down when the 10th message arrives:
    // whatever A sends from then on is sent and recorded, but never acknowledged.
    let proxy = TcpProxy::start(redis_addr()).await;
    smtp.on_receive({
        let cut = proxy.cutter();
        let seen = std::sync::atomic::AtomicUsize::new(0);
        move |_| {
            if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 10 {
                cut();
            }
        }
    });
    let a = worker(&app, &smtp, &format!("redis://{}/0", proxy.addr)).await;
    let (sender_a, _stop_a) = start(&a, "sender-a");
    eventually(
        Duration::from_secs(20),
        "A's messages in hand to be sent and recorded",
        || async {
            let now = statuses(&app).await;
            (now.get("sent").copied().unwrap_or(0) >= 10 && !now.contains_key("sending"))
                .then_some(now)
        },
    )
    .await;
    sender_a.abort(); // killed: its jobs are pending in Redis, unacknowledged
    let _ = sender_a.await;
    let sent_by_a = smtp.received().len();
    assert!(
        sent_by_a >= 10,
        "{sent_by_a} received, {:?}",
        statuses(&app).await
    );

    // Sender B takes over the abandoned jobs after the idle time, and the rest.
    let b = worker(&app, &smtp, &redis_url()).await;
    let (_sender_b, stop_b) = start(&b, "sender-b");
    eventually(Duration::from_secs(30), "all 30 emails", || async {
        (statuses(&app).await.get("sent") == Some(&30)).then_some(())
    })
    .await;
    // …and A's abandoned jobs were taken over and acknowledged (found sent, not sent again).
    let redis = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let kielce = lacznik_identity::store::find_by_slug(&app.db.app().await.platform_db(), "kielce")
        .await
        .unwrap()
        .unwrap();
    let stream = format!("{}mail:q:{}:3", app.db.config().redis.key_prefix, kielce.id);
    eventually(Duration::from_secs(20), "no job left pending", || {
        let mut redis = redis.clone();
        let stream = stream.clone();
        async move {
            let pending: redis::streams::StreamPendingReply = redis::cmd("XPENDING")
                .arg(&stream)
                .arg("senders")
                .query_async(&mut redis)
                .await
                .unwrap();
            (pending.count() == 0).then_some(())
        }
    })
    .await;
    let _ = stop_b.send(true);

    let ids = message_ids(&smtp);
    let mut seen = std::collections::HashSet::new();
    let twice: Vec<&String> = ids.iter().filter(|id| !seen.insert(*id)).collect();
    assert!(twice.is_empty(), "mailed twice: {twice:?}");
    assert_eq!(ids.len(), 30);
    let recipients: std::collections::HashSet<String> =
        smtp.received().iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(recipients.len(), 30);
    eprintln!(
        "A sent {sent_by_a} before it was killed; B sent the other {}",
        30 - sent_by_a
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_with_messages_in_flight_hands_them_over_once_its_lease_ends() {
    let smtp = SmtpServer::start().await;
    let app = platform(
        &smtp,
        json!({ "senders": 0 }),
        json!({ "claim_idle_secs": 2 }),
    )
    .await;
    let addresses: Vec<String> = (1..=5).map(|i| format!("v{i}@kielce.example.pl")).collect();
    volunteers(&app, "kielce", &addresses).await;
    broadcast(&app, "kielce", "Dzień zamknięcia ośrodka").await;
    eventually(Duration::from_secs(20), "5 queued deliveries", || async {
        (statuses(&app).await.get("queued") == Some(&5)).then_some(())
    })
    .await;

    // The relay takes the data and stalls; A dies while all five hang.
    smtp.answer(Answer::Hang);
    let a = worker(&app, &smtp, &redis_url()).await;
    let (sender_a, _stop_a) = start(&a, "sender-a");
    eventually(Duration::from_secs(20), "five sends in flight", || async {
        (statuses(&app).await.get("sending") == Some(&5)).then_some(())
    })
    .await;
    sender_a.abort();
    let _ = sender_a.await;
    assert!(smtp.received().is_empty());

    smtp.answer(Answer::Accept);
    let b = worker(&app, &smtp, &redis_url()).await;
    let (_sender_b, stop_b) = start(&b, "sender-b");
    eventually(
        Duration::from_secs(40),
        "the five taken over and sent",
        || async { (statuses(&app).await.get("sent") == Some(&5)).then_some(()) },
    )
    .await;
    let _ = stop_b.send(true);
    assert_eq!(message_ids(&smtp).len(), 5);
    for delivery in log(&app, "kielce").await {
        assert_eq!(delivery["attempts"], 2, "A's attempt and B's: {delivery}");
    }
}

#[tokio::test]
async fn a_relay_down_for_a_while_delays_mail_and_a_refused_address_is_failed_and_suppressed() {
    let smtp = SmtpServer::start().await;
    let app = platform(&smtp, json!({ "max_attempts": 30 }), json!({})).await;
    let addresses = vec![
        "anna@kielce.example.pl".to_owned(),
        "nieistnieje@kielce.example.pl".to_owned(),
    ];
    volunteers(&app, "kielce", &addresses).await;
    smtp.refuse("nieistnieje@kielce.example.pl");
    smtp.stop();
    broadcast(&app, "kielce", "Zbiórka nakrętek w sobotę").await;

    // Down: both wait, retried, the reason in the log.
    let waiting = eventually(
        Duration::from_secs(20),
        "retries while the relay is down",
        || async {
            let all = log(&app, "kielce").await;
            (all.len() == 2
                && all
                    .iter()
                    .all(|d| d["status"] == "retrying" && d["attempts"].as_i64().unwrap() >= 2))
            .then_some(all)
        },
    )
    .await;
    let id = waiting[0]["id"].as_str().unwrap();
    let detail = ok_json(
        app.send(
            "kielce",
            Method::GET,
            &format!("/api/v1/notifications/deliveries/{id}"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let attempts = detail["attempts"].as_array().unwrap();
    assert!(attempts.len() >= 2, "{detail}");
    assert!(
        attempts.iter().all(|a| a["outcome"] == "temporary"),
        "{detail}"
    );

    // Back: Anna's arrives; the other address is refused for good.
    smtp.restart().await;
    smtp.wait_for(1, Duration::from_secs(20)).await;
    let done = eventually(Duration::from_secs(20), "both final", || async {
        let all = log(&app, "kielce").await;
        all.iter()
            .all(|d| d["status"] == "sent" || d["status"] == "failed")
            .then_some(all)
    })
    .await;
    let by_address = |address: &str| done.iter().find(|d| d["to"] == address).unwrap().clone();
    assert_eq!(by_address("anna@kielce.example.pl")["status"], "sent");
    let refused = by_address("nieistnieje@kielce.example.pl");
    assert_eq!(refused["status"], "failed");
    assert!(
        refused["reason"].as_str().unwrap().contains("550"),
        "{refused}"
    );
    assert_eq!(smtp.received().len(), 1);

    // Dead-lettered with the reason; the address suppressed.
    let mut redis = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let dead: Vec<(String, HashMap<String, String>)> = redis::cmd("XRANGE")
        .arg(format!("{}mail:dead", app.db.config().redis.key_prefix))
        .arg("-")
        .arg("+")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].1["d"], refused["id"].as_str().unwrap());
    assert!(dead[0].1["reason"].contains("550"));
    let suppressed = ok_json(
        app.send(
            "kielce",
            Method::GET,
            "/api/v1/notifications/suppressions",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(suppressed[0]["address"], "nieistnieje@kielce.example.pl");
    assert_eq!(suppressed[0]["reason"], "hard_bounce");

    // The next message to that address is not attempted; a resend is refused until the
    // coordinator lifts the suppression.
    broadcast(&app, "kielce", "Zbiórka nakrętek — przypomnienie").await;
    eventually(
        Duration::from_secs(20),
        "the next one suppressed",
        || async {
            log(&app, "kielce")
                .await
                .into_iter()
                .find(|d| d["to"] == "nieistnieje@kielce.example.pl" && d["status"] == "suppressed")
        },
    )
    .await;
    let resend = format!(
        "/api/v1/notifications/deliveries/{}/resend",
        refused["id"].as_str().unwrap()
    );
    let (status, code) = problem(app.send("kielce", Method::POST, &resend, None).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "address_suppressed")
    );
    let lifted = app
        .send(
            "kielce",
            Method::DELETE,
            "/api/v1/notifications/suppressions?address=nieistnieje@kielce.example.pl",
            None,
        )
        .await;
    assert_eq!(lifted.status(), StatusCode::NO_CONTENT);
    let again = ok_json(
        app.send("kielce", Method::POST, &resend, None).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(again["resend_of"], refused["id"]);
}

#[tokio::test]
async fn a_relay_that_never_comes_back_is_given_up_after_the_configured_attempts() {
    let smtp = SmtpServer::start().await;
    let app = platform(
        &smtp,
        json!({ "max_attempts": 3, "retry_base_ms": 100 }),
        json!({}),
    )
    .await;
    volunteers(&app, "kielce", &["anna@kielce.example.pl".to_owned()]).await;
    smtp.answer(Answer::TryLater);
    broadcast(&app, "kielce", "Zbiórka nakrętek w sobotę").await;
    let failed = eventually(Duration::from_secs(30), "the message given up", || async {
        log(&app, "kielce")
            .await
            .into_iter()
            .find(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(failed["attempts"], 3);
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.starts_with("gave up after 3 attempts"), "{reason}");
    assert!(reason.contains("451"), "{reason}");
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn an_old_message_loses_its_content_and_keeps_its_log_entry() {
    let smtp = SmtpServer::start().await;
    let app = platform(&smtp, json!({ "keep_content_days": 30 }), json!({})).await;
    let (old, new) = ("stara@kielce.example.pl", "nowa@kielce.example.pl");
    volunteers(&app, "kielce", &[old.to_owned(), new.to_owned()]).await;
    broadcast(&app, "kielce", "Zbiórka żywności w sobotę").await;
    eventually(Duration::from_secs(20), "both sent", || async {
        (statuses(&app).await.get("sent") == Some(&2)).then_some(())
    })
    .await;
    let admin = app.db.admin().await;
    admin
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE deliveries SET created_at = now() - interval '31 days' WHERE recipient = $1",
            [old.into()],
        ))
        .await
        .unwrap();
    let content = |to: &'static str| {
        let admin = admin.clone();
        async move {
            admin
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT payload FROM deliveries WHERE recipient = $1",
                    [to.into()],
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<String>("", "payload")
                .unwrap()
        }
    };
    assert!(content(old).await.contains("Zbiórka żywności"));

    // The hourly round, run now.
    let n = worker(&app, &smtp, &redis_url()).await;
    let offices = n.offices.all().await.unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        lacznik_notifications::housekeeping::forget(&n, &offices, now).await,
        1
    );
    assert_eq!(content(old).await, "{}");
    assert!(content(new).await.contains("Zbiórka żywności"));
    assert_eq!(
        lacznik_notifications::housekeeping::forget(&n, &offices, now).await,
        0,
        "nothing is forgotten twice"
    );

    // The coordinator's log still shows both; only the newer one can be sent again.
    let entries = log(&app, "kielce").await;
    let entry = |to: &str| entries.iter().find(|d| d["to"] == to).unwrap().clone();
    assert_eq!(
        (
            entry(old)["status"].clone(),
            entry(old)["content_kept"].clone()
        ),
        (json!("sent"), json!(false))
    );
    assert_eq!(entry(new)["content_kept"], true);
    let resend = |d: Value| {
        format!(
            "/api/v1/notifications/deliveries/{}/resend",
            d["id"].as_str().unwrap()
        )
    };
    let (status, code) = problem(
        app.send("kielce", Method::POST, &resend(entry(old)), None)
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "content_forgotten")
    );
    ok_json(
        app.send("kielce", Method::POST, &resend(entry(new)), None)
            .await,
        StatusCode::CREATED,
    )
    .await;
    eventually(Duration::from_secs(20), "the resend delivered", || async {
        (smtp.received().len() == 3).then_some(())
    })
    .await;
}
