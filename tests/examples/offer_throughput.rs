//! Throughput and latency of the needs service's offer/accept path through the gateway, with
//! three offices ("kielce", "plock", "czechowice-dziedzice") of 10,000 volunteers each, and the
//! time from sending an offer to its outbox row.
//!
//! The whole platform runs in this process (`TestApp`: gateway and services on loopback ports,
//! PostgreSQL as `lacznik_app` under row-level security), in a fresh database that is dropped at
//! the end. Volunteers are written straight into PostgreSQL with `generate_series`, as
//! `matching_latency` does: active adults who all offer `shopping_household`, with districts,
//! weekly slots, a data-processing consent and, for every third, an evening booking that no
//! need overlaps. Needs (`shopping_household`, each for its own beneficiary, a one-off half
//! hour at a time of its own in the coming weeks) are opened through the API, untimed.
//!
//! Then, across the three offices interleaved, each need is offered to one volunteer of its own
//! (`POST /api/v1/needs/{need}/offers` as the office's coordinator) and every offer is accepted
//! through its email's link (`POST /api/v1/needs/offer-links/acceptance`, no token; the secrets
//! are read from the offer emails in the outbox). Each phase runs a warm-up at the chosen
//! concurrency, a sequential round (the unloaded latency) and the timed round: requests/s and
//! p50 / p90 / p99 / max from send until the whole answer is read.
//!
//! Offer → outbox, for the offers made one at a time and for the timed ones: the offers handler
//! answers after its transaction commits, so the offer's latency bounds the time until its rows
//! are committed; the `needs.offer.made` row's `created_at` (taken by the service just before
//! the insert) minus the client's send time is the time until the row was written. No outbox
//! relay runs here: the rows stay unpublished. Last, a short read through the gateway and the
//! accept path's calls to the volunteers service (contacts, booking) are timed alone.
//!
//! Run (release, own target directory):
//! `CARGO_TARGET_DIR=target/release-bench LACZNIK_TEST_PG=postgres://postgres@127.0.0.1:5432
//! cargo run --release -p lacznik-e2e --example offer_throughput [-- NEEDS [CONCURRENCY]]`
//! — NEEDS timed per office (default 300, or `OFFERS_NEEDS`), CONCURRENCY requests in flight
//! (default 16, or `OFFERS_CONCURRENCY`); `OFFERS_VOLUNTEERS` per office (default 10,000),
//! `OFFERS_DB_CONNECTIONS` the platform's pool (default 16, as shipped).
#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{Duration, Utc};
use lacznik_http::TenantContext;
use lacznik_needs::volunteers::{Booking, VolunteersClient};
use lacznik_testkit::TestApp;
use lacznik_testkit::bench::{Sample, ms, scalar};
use lacznik_types::TenantId;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement};
use serde_json::{Value, json};

const OFFICES: [&str; 3] = ["kielce", "plock", "czechowice-dziedzice"];
/// Needs per office offered and accepted at full concurrency before the clock starts.
const WARM_UP: usize = 10;
/// Needs per office offered and accepted one at a time: the unloaded latency.
const SEQUENTIAL: usize = 20;
/// Direct calls to the volunteers service per part of the split.
const SPLIT_RUNS: usize = 60;
const ACCEPT_PATH: &str = "/api/v1/needs/offer-links/acceptance";

/// What to run, from the arguments or the environment.
struct Settings {
    needs: usize,
    concurrency: usize,
    volunteers: u32,
    db_connections: u32,
}

impl Settings {
    fn read() -> Self {
        let env = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let args: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        Self {
            needs: args
                .first()
                .copied()
                .unwrap_or_else(|| env("OFFERS_NEEDS", 300)),
            concurrency: args
                .get(1)
                .copied()
                .unwrap_or_else(|| env("OFFERS_CONCURRENCY", 16))
                .max(1),
            volunteers: u32::try_from(env("OFFERS_VOLUNTEERS", 10_000)).unwrap(),
            db_connections: u32::try_from(env("OFFERS_DB_CONNECTIONS", 16)).unwrap(),
        }
    }

    /// Needs per office in all: warm-up, sequential and timed.
    fn per_office(&self) -> usize {
        WARM_UP + SEQUENTIAL + self.needs
    }
}

