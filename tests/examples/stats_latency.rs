//! Latency of the statistics' queries with 2,500 offices and five years of rollups, and how
//! fast the rollups catch up on a backlog of events.
//!
//! The whole platform runs in this process (`TestApp`: gateway and services on loopback ports,
//! PostgreSQL as `lacznik_app` under row-level security, the comparison as `lacznik_stats`),
//! in a fresh database that is dropped at the end. 2,500 offices are written straight into
//! `tenants`, spread over the 16 voivodeships as Poland's gminas are (mazowieckie 317, opolskie
//! 72), with populations from 5,000 to 1.8 million. Their rollups are generated with
//! `generate_series`: every month, quarter and year of 2022–2026, for all kinds together and
//! `STATS_KINDS` kinds of help (default 8), random values scaled by population and period
//! length (small counts included, so suppression has work), inserted in time order as the
//! consumer would write them, then vacuumed and analysed as autovacuum would.
//!
//! Timed, one request at a time through the gateway, from send until the whole answer is read:
//! an office's dashboard (its coordinator, at its address; months, quarters and years), a
//! voivodeship's comparison (all 16 in turn, a regional admin of all voivodeships), a
//! platform admin's comparison of all 2,500 offices (`POST /comparison`), and a 60-month
//! trend. Then the parts of the largest one, timed directly: reading the rows as
//! `lacznik_stats`, building the protected tables, comparing.
//!
//! Catch-up: a backlog of events (hours, registrations, needs opened, assigned and
//! fulfilled, offers, completions with beneficiaries, check-ins, tallies) for 20 further offices
//! goes through the statistics' handler as the consumer feeds it from 20 backlogged streams
//! (`queue.batch` = 200 per stream per read); then one office's events are replayed by a
//! rebuild from the outbox.
//!
//! Run (release, own target directory):
//! `CARGO_TARGET_DIR=target/release-bench LACZNIK_TEST_PG=postgres://postgres@127.0.0.1:5432
//! cargo run --release -p lacznik-e2e --example stats_latency`
//! — `STATS_OFFICES` (2,500), `STATS_KINDS` (8), `STATS_RUNS` (requests per query, 400),
//! `STATS_BACKLOG` (events per backlogged office, 5,000), `STATS_CACHE_SECS`
//! (`stats.comparison_cache_secs`, 30 as shipped; 0 reads every time); `STATS_KEEP=1` keeps
//! the database.
#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use lacznik_queue::consumer::{Delivered, Handler};
use lacznik_stats::StatsConsumer;
use lacznik_stats::domain::period::{Period, PeriodKind, years};
use lacznik_stats::offices::Office;
use lacznik_stats::report::comparison::{RegionTables, compare};
use lacznik_stats::store::rollups::{RegionalDb, regional_rows};
use lacznik_testkit::TestApp;
use lacznik_testkit::bench::{Sample, scalar};
use lacznik_types::TenantId;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

/// Gminas per voivodeship (TERYT 2024, rounded), which the 2,500 offices follow.
const REGIONS: [(&str, u32); 16] = [
    ("02", 169),
    ("04", 144),
    ("06", 213),
    ("08", 82),
    ("10", 177),
    ("12", 182),
    ("14", 317),
    ("16", 72),
    ("18", 160),
    ("20", 118),
    ("22", 123),
    ("24", 167),
    ("26", 102),
    ("28", 116),
    ("30", 226),
    ("32", 114),
];
const KINDS: [&str; 14] = [
    "senior_company",
    "shopping_household",
    "tutoring",
    "events",
    "food_collection",
    "reading",
    "computer_lessons",
    "emotional_support",
    "job_search",
    "repairs_moving",
    "web_writing",
    "animal_shelter",
    "mediation",
    "office_work",
];
/// The columns of a rollup row (the service's own list).
const COLUMNS: [&str; lacznik_stats::domain::figures::Column::COUNT] =
    lacznik_stats::domain::figures::Column::NAMES;
const BACKLOG_OFFICES: usize = 20;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
}

