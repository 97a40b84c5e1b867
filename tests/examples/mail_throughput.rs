//! End-to-end email throughput and latency: from an `email.requested` row committed in an
//! office's outbox to the message accepted by a local SMTP server — through the relay (as
//! `lacznik_relay`), the office's Redis stream, the notifications consumer (delivery records in
//! PostgreSQL as `lacznik_app`, under row-level security), the fair send queue on Redis, and the
//! senders (render, compose with the `.ics`, lettre pooled SMTP, record, acknowledge).
//!
//! The SMTP server is Postfix's `smtp-sink` (Debian package `postfix`), which accepts and
//! discards mail as fast as it can; its own accept rate on this machine, measured in the same
//! run with Postfix's `smtp-source` sending messages of the same size over 20 connections, is
//! the ceiling the pipeline is compared with.
//!
//! Phases, each in a fresh database (dropped after it):
//! 1. the ceiling: `smtp-source` → `smtp-sink`;
//! 2. burst: N `assignment_confirmed` requests (with calendar invitations) committed at once
//!    across 10 offices, then timed until the last is recorded sent — emails/s, with 1 and with
//!    2 sending loops;
//! 3. steady rate: requests committed in small batches at a fixed rate for a while; latency from
//!    each row's commit to its record sent (which is written within ~20 ms after the SMTP server
//!    accepted it), p50 / p90 / p99 / max.
//!
//! Run (release, own target directory):
//! `CARGO_TARGET_DIR=target/release-bench cargo run --release -p lacznik-e2e --example
//! mail_throughput [-- EMAILS [RATE]]` — EMAILS per burst (default 20,000), RATE per second of
//! the steady phase (default 500, for 20 s; 0 skips it); `MAIL_SENDERS=1,2` the numbers of sending
//! loops to measure bursts with. Needs `smtp-sink` and `smtp-source` on the PATH.
#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lacznik_testkit::bench::{Sample, scalar};
use lacznik_testkit::{TestApp, TestDb};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

const OFFICES: usize = 10;
const SINK_PORT: u16 = 2525;