fn statement(sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

async fn exec(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) {
    db.execute_raw(statement(sql, values))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
}

async fn rows(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) -> Vec<QueryResult> {
    db.query_all_raw(statement(sql, values))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
}

/// One request of a phase, prepared before the clock starts.
struct Call {
    host: String,
    path: String,
    bearer: Option<String>,
    body: Value,
}

/// What one request did.
struct Done {
    /// Wall clock when it was sent, µs since the epoch (to compare with the outbox's times).
    sent_us: i64,
    ms: f64,
    status: StatusCode,
    body: String,
}

/// CPU seconds so far (Linux, `/proc`, 100 ticks a second): this process's (load generator,
/// gateway and services), and the whole machine's busy and total, summed over its CPUs.
#[derive(Clone, Copy)]
struct Cpu {
    own: f64,
    busy: f64,
    total: f64,
}

impl Cpu {
    fn now() -> Self {
        let ticks = |s: &str, fields: std::ops::Range<usize>| -> f64 {
            s.split_whitespace()
                .skip(fields.start)
                .take(fields.len())
                .filter_map(|f| f.parse::<f64>().ok())
                .sum::<f64>()
                / 100.0
        };
        let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // After the command name: state is field 3, utime and stime fields 14 and 15.
        let own = own
            .rsplit_once(')')
            .map_or(0.0, |(_, rest)| ticks(rest, 11..13));
        let all = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let all = all.lines().next().unwrap_or_default();
        // cpu user nice system idle iowait irq softirq steal
        let busy = ticks(all, 1..4) + ticks(all, 6..8);
        Self {
            own,
            busy,
            total: ticks(all, 1..9),
        }
    }

    /// What happened between `self` and `later`, per request of `n`.
    fn between(self, later: Self, n: usize) -> String {
        let busy = later.busy - self.busy;
        let own = later.own - self.own;
        format!(
            "machine {:.0} % busy; CPU per request: this process {:.2} ms, the rest of the \
             machine (PostgreSQL, mostly) {:.2} ms",
            100.0 * busy / (later.total - self.total),
            1e3 * own / n as f64,
            1e3 * (busy - own) / n as f64
        )
    }
}

/// A phase's requests in the order they were prepared, how long they all took and the CPU used.
struct Phase {
    done: Vec<Done>,
    secs: f64,
    cpu: String,
}

impl Phase {
    fn sample(&self) -> Sample {
        Sample::new(self.done.iter().map(|d| d.ms).collect())
    }

    fn rate(&self) -> f64 {
        self.done.len() as f64 / self.secs
    }

    /// Panics with the first answer that is not `expected`.
    fn expect_all(&self, expected: StatusCode, what: &str) {
        let wrong: Vec<&Done> = self.done.iter().filter(|d| d.status != expected).collect();
        if let Some(first) = wrong.first() {
            panic!(
                "{what}: {} of {} answered other than {expected}; the first: {} {}",
                wrong.len(),
                self.done.len(),
                first.status,
                first.body
            );
        }
    }

    fn json(&self) -> Vec<Value> {
        self.done
            .iter()
            .map(|d| serde_json::from_str(&d.body).expect("JSON answer"))
            .collect()
    }
}

/// POSTs every call through the gateway, `concurrency` at a time (each worker takes the next
/// call as soon as its previous answer is read).
async fn drive(
    client: &reqwest::Client,
    gateway: SocketAddr,
    calls: Vec<Call>,
    concurrency: usize,
) -> Phase {
    let calls = Arc::new(calls);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu = Cpu::now();
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.min(calls.len()))
        .map(|_| {
            let (client, calls, next) = (client.clone(), calls.clone(), next.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(call) = calls.get(i) else { break };
                    let mut request = client
                        .post(format!("http://{gateway}{}", call.path))
                        .header("host", &call.host)
                        .json(&call.body);
                    if let Some(token) = &call.bearer {
                        request = request.bearer_auth(token);
                    }
                    let request = request.build().expect("request");
                    let sent_us = Utc::now().timestamp_micros();
                    let one = Instant::now();
                    let response = client.execute(request).await.expect("send");
                    let status = response.status();
                    let body = response.text().await.expect("body");
                    let ms = ms(one);
                    mine.push((
                        i,
                        Done {
                            sent_us,
                            ms,
                            status,
                            body,
                        },
                    ));
                }
                mine
            })
        })
        .collect();
    let mut done = Vec::with_capacity(calls.len());
    for worker in workers {
        done.extend(worker.await.expect("worker"));
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu.between(Cpu::now(), calls.len());
    // Back into the order of `calls` (each was taken exactly once).
    done.sort_by_key(|(i, _)| *i);
    Phase {
        done: done.into_iter().map(|(_, d)| d).collect(),
        secs,
        cpu,
    }
}