/// `n` offices, slugs `ops-0001`…, spread over the voivodeships in proportion to their gminas.
async fn offices(db: &DatabaseConnection, n: usize, first: usize, prefix: &str) {
    let total: u32 = REGIONS.iter().map(|(_, g)| g).sum();
    let mut cases = String::new();
    let mut upto = 0.0;
    for (code, gminas) in REGIONS {
        upto += f64::from(gminas) / f64::from(total);
        cases.push_str(&format!(
            " WHEN i <= {} THEN '{code}'",
            (upto * n as f64).ceil()
        ));
    }
    exec(
        db,
        &format!(
            "INSERT INTO tenants (id, slug, name, short_name, region_code, population, \
               street_address, postal_code, city, phone, email, office_hours, created_at) \
             SELECT gen_random_uuid(), '{prefix}-' || lpad((i + {first})::text, 4, '0'), \
               'Ośrodek Pomocy Społecznej nr ' || (i + {first}), 'OPS ' || (i + {first}), \
               CASE {cases} ELSE '32' END, \
               5000 + ((i * 7919) % 1000) * ((i * 31) % 7 + 1) * (CASE WHEN i % 97 = 0 THEN 250 ELSE 3 END), \
               'ul. Testowa 1', '00-001', 'Miasto', '22 000 00 00', 'ops' || i || '@example.pl', \
               '8:00–16:00', now() \
             FROM generate_series(1, {n}) AS i"
        ),
    )
    .await;
}

/// Five years of rollups for every office: months, quarters and years, `*` and `kinds` kinds.
async fn rollups(db: &DatabaseConnection, kinds: usize) {
    let kinds: Vec<String> = std::iter::once("'*'".to_owned())
        .chain(KINDS.iter().take(kinds).map(|k| format!("'{k}'")))
        .collect();
    let value = |column: &str| -> String {
        let base = match column {
            "volunteer_minutes" => "600",
            "kilogram_grams" | "caps_grams" => "20000",
            "emails_sent" => "40",
            "active_volunteers" | "hour_volunteers" | "offers_accepted" => "6",
            "beneficiaries_helped" | "needs_opened" | "needs_fulfilled" => "4",
            _ => "1",
        };
        format!(
            "floor(random() * {base} * p.months * (0.2 + t.population / 40000.0) \
             * CASE WHEN k.kind = '*' THEN 3 ELSE 1 END)::bigint"
        )
    };
    let values: Vec<String> = COLUMNS.iter().map(|c| value(c)).collect();
    exec(
        db,
        &format!(
            "INSERT INTO stats_rollups (tenant_id, id, period, period_start, kind, {}, \
               needs_assigned, wait_median_secs, wait_p90_secs) \
             SELECT t.id, gen_random_uuid(), p.period, p.start, k.kind, {}, \
               floor(random() * 8 * p.months)::bigint, \
               floor(3600 + random() * 86400)::bigint, floor(86400 + random() * 400000)::bigint \
             FROM (SELECT 'month' AS period, d::date AS start, 1 AS months \
                     FROM generate_series('2022-01-01'::date, '2026-12-01', '1 month') d \
                   UNION ALL SELECT 'quarter', d::date, 3 \
                     FROM generate_series('2022-01-01'::date, '2026-10-01', '3 months') d \
                   UNION ALL SELECT 'year', d::date, 12 \
                     FROM generate_series('2022-01-01'::date, '2026-01-01', '1 year') d) p \
             CROSS JOIN tenants t \
             CROSS JOIN (SELECT unnest(ARRAY[{}]) AS kind) k \
             WHERE t.slug LIKE 'ops-%' \
             ORDER BY p.start, t.id",
            COLUMNS.join(", "),
            values.join(", "),
            kinds.join(", ")
        ),
    )
    .await;
    // As autovacuum would after a load this size: statistics for the planner, and the
    // visibility map that lets the comparison read its covering index alone.
    exec(db, "VACUUM ANALYZE stats_rollups").await;
}

/// One request: the office's address (none: the platform's), method, path, token, body.
type Call = (Option<String>, Method, String, String, Option<Value>);

/// Sends `calls` one at a time.
async fn timed(app: &TestApp, label: &str, calls: &[Call]) -> Sample {
    let mut ms = Vec::with_capacity(calls.len());
    let mut bytes = 0usize;
    for (host, method, path, token, body) in calls {
        let mut request = match host {
            Some(slug) => app.at(slug, method.clone(), path),
            None => app.raw(method.clone(), path),
        }
        .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        let response = request.send().await.expect("send");
        let status = response.status();
        let body = response.bytes().await.expect("body");
        ms.push(started.elapsed().as_secs_f64() * 1e3);
        assert_eq!(
            status,
            StatusCode::OK,
            "{label}: {}",
            String::from_utf8_lossy(&body)
        );
        bytes += body.len();
    }
    let sample = Sample::new(ms);
    println!(
        "{label:<44} {} · answer {:.0} KB",
        sample.line(),
        bytes as f64 / calls.len() as f64 / 1024.0
    );
    sample
}