struct Sink(Child);

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sink() -> Sink {
    let child = Command::new("smtp-sink")
        .args([
            "-c",
            "-u",
            "nobody",
            &format!("127.0.0.1:{SINK_PORT}"),
            "2048",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("smtp-sink (Debian package postfix) on the PATH");
    std::thread::sleep(Duration::from_millis(300));
    Sink(child)
}

/// `smtp-source` sending `count` messages of `size` bytes over `sessions` connections.
fn ceiling(count: usize, size: usize, sessions: usize) -> f64 {
    let started = Instant::now();
    let status = Command::new("smtp-source")
        .args([
            "-s",
            &sessions.to_string(),
            "-l",
            &size.to_string(),
            "-m",
            &count.to_string(),
            "-c",
            "-f",
            "bench@lacznik.example",
            "-t",
            "sink@lacznik.example",
            &format!("127.0.0.1:{SINK_PORT}"),
        ])
        .stdout(Stdio::null())
        .status()
        .expect("smtp-source (Debian package postfix) on the PATH");
    assert!(status.success());
    count as f64 / started.elapsed().as_secs_f64()
}

/// The same transport the senders use, with nothing around it: compose an assignment email
/// with its invitation and send it, `in_flight` at a time.
async fn client_alone(count: usize, in_flight: usize) -> (f64, usize) {
    use futures_util::StreamExt;
    use lacznik_mail::ics::{Invite, Method};
    use lacznik_mail::{Mailer, Outgoing, Recipient, Sender, compose};
    let mailer = Mailer::smtp(
        &format!("smtp://127.0.0.1:{SINK_PORT}"),
        32,
        Duration::from_secs(5),
    )
    .unwrap();
    let starts_at = chrono::Utc::now() + chrono::Duration::days(3);
    let message = |i: usize| Outgoing {
        message_id: format!("{i}@bench.lacznik.example"),
        from: Sender {
            name: "MOPR Kielce".into(),
            address: "wolontariat@mopr.kielce.example".into(),
            reply_to: Some("wolontariat@mopr.kielce.example".into()),
        },
        to: Recipient {
            name: "Zofia Łękawska".into(),
            address: format!("wolontariusz-{i}@example.pl"),
        },
        subject: "Potwierdzenie: Zakupy i spacer z panią Heleną".into(),
        text: "Dzień dobry, Zofia! Zadanie „Zakupy i spacer z panią Heleną” jest Twoje. "
            .repeat(12),
        html: "<p>Dzień dobry, Zofia! Zadanie „Zakupy i spacer z panią Heleną” jest Twoje.</p>"
            .repeat(20),
        invite: Some(Invite {
            uid: format!("{i}@bench.lacznik.example"),
            sequence: 0,
            method: Method::Request,
            summary: "Zakupy i spacer z panią Heleną".into(),
            description: "wtorek, 10:00–12:00\nSchody strome.".into(),
            location: Some("Centrum".into()),
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(2),
            also_starts: Vec::new(),
            organizer_name: "MOPR Kielce".into(),
            organizer_email: "wolontariat@mopr.kielce.example".into(),
            attendee_name: "Zofia Łękawska".into(),
            attendee_email: format!("wolontariusz-{i}@example.pl"),
            stamped_at: chrono::Utc::now(),
        }),
        unsubscribe: Some("https://kielce.lacznik.example/wolontariat/wypisz?token=abc".into()),
    };
    let bytes = compose(&message(0)).unwrap().formatted().len();
    let started = Instant::now();
    futures_util::stream::iter(0..count)
        .map(|i| {
            let mailer = mailer.clone();
            let out = message(i);
            async move {
                mailer
                    .send(compose(&out).unwrap(), Duration::from_secs(10))
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<()>>()
        .await;
    (count as f64 / started.elapsed().as_secs_f64(), bytes)
}

/// Commits `per_office` email requests in each office's outbox, in one statement.
async fn request(db: &DatabaseConnection, per_office: usize, tag: &str) {
    let payload = json!({
        "template": "assignment_confirmed", "to": "wolontariusz-%s@example.pl",
        "to_name": "Zofia Łękawska", "locale": "pl",
        "link": "http://kielce.localhost:8080/wolontariat/oferta#token=abcdefghijklmnopqrstuvwxyz0123456789",
        "expires_at": "2027-01-10T12:00:00Z",
        "data": {
            "first_name": "Zofia", "assignment_id": "0193a0b0-0000-7000-8000-000000000001",
            "need_title": "Zakupy i spacer z panią Heleną", "kind_name": "towarzystwo dla seniora",
            "when": "wtorek, 8 grudnia 2026 r., 10:00–12:00",
            "starts_at": "2026-12-08T09:00:00Z", "ends_at": "2026-12-08T11:00:00Z",
            "visits": [], "district": "Centrum",
            "safety_info": "Schody strome, w mieszkaniu kot."
        }
    })
    .to_string();
    let (head, tail) = payload.split_once("%s").unwrap();
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO outbox_events (tenant_id, id, topic, payload, created_at, attempts) \
         SELECT t.id, gen_random_uuid(), 'email.requested', $1 || $3 || '-' || t.slug || '-' || i || $2, \
                clock_timestamp(), 0 \
         FROM tenants t, generate_series(1, $4) AS i",
        [
            head.to_owned().into(),
            tail.to_owned().into(),
            tag.to_owned().into(),
            i64::try_from(per_office).unwrap().into(),
        ],
    ))
    .await
    .unwrap();
}

async fn platform(senders: u32) -> (TestApp, DatabaseConnection) {
    let db = TestDb::new().await;
    let config = db.config_with(json!({
        "database": { "max_connections": std::env::var("MAIL_DB_CONNECTIONS").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(24) },
        "queue": { "in_process": true, "poll_interval_ms": 20, "batch": 500 },
        "notifications": {
            "smtp_url": format!("smtp://127.0.0.1:{SINK_PORT}"),
            "smtp_pool": std::env::var("MAIL_SMTP_POOL").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(32), "senders": senders, "concurrency": 64,
            "tenant_rate_per_sec": 100000, "tenant_burst": 100000,
        },
    }));
    let app = TestApp::spawn_with_config(db, config).await;
    for i in 0..OFFICES {
        app.create_tenant(&format!("osrodek-{i:02}")).await;
    }
    let admin = app.db.admin().await;
    (app, admin)
}

/// Polls every `poll_ms` until `count` deliveries are recorded sent.
async fn sent_at_least(admin: &DatabaseConnection, count: i64, poll_ms: u64) {
    while scalar::<i64>(
        admin,
        "SELECT count(*) FROM deliveries WHERE status = 'sent'",
    )
    .await
        < count
    {
        tokio::time::sleep(Duration::from_millis(poll_ms)).await;
    }
}

/// Warms the platform up — connections, prepared statements, the office directory's cache —
/// with 20 emails per office, sent; returns how many.
async fn warm_up(admin: &DatabaseConnection) -> i64 {
    request(admin, 20, "rozgrzewka").await;
    let warm = (OFFICES * 20) as i64;
    sent_at_least(admin, warm, 100).await;
    warm
}

/// Time from the commit of `count` requests until every one is recorded sent.
async fn burst(senders: u32, per_office: usize) -> (f64, f64) {
    let (app, admin) = platform(senders).await;
    let warm = warm_up(&admin).await;
    // The clock: the database's, from just before the requests are committed to the last
    // delivery recorded sent (polled slowly, so the polling costs the run nothing).
    let started: f64 = scalar::<f64>(
        &admin,
        "SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8",
    )
    .await;
    request(&admin, per_office, "pomiar").await;
    let total = warm + (OFFICES * per_office) as i64;
    sent_at_least(&admin, total, 250).await;
    let recorded = scalar::<f64>(
        &admin,
        "SELECT EXTRACT(EPOCH FROM max(created_at))::float8 FROM deliveries",
    )
    .await;
    let finished = scalar::<f64>(
        &admin,
        "SELECT EXTRACT(EPOCH FROM max(sent_at))::float8 FROM deliveries",
    )
    .await;
    let seconds = finished - started;
    println!(
        "  all {} requests recorded as deliveries after {:.1} s, sent after {seconds:.1} s",
        OFFICES * per_office,
        recorded - started
    );
    let failed = scalar::<i64>(
        &admin,
        "SELECT count(*) FROM deliveries WHERE status <> 'sent'",
    )
    .await;
    admin.close().await.ok();
    app.stop_and_drop().await;
    assert_eq!(failed, 0, "every email sent");
    ((OFFICES * per_office) as f64 / seconds, seconds)
}

/// Latency at a steady `rate` for `seconds`.
async fn steady(rate: usize, seconds: u64) -> Sample {
    let (app, admin) = platform(1).await;
    // As the bursts do; the warm-up is left out of the figures.
    let warm = warm_up(&admin).await;
    let batches_per_second = 20;
    let per_batch = (rate / batches_per_second / OFFICES).max(1);
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / batches_per_second as u64));
    let mut batches = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        request(&admin, per_batch, &format!("stala-{batches}")).await;
        batches += 1;
    }
    let total = warm + (batches * per_batch * OFFICES) as i64;
    sent_at_least(&admin, total, 250).await;
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT (EXTRACT(EPOCH FROM (d.sent_at - o.created_at)) * 1000)::float8 AS ms \
             FROM deliveries d JOIN outbox_events o ON o.tenant_id = d.tenant_id AND o.id = d.event_id \
             WHERE o.payload NOT LIKE '%rozgrzewka%'",
        ))
        .await
        .unwrap();
    let ms: Vec<f64> = rows
        .iter()
        .map(|r| r.try_get::<f64>("", "ms").unwrap())
        .collect();
    admin.close().await.ok();
    app.stop_and_drop().await;
    Sample::new(ms)
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let emails = args.first().copied().unwrap_or(20_000);
    let rate = args.get(1).copied().unwrap_or(500);
    let _sink = sink();
    println!("# Email throughput, outbox row committed → accepted by smtp-sink");
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let size = 9_000; // about what an assignment email with its invitation weighs
    let ceiling_rate = ceiling(20_000, size, 20);
    println!(
        "smtp-source → smtp-sink, 20 sessions, {size}-byte messages: {ceiling_rate:.0} emails/s"
    );
    let (client_rate, bytes) = client_alone(20_000, 64).await;
    println!(
        "lettre alone (compose + pooled send, 32 connections, 64 in flight, {bytes}-byte messages): \
         {client_rate:.0} emails/s"
    );

    let loops: Vec<u32> = std::env::var("MAIL_SENDERS")
        .unwrap_or_else(|_| "1,2".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    for senders in loops {
        let (per_second, seconds) = burst(senders, emails / OFFICES).await;
        println!(
            "burst of {emails} across {OFFICES} offices, {senders} sending loop(s): {per_second:.0} emails/s \
             ({seconds:.1} s; {:.0} % of the sink's own rate)",
            per_second / ceiling_rate * 100.0
        );
    }

    if rate == 0 {
        return;
    }
    let latencies = steady(rate, 20).await;
    println!(
        "steady {rate}/s for 20 s ({} emails): commit → recorded sent p50 {:.1} ms, p90 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        latencies.at(0.5),
        latencies.at(0.9),
        latencies.at(0.99),
        latencies.max()
    );
}