/// An office, its coordinator's token and its needs.
struct Office {
    slug: &'static str,
    tenant: TenantId,
    token: String,
    needs: Vec<Need>,
}

impl Office {
    fn host(&self) -> String {
        format!("{}.localhost", self.slug)
    }

    fn context(&self) -> TenantContext {
        TenantContext {
            id: self.tenant,
            slug: self.slug.to_owned(),
        }
    }
}

/// A need and the volunteer it is offered to.
struct Need {
    id: String,
    volunteer: String,
    email: String,
}

/// Registers the office with 12 districts in a chain (d01–d02–…–d12) and signs in its
/// coordinator.
async fn office(app: &TestApp, slug: &'static str) -> Office {
    let tenant = lacznik_testkit::tenant_id(&app.create_tenant(slug).await);
    let districts: Vec<Value> = (1..=12)
        .map(|i| {
            let neighbours: Vec<String> = if i < 12 {
                vec![format!("d{:02}", i + 1)]
            } else {
                Vec::new()
            };
            json!({"code": format!("d{i:02}"), "name": format!("Dzielnica {i}"),
                   "neighbours": neighbours})
        })
        .collect();
    let response = app
        .as_coordinator(slug, Method::PUT, "/api/v1/volunteers/catalogue/districts")
        .await
        .json(&districts)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "set districts");
    Office {
        slug,
        tenant,
        token: app.coordinator_token(slug).await,
        needs: Vec::new(),
    }
}

/// Volunteers numbered `from + 1 ..= to` of the office: active adults who all offer
/// `shopping_household`; every third has a booking at 19:00–20:00 UTC some day of the coming
/// two weeks (no need is then).
async fn seed(admin: &DatabaseConnection, office: &Office, from: u32, to: u32) {
    let t = office.tenant.as_uuid();
    let (from, to) = (i32::try_from(from).unwrap(), i32::try_from(to).unwrap());
    exec(
        admin,
        r#"
INSERT INTO volunteers (tenant_id, id, first_name, last_name, email, phone, birth_date,
    created_at, updated_at, status, kinds, skills, languages, districts, availability,
    max_hours_per_week, coordinator_notes, ended_on, anonymised_at)
SELECT $1, gen_random_uuid(),
    (ARRAY['Anna','Maria','Katarzyna','Małgorzata','Agnieszka','Barbara','Piotr','Krzysztof',
           'Andrzej','Tomasz','Paweł','Michał','Oksana','Olena'])[1 + n % 14],
    (ARRAY['Nowak','Kowalczyk','Wiśniewska','Wójcik','Kamińska','Lewandowski','Zielińska',
           'Szymański','Woźniak','Dąbrowska','Kozłowski','Jankowska','Mazur'])[1 + n % 13],
    'wolontariusz' || n || '@' || $2 || '.example',
    CASE WHEN n % 6 = 0 THEN NULL ELSE '6' || lpad((n * 7919 % 100000000)::text, 8, '0') END,
    date '1950-01-01' + (n * 37 % 18000),
    now() - make_interval(days => n % 900), now() - make_interval(days => n % 90),
    'active',
    (SELECT json_agg(DISTINCT k)::text FROM unnest(ARRAY['shopping_household',
        c.kinds[1 + n % 14], CASE WHEN n % 3 = 0 THEN c.kinds[1 + (5 * n + 3) % 14] END]) k
        WHERE k IS NOT NULL),
    CASE WHEN n % 10 = 0 THEN '[]' ELSE
        json_build_array(c.skills[1 + n % 16])::text END,
    CASE WHEN n % 8 = 0 THEN '["pl","uk"]' ELSE '["pl"]' END,
    json_build_array('d' || lpad((1 + n % 12)::text, 2, '0'))::text,
    (SELECT json_agg(slot)::text FROM unnest(ARRAY[
        json_build_object('weekday', c.days[1 + n % 7],
            'start', lpad((8 + 2 * (n % 5))::text, 2, '0') || ':00',
            'end', lpad((11 + 2 * (n % 5) + n % 2)::text, 2, '0') || ':00'),
        CASE WHEN n % 2 = 0 THEN json_build_object('weekday', c.days[1 + (3 * n + 1) % 7],
            'start', '16:00', 'end', '20:00') END]) slot WHERE slot IS NOT NULL),
    CASE WHEN n % 4 = 0 THEN NULL ELSE (4 + 2 * (n % 3))::smallint END,
    NULL, NULL, NULL
FROM generate_series($3::int + 1, $4::int) AS n,
    (SELECT ARRAY['tutoring','senior_company','shopping_household','events','food_collection',
                  'computer_lessons','job_search','reading','repairs_moving','web_writing',
                  'animal_shelter','emotional_support','mediation','office_work'] AS kinds,
            ARRAY['driving_licence_b','own_car','first_aid','teaching_maths','teaching_polish',
                  'teaching_english','computer_basics','web_design','graphic_design',
                  'photography','music','sign_language','diy_repairs','care_experience',
                  'animation','psychology'] AS skills,
            ARRAY['mon','tue','wed','thu','fri','sat','sun'] AS days) c
"#,
        vec![t.into(), office.slug.into(), from.into(), to.into()],
    )
    .await;
    let numbered = "(SELECT tenant_id, id,
            split_part(split_part(email, '@', 1), 'wolontariusz', 2)::int AS n
           FROM volunteers WHERE tenant_id = $1
            AND split_part(split_part(email, '@', 1), 'wolontariusz', 2)::int
                BETWEEN $2::int + 1 AND $3::int) v";
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_assignments (tenant_id, id, volunteer_id, need_id, beneficiary_id, title,
    kind, starts_at, ends_at, child_related, adults_only, status, created_by, created_at)