fn random_period(rng: &mut StdRng) -> Period {
    let kind = match rng.random_range(0..20) {
        0..12 => PeriodKind::Month,
        12..17 => PeriodKind::Quarter,
        _ => PeriodKind::Year,
    };
    let day =
        NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + Duration::days(rng.random_range(0..5 * 365));
    Period::containing(kind, day)
}

fn query(period: Period) -> String {
    format!("period={}&start={}", period.kind.as_str(), period.start)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n_offices = env("STATS_OFFICES", 2500);
    let kinds = env("STATS_KINDS", 8).min(KINDS.len());
    let runs = env("STATS_RUNS", 400);
    let backlog = env("STATS_BACKLOG", 5000);
    let mut rng = StdRng::seed_from_u64(20261202);
    println!(
        "stats_latency: {n_offices} offices, 2022–2026, `*` + {kinds} kinds, {runs} requests per \
         query, backlog {BACKLOG_OFFICES} × {backlog} events"
    );

    let cache_secs = env("STATS_CACHE_SECS", 30);
    println!("voivodeships' tables kept for {cache_secs} s (stats.comparison_cache_secs)");
    let app = TestApp::spawn_configured(json!({
        "limits": {"tenant_requests": 100_000_000},
        "telemetry": {"log_filter": "warn"},
        "stats": {"comparison_cache_secs": cache_secs},
    }))
    .await;
    let admin = app.db.admin().await;
    let started = Instant::now();
    offices(&admin, n_offices, 0, "ops").await;
    rollups(&admin, kinds).await;
    println!(
        "generated {} rollup rows for {} offices in {:.0} s; table {}",
        scalar::<i64>(&admin, "SELECT count(*) FROM stats_rollups").await,
        scalar::<i64>(&admin, "SELECT count(*) FROM tenants").await,
        started.elapsed().as_secs_f64(),
        admin
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_size_pretty(pg_total_relation_size('stats_rollups'))",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<String>(0)
            .unwrap()
    );

    // Who asks.
    let slugs: Vec<String> = (1..=n_offices).map(|i| format!("ops-{i:04}")).collect();
    let coordinators: Vec<(String, String)> = {
        let mut list = Vec::new();
        for slug in slugs.iter().step_by((n_offices / 40).max(1)).take(40) {
            let token = app.coordinator_token(slug).await;
            list.push((slug.clone(), token));
        }
        list
    };
    let regional = {
        let email = "regiony@lacznik.test";
        app.create_user(None, email, lacznik_auth::Role::RegionalAdmin, None, None)
            .await;
        app.login(None, email).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let platform = {
        let email = "admin@lacznik.test";
        app.create_user(None, email, lacznik_auth::Role::PlatformAdmin, None, None)
            .await;
        app.login(None, email).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let dashboards: Vec<_> = (0..runs)
        .map(|_| {
            let (slug, token) = coordinators.choose(&mut rng).unwrap().clone();
            let period = random_period(&mut rng);
            (
                Some(slug),
                Method::GET,
                format!("/api/v1/stats/dashboard?{}", query(period)),
                token,
                None,
            )
        })
        .collect();
    let regions: Vec<_> = (0..runs)
        .map(|i| {
            let (code, _) = REGIONS[i % REGIONS.len()];
            let period = random_period(&mut rng);
            (
                None,
                Method::GET,
                format!("/api/v1/stats/regions/{code}/comparison?{}", query(period)),
                regional.clone(),
                None,
            )
        })
        .collect();
    let everyone: Vec<_> = (0..runs / 4)
        .map(|_| {
            let period = random_period(&mut rng);
            (
                None,
                Method::POST,
                "/api/v1/stats/comparison".to_owned(),
                platform.clone(),
                Some(json!({"offices": slugs, "period": period.kind.as_str(),
                            "start": period.start.to_string()})),
            )
        })
        .collect();
    let trends: Vec<_> = (0..runs / 2)
        .map(|_| {
            let slug = slugs.choose(&mut rng).unwrap();
            (
                None,
                Method::GET,
                format!(
                    "/api/v1/stats/offices/{slug}/trend?figure=active_volunteers&months=60&end=2026-12-01"
                ),
                regional.clone(),
                None,
            )
        })
        .collect();

    println!("\nwarm-up: 20 of each, untimed");
    for calls in [&dashboards, &regions, &everyone, &trends] {
        for (host, method, path, token, body) in calls.iter().take(20) {
            let mut request = match host {
                Some(slug) => app.at(slug, method.clone(), path),
                None => app.raw(method.clone(), path),
            }
            .bearer_auth(token);
            if let Some(body) = body {
                request = request.json(body);
            }
            assert_eq!(request.send().await.unwrap().status(), StatusCode::OK);
        }
    }
    println!("\nlatency, one request at a time, through the gateway:");
    let board = timed(&app, "office dashboard (coordinator)", &dashboards).await;
    let region = timed(&app, "voivodeship comparison (16 in turn)", &regions).await;
    let all = timed(
        &app,
        "comparison of all offices (platform admin)",
        &everyone,
    )
    .await;
    let trend = timed(&app, "60-month trend (regional admin)", &trends).await;

    parts(&app, &slugs).await;

    println!("\ncatch-up:");
    catch_up(&app, &admin, &mut rng, backlog).await;

    println!("\nsummary (p50 / p99 ms):");
    for (label, s) in [
        ("dashboard", &board),
        ("voivodeship comparison", &region),
        ("all offices", &all),
        ("trend", &trend),
    ] {
        let verdict = if s.at(0.99) < 100.0 { "met" } else { "NOT met" };
        println!(
            "  {label:<24} {:>7.2} / {:>7.2}   < 100 ms p99: {verdict}",
            s.at(0.5),
            s.at(0.99)
        );
    }
    let name = app.db.name.clone();
    app.stop().await;
    admin.close().await.ok();
    if std::env::var("STATS_KEEP").is_ok() {
        println!("kept the database {name}");
        return;
    }
    let server = lacznik_testkit::server_url();
    let postgres = sea_orm::Database::connect(format!("{server}/postgres"))
        .await
        .unwrap();
    exec(
        &postgres,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
}

/// The largest query's parts, timed directly: rows, protected tables, comparison.
async fn parts(app: &TestApp, slugs: &[String]) {
    let config = app.db.config();
    let url = config.database.stats_url(&config.data_dir.0).unwrap();
    let regional = RegionalDb(
        lacznik_tenancy::connect_checked(&url, &config.database)
            .await
            .unwrap(),
    );
    let identity = format!("http://{}", app.service_addr("identity"));
    let list: Vec<Office> = reqwest::get(format!("{identity}/internal/v1/tenants"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wanted: std::collections::HashSet<&String> = slugs.iter().collect();
    let offices: Vec<Office> = list
        .into_iter()
        .filter(|o| wanted.contains(&o.slug))
        .collect();
    let mut members: BTreeMap<String, Vec<Office>> = BTreeMap::new();
    for o in &offices {
        members
            .entry(o.region_code.clone())
            .or_default()
            .push(o.clone());
    }
    for list in members.values_mut() {
        list.sort_by(|a, b| a.short_name.cmp(&b.short_name));
    }
    let ids: Vec<Uuid> = offices.iter().map(|o| o.id).collect();
    let period = Period::containing(
        PeriodKind::Month,
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    );
    let (from, to) = years(2025, 2025);
    let (mut read, mut build, mut compared) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows_read = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let rows = regional_rows(&regional, &ids, from, to).await.unwrap();
        read.push(t.elapsed().as_secs_f64() * 1e3);
        rows_read = rows.len();
        let t = Instant::now();
        let tables = RegionTables::build(&members, rows, &[2025]);
        build.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let c = compare(period, offices.clone(), &tables, None);
        compared.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(c.offices.len(), offices.len());
    }
    // The same statements (the figures packed in one column, as the service reads them) without
    // the service's decoding: rows fetched and dropped, and rows read straight through sqlx.
    let sql = |n: usize| {
        let marks: Vec<String> = (4..n + 4).map(|i| format!("${i}")).collect();
        format!(
            "SELECT tenant_id, period, period_start, figures FROM stats_rollups WHERE kind = $1 \
             AND period_start >= $2 AND period_start < $3 AND tenant_id IN ({})",
            marks.join(", ")
        )
    };
    let (mut fetched, mut sqlx_decoded) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let t = Instant::now();
        for chunk in ids.chunks(897) {
            let mut values: Vec<sea_orm::Value> = vec!["*".into(), from.into(), to.into()];
            values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
            let rows = regional
                .0
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    sql(chunk.len()),
                    values,
                ))
                .await
                .unwrap();
            assert!(!rows.is_empty());
        }
        fetched.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let mut sum = 0i64;
        for chunk in ids.chunks(897) {
            let text = sql(chunk.len());
            let mut q = sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(text))
                .bind("*")
                .bind(from)
                .bind(to);
            for id in chunk {
                q = q.bind(*id);
            }
            let rows = q
                .fetch_all(regional.0.get_postgres_connection_pool())
                .await
                .unwrap();
            for row in &rows {
                use sea_orm::sqlx::Row;
                let _: Uuid = row.get(0);
                let figures: &[u8] = row.get(3);
                sum += figures.len() as i64;
            }
        }
        assert!(sum > 0);
        sqlx_decoded.push(t.elapsed().as_secs_f64() * 1e3);
    }
    // What PostgreSQL itself spends on them (EXPLAIN ANALYZE, the last of 5 runs).
    let mut executed = 0.0;
    let mut plan = String::new();
    for _ in 0..5 {
        executed = 0.0;
        for chunk in ids.chunks(640) {
            let mut values: Vec<sea_orm::Value> = vec!["*".into(), from.into(), to.into()];
            values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
            let row = regional
                .0
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!("EXPLAIN (ANALYZE, FORMAT JSON) {}", sql(chunk.len())),
                    values,
                ))
                .await
                .unwrap()
                .unwrap();
            let explained: Value = row.try_get_by_index(0).unwrap();
            executed += explained[0]["Execution Time"].as_f64().unwrap();
            plan = explained[0]["Plan"]["Node Type"]
                .as_str()
                .unwrap()
                .to_owned();
        }
    }
    println!(
        "\nparts of the comparison of all {} offices (20 runs, direct):",
        offices.len()
    );
    println!("  PostgreSQL executing them ({plan})   {executed:.2} ms");
    println!(
        "  the statements, rows fetched, not decoded {}",
        Sample::new(fetched).line()
    );
    println!(
        "  the statements through sqlx, decoded      {}",
        Sample::new(sqlx_decoded).line()
    );
    println!(
        "  read {rows_read} rows as lacznik_stats   {}",
        Sample::new(read).line()
    );
    println!(
        "  protected tables of 16 voivodeships     {}",
        Sample::new(build).line()
    );
    println!(
        "  compare (rates, ranks, medians)          {}",
        Sample::new(compared).line()
    );
}

/// A backlog of `per_office` events for each of 20 new offices.
fn backlog(rng: &mut StdRng, office: TenantId, per_office: usize) -> Vec<Delivered> {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    let volunteers: Vec<Uuid> = (0..300).map(|_| Uuid::new_v4()).collect();
    let beneficiaries: Vec<Uuid> = (0..200).map(|_| Uuid::new_v4()).collect();
    let mut needs: Vec<(Uuid, &str)> = Vec::new();
    let mut out = Vec::with_capacity(per_office);
    let step = 365 * 86_400 / per_office as i64;
    for i in 0..per_office {
        let at = start + Duration::seconds(step * i as i64 + rng.random_range(0..step));
        let kind = *KINDS[..8].choose(rng).unwrap();
        let volunteer = *volunteers.choose(rng).unwrap();
        let (topic, payload) = match rng.random_range(0..100) {
            0..6 => (
                "volunteers.volunteer.registered",
                json!({"volunteer_id": volunteer, "birth_year": rng.random_range(1950..2011),
                       "kinds": [kind], "at": at}),
            ),
            6..46 => (
                "volunteers.hours.approved",
                json!({"volunteer_id": volunteer, "entry_id": Uuid::new_v4(),
                       "worked_on": at.date_naive(), "minutes": rng.random_range(30..240),
                       "kind": kind}),
            ),
            46..56 => {
                let need = Uuid::new_v4();
                needs.push((need, kind));
                (
                    "needs.need.opened",
                    json!({"need_id": need, "kind": kind, "opened_at": at}),
                )
            }
            56..64 if !needs.is_empty() => {
                let (need, kind) = *needs.choose(rng).unwrap();
                (
                    "needs.assignment.confirmed",
                    json!({"assignment_id": Uuid::new_v4(), "need_id": need, "kind": kind,
                           "volunteer_id": volunteer, "need_opened_at": at}),
                )
            }
            64..68 => (
                "needs.need.status_changed",
                json!({"need_id": Uuid::new_v4(), "kind": kind, "to": "fulfilled", "at": at}),
            ),
            68..78 => (
                ["needs.offer.accepted", "needs.offer.declined"][rng.random_range(0..2)],
                json!({"offer_id": Uuid::new_v4(), "kind": kind, "answered_at": at}),
            ),
            78..90 => (
                "needs.assignment.completed",
                json!({"assignment_id": Uuid::new_v4(), "volunteer_id": volunteer,
                       "kind": kind, "completed_at": at,
                       "beneficiary_id": beneficiaries.choose(rng)}),
            ),
            90..95 => (
                "needs.shift.checked_in",
                json!({"signup_id": Uuid::new_v4(), "volunteer_id": volunteer,
                       "kind": "food_collection", "minor": false, "at": at}),
            ),
            _ => (
                "needs.tally.recorded",
                json!({"measure": "kilograms", "amount": 12.5, "kind": "food_collection",
                       "at": at}),
            ),
        };
        out.push(Delivered {
            id: Uuid::now_v7(),
            tenant: Some(office),
            topic: topic.to_owned(),
            payload,
            traceparent: None,
            created_at: at,
        });
    }
    out
}