SELECT v.tenant_id, gen_random_uuid(), v.id, NULL, NULL, 'Zbiórka żywności', 'food_collection',
    ((current_date + 1 + v.n % 14) + time '19:00') AT TIME ZONE 'UTC',
    ((current_date + 1 + v.n % 14) + time '20:00') AT TIME ZONE 'UTC',
    false, false, 'booked', NULL, now()
FROM {numbered} WHERE v.n % 3 = 0
"#
        ),
        vec![t.into(), from.into(), to.into()],
    )
    .await;
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_consents (tenant_id, id, volunteer_id, kind, wording, given_by,
    given_by_email, given_at, client_ip, user_agent, withdrawn_at)
SELECT v.tenant_id, gen_random_uuid(), v.id, 'data_processing', '2026-11', 'wolontariusz',
    NULL, now(), NULL, NULL, NULL
FROM {numbered}
"#
        ),
        vec![t.into(), from.into(), to.into()],
    )
    .await;
}

/// Opens the office's needs through the API (a beneficiary each, then the need), untimed, and
/// picks a volunteer of its own for each.
async fn open_needs(
    app: &TestApp,
    admin: &DatabaseConnection,
    office: &mut Office,
    n: usize,
    concurrency: usize,
) {
    let call = |path: &str, body: Value| Call {
        host: office.host(),
        path: path.to_owned(),
        bearer: Some(office.token.clone()),
        body,
    };
    let first_names = ["Helena", "Stanisława", "Jan", "Zofia", "Czesław"];
    let beneficiaries: Vec<Call> = (0..n)
        .map(|i| {
            call(
                "/api/v1/needs/beneficiaries",
                json!({
                    "first_name": first_names[i % 5],
                    "last_name": format!("Podopieczna {i}"),
                    "phone": "601 234 567",
                    "street_address": format!("ul. Sienkiewicza {}/{}", 1 + i % 90, 1 + i % 7),
                    "district": format!("d{:02}", 1 + i % 12),
                }),
            )
        })
        .collect();
    let created = drive(&app.client, app.gateway, beneficiaries, concurrency).await;
    created.expect_all(StatusCode::CREATED, "beneficiaries");
    // Need i: day 2 + i / 20 from today, half an hour from 07:00 + i % 20 half hours UTC — a
    // time of its own in the office, never the seeded bookings' evening hour, and within 30 days
    // of them for up to ~500 needs (past day 30 of an engagement the 30-day rule would refuse).
    let today = Utc::now().date_naive();
    let needs: Vec<Call> = created
        .json()
        .iter()
        .enumerate()
        .map(|(i, beneficiary)| {
            let day = today + Duration::days(2 + i64::try_from(i / 20).unwrap());
            let slot = u32::try_from(i % 20).unwrap();
            let starts_at = day.and_hms_opt(7 + slot / 2, 30 * (slot % 2), 0);
            let starts_at = starts_at.unwrap().and_utc();
            call(
                "/api/v1/needs",
                json!({
                    "kind": "shopping_household",
                    "title": format!("Zakupy dla podopiecznej {i}"),
                    "description": "Zakupy spożywcze z listy, do 10 kg, z osiedlowego sklepu.",
                    "beneficiary_id": beneficiary["id"],
                    "district": format!("d{:02}", 1 + i % 12),
                    "when": {"starts_at": starts_at, "ends_at": starts_at + Duration::minutes(30)},
                }),
            )
        })
        .collect();
    let opened = drive(&app.client, app.gateway, needs, concurrency).await;
    opened.expect_all(StatusCode::CREATED, "needs");
    let volunteers = rows(
        admin,
        "SELECT id::text AS id, email FROM volunteers WHERE tenant_id = $1 ORDER BY id LIMIT $2",
        vec![
            office.tenant.as_uuid().into(),
            i64::try_from(n).unwrap().into(),
        ],
    )
    .await;
    office.needs = opened
        .json()
        .iter()
        .zip(volunteers)
        .map(|(need, volunteer)| Need {
            id: need["id"].as_str().unwrap().to_owned(),
            volunteer: volunteer.try_get("", "id").unwrap(),
            email: volunteer.try_get("", "email").unwrap(),
        })
        .collect();
    assert_eq!(office.needs.len(), n, "a volunteer for every need");
}