async fn catch_up(app: &TestApp, admin: &DatabaseConnection, rng: &mut StdRng, per_office: usize) {
    offices(admin, BACKLOG_OFFICES, 9000, "zaleglosci").await;
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT id FROM tenants WHERE slug LIKE 'zaleglosci-%' ORDER BY slug",
        ))
        .await
        .unwrap();
    let tenants: Vec<TenantId> = rows
        .iter()
        .map(|r| TenantId::from_uuid(r.try_get_by_index::<Uuid>(0).unwrap()))
        .collect();
    let streams: Vec<Vec<Delivered>> = tenants
        .iter()
        .map(|t| backlog(rng, *t, per_office))
        .collect();
    let db = app.db.app().await.tenant_db();
    let handler = StatsConsumer::new(db.clone());
    let total: usize = streams.iter().map(Vec::len).sum();
    let started = Instant::now();
    let mut at = 0;
    let mut reads = 0;
    while at < per_office {
        let mut batch = Vec::with_capacity(200 * streams.len());
        for stream in &streams {
            batch.extend_from_slice(&stream[at..(at + 200).min(stream.len())]);
        }
        handler.handle(&batch).await.unwrap();
        at += 200;
        reads += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  {total} events of {} offices through the handler in {reads} reads of up to 200 per \
         office: {secs:.1} s, {:.0} events/s",
        streams.len(),
        total as f64 / secs
    );
    let redelivered = Instant::now();
    handler
        .handle(&streams[0][..2000.min(per_office)])
        .await
        .unwrap();
    println!(
        "  2,000 redelivered events of one office (all dropped as seen): {:.0} events/s",
        2000.0_f64.min(per_office as f64) / redelivered.elapsed().as_secs_f64()
    );

    // One office's log replayed by a rebuild.
    for chunk in streams[0].chunks(500) {
        let mut sql = String::from(
            "INSERT INTO outbox_events (tenant_id, id, topic, payload, created_at, published_at) VALUES ",
        );
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "('{}', '{}', '{}', '{}', '{}', now())",
                tenants[0],
                e.id,
                e.topic,
                e.payload.to_string().replace('\'', "''"),
                e.created_at.to_rfc3339()
            ));
        }
        exec(admin, &sql).await;
    }
    let started = Instant::now();
    let rebuilt = lacznik_stats::rebuild_office(&db, tenants[0])
        .await
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  rebuild of one office from its outbox: {} events in {secs:.1} s, {:.0} events/s",
        rebuilt.events,
        rebuilt.events as f64 / secs
    );
}