/// Calls for the needs `range` of every office, the offices interleaved.
fn interleaved(
    offices: &[Office],
    range: std::ops::Range<usize>,
    call: impl Fn(&Office, &Need) -> Call,
) -> Vec<Call> {
    range
        .flat_map(|i| offices.iter().map(move |o| (o, &o.needs[i])))
        .map(|(o, need)| call(o, need))
        .collect()
}

fn offer_call(office: &Office, need: &Need) -> Call {
    Call {
        host: office.host(),
        path: format!("/api/v1/needs/{}/offers", need.id),
        bearer: Some(office.token.clone()),
        body: json!({"volunteer_ids": [need.volunteer]}),
    }
}

/// The secret of each offer email, by the address it went to (read as the owner: no RLS).
async fn offer_secrets(admin: &DatabaseConnection) -> HashMap<String, String> {
    rows(
        admin,
        "SELECT payload FROM outbox_events WHERE topic = 'email.requested'",
        Vec::new(),
    )
    .await
    .into_iter()
    .map(|row| serde_json::from_str::<Value>(&row.try_get::<String>("", "payload").unwrap()))
    .map(Result::unwrap)
    .filter(|mail| mail["template"] == "offer")
    .map(|mail| {
        let secret = mail["link"].as_str().unwrap().split("#token=").nth(1);
        (
            mail["to"].as_str().unwrap().to_owned(),
            secret.expect("a secret in the link").to_owned(),
        )
    })
    .collect()
}

/// When each `needs.offer.made` row was written, µs since the epoch, by need.
async fn offers_written(admin: &DatabaseConnection) -> HashMap<String, i64> {
    rows(
        admin,
        "SELECT payload, (extract(epoch FROM created_at) * 1000000)::bigint AS us
           FROM outbox_events WHERE topic = 'needs.offer.made'",
        Vec::new(),
    )
    .await
    .into_iter()
    .map(|row| {
        let payload: Value =
            serde_json::from_str(&row.try_get::<String>("", "payload").unwrap()).unwrap();
        (
            payload["need_id"].as_str().unwrap().to_owned(),
            row.try_get::<i64>("", "us").unwrap(),
        )
    })
    .collect()
}

/// For each offer of `phase`: send → its `needs.offer.made` row written, row written → answer
/// read, and send → answer read.
fn to_outbox(phase: &Phase, written: &HashMap<String, i64>) -> [Sample; 3] {
    let (mut to_row, mut after_row) = (Vec::new(), Vec::new());
    for (done, answer) in phase.done.iter().zip(phase.json()) {
        let need = answer[0]["need_id"].as_str().unwrap();
        let to = (written[need] - done.sent_us) as f64 / 1e3;
        to_row.push(to);
        after_row.push(done.ms - to);
    }
    [Sample::new(to_row), Sample::new(after_row), phase.sample()]
}

/// Warm-up at full concurrency, then one at a time, then the timed round, each over the
/// offices interleaved; (one at a time, timed). Only the timed round's answers are left to check.
async fn rounds(
    app: &TestApp,
    offices: &[Office],
    concurrency: usize,
    expected: StatusCode,
    call: impl Fn(&Office, &Need) -> Call + Copy,
) -> (Phase, Phase) {
    let per_office = offices[0].needs.len();
    let (client, gateway) = (&app.client, app.gateway);
    let warm = interleaved(offices, 0..WARM_UP, call);
    drive(client, gateway, warm, concurrency)
        .await
        .expect_all(expected, "warm-up");
    let one_by_one = interleaved(offices, WARM_UP..WARM_UP + SEQUENTIAL, call);
    let one_by_one = drive(client, gateway, one_by_one, 1).await;
    one_by_one.expect_all(expected, "one at a time");
    let timed = interleaved(offices, WARM_UP + SEQUENTIAL..per_office, call);
    (one_by_one, drive(client, gateway, timed, concurrency).await)
}

/// The accept path's two calls to the volunteers service, made directly as the needs service
/// makes them (no gateway, no needs transaction), one at a time.
async fn split(app: &TestApp, admin: &DatabaseConnection, office: &Office, offered: usize) {
    let client = VolunteersClient::new(&format!("http://{}", app.service_addr("volunteers")));
    let context = office.context();
    // Volunteers nobody offered anything to, each booked once at a time of its own.
    let spare: Vec<uuid::Uuid> = rows(
        admin,
        "SELECT id FROM volunteers WHERE tenant_id = $1 ORDER BY id OFFSET $2 LIMIT $3",
        vec![
            office.tenant.as_uuid().into(),
            i64::try_from(offered).unwrap().into(),
            i64::try_from(SPLIT_RUNS + 5).unwrap().into(),
        ],
    )
    .await
    .into_iter()
    .map(|r| r.try_get::<uuid::Uuid>("", "id").unwrap())
    .collect();
    let (mut contacts, mut bookings) = (Vec::new(), Vec::new());
    let today = Utc::now().date_naive();
    for (i, volunteer) in spare.iter().enumerate() {
        let started = Instant::now();
        let found = client
            .contacts(&context, &[*volunteer])
            .await
            .expect("contacts");
        assert_eq!(found.len(), 1);
        let contacts_ms = ms(started);
        let starts_at = (today + Duration::days(3))
            .and_hms_opt(7 + u32::try_from(i % 10).unwrap(), 30, 0)
            .unwrap()
            .and_utc();
        let booking = Booking {
            id: uuid::Uuid::now_v7(),
            need_id: uuid::Uuid::now_v7(),
            beneficiary_id: None,
            title: "Zakupy (pomiar)".to_owned(),
            kind: "shopping_household".to_owned(),
            starts_at,
            ends_at: starts_at + Duration::hours(1),
            child_related: false,
            adults_only: false,
        };
        let started = Instant::now();
        client
            .book(&context, *volunteer, None, &[booking])
            .await
            .expect("booking");
        if i >= 5 {
            contacts.push(contacts_ms);
            bookings.push(ms(started));
        }
    }
    let (contacts, bookings) = (Sample::new(contacts), Sample::new(bookings));
    // The fixed cost of a request to the needs service: gateway, token, one short transaction.
    let mut fixed = Vec::new();
    let path = format!("/api/v1/needs/{}", office.needs[0].id);
    for i in 0..SPLIT_RUNS + 5 {
        let request = app
            .at(office.slug, Method::GET, &path)
            .bearer_auth(&office.token)
            .build()
            .expect("request");
        let started = Instant::now();
        let response = app.client.execute(request).await.expect("send");
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.expect("body");
        if i >= 5 {
            fixed.push(ms(started));
        }
    }
    let fixed = Sample::new(fixed);
    println!("  one at a time, {SPLIT_RUNS} each, {}:", office.slug);
    println!(
        "    GET /api/v1/needs/{{id}} through the gateway          p50 {:>6.2} ms  p99 {:>6.2} ms",
        fixed.at(0.5),
        fixed.at(0.99)
    );
    println!(
        "    POST /internal/v1/volunteers/contacts (1 id)        p50 {:>6.2} ms  p99 {:>6.2} ms",
        contacts.at(0.5),
        contacts.at(0.99)
    );
    println!(
        "    POST /internal/v1/volunteers/{{id}}/assignments (1)   p50 {:>6.2} ms  p99 {:>6.2} ms",
        bookings.at(0.5),
        bookings.at(0.99)
    );
}

fn machine() -> String {
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or_else(
            || "?".to_owned(),
            |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
        );
    format!(
        "{} CPUs, {memory} memory",
        std::thread::available_parallelism().map_or(0, usize::from)
    )
}

/// The commit run, and the files that differed from it when the run started.
fn code() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let head = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "?".to_owned());
    let changed: Vec<String> = git(&["status", "--porcelain", "--untracked-files=no"])
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.get(3..).map(str::to_owned))
        .collect();
    if changed.is_empty() {
        format!("code at {}", head.trim())
    } else {
        format!(
            "code at {} with uncommitted changes to {}",
            head.trim(),
            changed.join(", ")
        )
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let settings = Settings::read();
    let c = settings.concurrency;
    // The office's request rate limit (2,000 per 10 s) is not what is measured here.
    let app = TestApp::spawn_configured(json!({
        "limits": {"tenant_requests": 1_000_000},
        "database": {"max_connections": settings.db_connections},
    }))
    .await;
    let admin = app.db.admin().await;
    let version = rows(
        &admin,
        "SELECT split_part(version(), ' on ', 1)",
        Vec::new(),
    )
    .await[0]
        .try_get_by_index::<String>(0)
        .unwrap();
    println!(
        "offers and acceptances through the gateway — {} UTC, {}, {version}",
        Utc::now().format("%Y-%m-%d %H:%M"),
        machine()
    );
    println!("{}", code());
    println!(
        "{} offices × {} volunteers; per office {} timed needs (+{WARM_UP} warm-up, \
         +{SEQUENTIAL} sequential); concurrency {c} across the offices; platform pool {} \
         connections; load average {}",
        OFFICES.len(),
        settings.volunteers,
        settings.needs,
        settings.db_connections,
        load()
    );

    let started = Instant::now();
    let mut offices = Vec::new();
    for slug in OFFICES {
        let office = office(&app, slug).await;
        let mut seeded = 0;
        // In steps of 5,000, so that no statement trips sqlx's slow-statement warning.
        while seeded < settings.volunteers {
            let next = (seeded + 5_000).min(settings.volunteers);
            seed(&admin, &office, seeded, next).await;
            seeded = next;
        }
        offices.push(office);
    }
    exec(&admin, "ANALYZE", Vec::new()).await;
    println!(
        "seeded {} volunteers, {} bookings in {:.1} s",
        scalar::<i64>(&admin, "SELECT count(*) FROM volunteers").await,
        scalar::<i64>(&admin, "SELECT count(*) FROM volunteer_assignments").await,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    for office in &mut offices {
        open_needs(&app, &admin, office, settings.per_office(), c).await;
    }
    exec(&admin, "ANALYZE", Vec::new()).await;
    println!(
        "opened {} needs (each with its beneficiary) through the API in {:.1} s\n",
        scalar::<i64>(&admin, "SELECT count(*) FROM needs WHERE status = 'open'").await,
        started.elapsed().as_secs_f64()
    );

    // Offers, then acceptances by the links in the offer emails.
    let (offer_seq, offers) = rounds(&app, &offices, c, StatusCode::CREATED, offer_call).await;
    offers.expect_all(StatusCode::CREATED, "offers");
    let secrets = offer_secrets(&admin).await;
    let accept_call = |office: &Office, need: &Need| Call {
        host: office.host(),
        path: ACCEPT_PATH.to_owned(),
        bearer: None,
        body: json!({"token": secrets.get(&need.email).expect("an offer email")}),
    };
    let (accept_seq, accepts) = rounds(&app, &offices, c, StatusCode::OK, accept_call).await;

    println!("phase, through the gateway (send → whole answer read)");
    println!(
        "{:<24} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "", "calls", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for (label, phase, rate) in [
        ("offer, one at a time", &offer_seq, false),
        (&format!("offer, {c} in flight"), &offers, true),
        ("accept, one at a time", &accept_seq, false),
        (&format!("accept, {c} in flight"), &accepts, true),
    ] {
        let sample = phase.sample();
        let rate = if rate {
            format!("{:.1}", phase.rate())
        } else {
            "—".to_owned()
        };
        println!(
            "{label:<24} {:>6} {rate:>9} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            phase.done.len(),
            sample.at(0.5),
            sample.at(0.9),
            sample.at(0.99),
            sample.max()
        );
    }
    for (what, phase) in [("offers", &offers), ("acceptances", &accepts)] {
        println!(
            "  timed {what}: {} in {:.2} s; {}",
            phase.done.len(),
            phase.secs,
            phase.cpu
        );
    }

    // Offer → outbox row.
    let written = offers_written(&admin).await;
    println!(
        "\noffer → outbox, p50 / p99 ms (the service's clock and the client's are the same \
         machine's)"
    );
    println!(
        "  {:<52} {:>15} {:>15}",
        "",
        "one at a time",
        format!("{c} in flight")
    );
    let (alone, loaded) = (
        to_outbox(&offer_seq, &written),
        to_outbox(&offers, &written),
    );
    for (i, label) in [
        "send → needs.offer.made row written (created_at)",
        "row written → answer read (commit, restaff, reply)",
        "send → answer read: the row is committed by then",
    ]
    .iter()
    .enumerate()
    {
        println!(
            "  {label:<52} {:>7.2} / {:>5.2} {:>7.2} / {:>5.2}",
            alone[i].at(0.5),
            alone[i].at(0.99),
            loaded[i].at(0.5),
            loaded[i].at(0.99)
        );
    }

    // Every acceptance answered 200 and confirmed exactly one assignment.
    let statuses = accepts.done.iter().fold(HashMap::new(), |mut m, d| {
        *m.entry(d.status.as_u16()).or_insert(0) += 1;
        m
    });
    let accepted = i64::try_from(offices.len() * settings.per_office()).unwrap();
    let confirmed = scalar::<i64>(
        &admin,
        "SELECT count(*) FROM outbox_events WHERE topic = 'needs.assignment.confirmed'",
    )
    .await;
    let booked = scalar::<i64>(
        &admin,
        "SELECT count(*) FROM volunteer_assignments WHERE need_id IS NOT NULL AND status = 'booked'",
    )
    .await;
    println!(
        "\nchecks: timed acceptances by status {statuses:?}; needs.assignment.confirmed events \
         {confirmed} for {accepted} acceptances (warm-up and sequential included); bookings \
         for needs in the volunteers service {booked}"
    );

    println!(
        "\nparts, timed alone: a short read through the gateway; the accept path's calls to the \
         volunteers service, direct, as the needs service makes them"
    );
    split(&app, &admin, &offices[0], settings.per_office()).await;
    println!("\nload average at the end {}", load());

    admin.close().await.ok();
    let name = app.db.name.clone();
    app.stop().await;
    // The database holds tens of thousands of rows: don't leave it for the sweep.
    let server = sea_orm::Database::connect(format!("{}/postgres", lacznik_testkit::server_url()))
        .await
        .expect("server");
    exec(
        &server,
        &format!("DROP DATABASE {name} WITH (FORCE)"),
        Vec::new(),
    )
    .await;
    server.close().await.ok();

    // Checked after the database is gone, so that a failed check does not leave it behind.
    accepts.expect_all(StatusCode::OK, "acceptances");
    assert_eq!(confirmed, accepted, "one confirmation per acceptance");
    assert_eq!(booked, accepted, "one booking per acceptance");
}
