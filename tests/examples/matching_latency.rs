//! End-to-end latency of `POST /api/v1/volunteers/matching`: HTTP through the gateway, the
//! office's pool read from PostgreSQL (as `lacznik_app`, under row-level security), ranking by
//! `lacznik-matching`, the JSON answer — for one typical need against an office of 1,000, 10,000
//! and 50,000 volunteers.
//!
//! One office ("kielce") grows between the sizes: its volunteers are written straight into
//! PostgreSQL with `generate_series` (not through the API), varied with modular arithmetic, with
//! bookings for the coming week (one per three volunteers), criminal-record and register checks
//! (three in ten), absences, consents and guardian consents for some of the minors. For each
//! size: 30 warm-up requests, then sequential timed requests (300, or `MATCHING_RUNS`); p50 / p90
//! / p99 / max. Then the server-side split: a trivial request through the same path (the fixed
//! cost of HTTP, gateway, token and a transaction), `store::pool::load` called directly, the
//! same queries' SQL alone, `EXPLAIN ANALYZE` of the volunteers query, and parsing the JSON
//! list columns the way the handler does before ranking.
//!
//! Last, a second office ("radom") of 10,000 volunteers with a year of completed assignments
//! (one a month each): the loader reads bookings from a week before the need on (since
//! 6576f4c; before, every assignment not cancelled). The table had no index on `ends_at` until
//! 27c08ec; an index is then tried in that throwaway database (with 27c08ec it is a second one).
//! `MATCHING_HISTORY=0` skips this part.
//!
//! Run (release, own target directory; sizes may be given as arguments):
//! `CARGO_TARGET_DIR=target/release-bench LACZNIK_TEST_PG=postgres://postgres@127.0.0.1:5432
//! cargo run --release -p lacznik-e2e --example matching_latency [-- SIZE…]`
#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use lacznik_tenancy::AppDb;
use lacznik_testkit::TestApp;
use lacznik_testkit::bench::{Sample, ms, scalar};
use lacznik_types::TenantId;
use lacznik_volunteers::domain::Slot;
use lacznik_volunteers::store::entity::{absence, assignment, check, consent, volunteer};
use lacznik_volunteers::store::{json_list, pool};
use reqwest::{Method, StatusCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryTrait, Statement,
};
use serde_json::{Value, json};

const SIZES: [u32; 3] = [1_000, 10_000, 50_000];
const WARM_UP: usize = 30;
/// Direct calls for the server-side split.
const SPLIT_RUNS: usize = 40;
const PATH: &str = "/api/v1/volunteers/matching";

fn runs() -> usize {
    std::env::var("MATCHING_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300)
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
}

/// An office with 12 districts in a chain (d01–d02–…–d12) and its coordinator signed in.
async fn office(app: &TestApp, slug: &str) -> TenantId {
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
    tenant
}

/// Volunteers numbered `from + 1 ..= to` of the office, with what the pool loader reads.
async fn seed(admin: &DatabaseConnection, slug: &str, tenant: TenantId, from: u32, to: u32) {
    let t = tenant.as_uuid();
    let coordinator = scalar::<String>(
        admin,
        &format!("SELECT id::text FROM users WHERE email = 'koordynator@{slug}.test'"),
    )
    .await;
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteers (tenant_id, id, first_name, last_name, email, phone, birth_date,
    created_at, updated_at, status, kinds, skills, languages, districts, availability,
    max_hours_per_week, coordinator_notes, ended_on, anonymised_at)
SELECT '{t}'::uuid, gen_random_uuid(),
    (ARRAY['Anna','Maria','Katarzyna','Małgorzata','Agnieszka','Barbara','Piotr','Krzysztof',
           'Andrzej','Tomasz','Paweł','Michał','Oksana','Olena'])[1 + n % 14],
    (ARRAY['Nowak','Kowalczyk','Wiśniewska','Wójcik','Kamińska','Lewandowski','Zielińska',
           'Szymański','Woźniak','Dąbrowska','Kozłowski','Jankowska','Mazur'])[1 + n % 13],
    'wolontariusz' || n || '@{slug}.example',
    CASE WHEN n % 6 = 0 THEN NULL ELSE '6' || lpad((n * 7919 % 100000000)::text, 8, '0') END,
    -- 15 % minors, 16 years old and some months
    CASE WHEN n % 20 < 3 THEN (current_date - make_interval(years => 16, days => n % 300))::date
         ELSE date '1945-01-01' + (n * 37 % 21000) END,
    now() - make_interval(days => n % 900), now() - make_interval(days => n % 90),
    'active',
    (SELECT json_agg(DISTINCT k)::text FROM unnest(ARRAY[
        c.kinds[1 + n % 14], c.kinds[1 + (5 * n + 3) % 14],
        CASE WHEN n % 4 = 0 THEN 'senior_company' END]) k WHERE k IS NOT NULL),
    CASE WHEN n % 10 = 0 THEN '[]' ELSE
        (SELECT json_agg(DISTINCT s)::text FROM unnest(ARRAY[
            c.skills[1 + n % 16],
            CASE WHEN n % 3 <> 0 THEN c.skills[1 + (7 * n + 2) % 16] END,
            CASE WHEN n % 5 = 0 THEN c.skills[1 + (3 * n + 11) % 16] END]) s WHERE s IS NOT NULL)
    END,
    CASE WHEN n % 8 = 0 THEN '["pl","uk"]' WHEN n % 11 = 0 THEN '["pl","en"]' ELSE '["pl"]' END,
    CASE WHEN n % 3 = 0
         THEN json_build_array('d' || lpad((1 + n % 12)::text, 2, '0'),
                               'd' || lpad((1 + (n + 1) % 12)::text, 2, '0'))::text
         ELSE json_build_array('d' || lpad((1 + n % 12)::text, 2, '0'))::text END,
    (SELECT json_agg(slot)::text FROM unnest(ARRAY[
        json_build_object('weekday', c.days[1 + n % 7],
            'start', lpad((8 + 2 * (n % 5))::text, 2, '0') || ':00',
            'end', lpad((11 + 2 * (n % 5) + n % 2)::text, 2, '0') || ':00'),
        CASE WHEN n % 2 = 0 THEN json_build_object('weekday', c.days[1 + (3 * n + 1) % 7],
            'start', '16:00', 'end', '20:00') END,
        CASE WHEN n % 5 = 0 AND n % 7 <> 5 THEN json_build_object('weekday', 'sat',
            'start', '09:00', 'end', '13:00') END]) slot WHERE slot IS NOT NULL),
    CASE WHEN n % 4 = 0 THEN NULL ELSE (4 + 2 * (n % 3))::smallint END,
    CASE WHEN n % 6 = 0 THEN 'Woli popołudnia, najlepiej kontakt telefoniczny. '
                          || 'Ma doświadczenie z osobami starszymi.' END,
    NULL, NULL
FROM generate_series({from} + 1, {to}) AS n,
    (SELECT ARRAY['tutoring','senior_company','shopping_household','events','food_collection',
                  'computer_lessons','job_search','reading','repairs_moving','web_writing',
                  'animal_shelter','emotional_support','mediation','office_work'] AS kinds,
            ARRAY['driving_licence_b','own_car','first_aid','teaching_maths','teaching_polish',
                  'teaching_english','computer_basics','web_design','graphic_design',
                  'photography','music','sign_language','diy_repairs','care_experience',
                  'animation','psychology'] AS skills,
            ARRAY['mon','tue','wed','thu','fri','sat','sun'] AS days) c
"#
        ),
    )
    .await;
    // The volunteers just added, with their number.
    let numbered = format!(
        "(SELECT tenant_id, id, split_part(split_part(email, '@', 1), 'wolontariusz', 2)::int AS n
           FROM volunteers WHERE tenant_id = '{t}'
            AND split_part(split_part(email, '@', 1), 'wolontariusz', 2)::int
                BETWEEN {from} + 1 AND {to}) v"
    );
    // One booking for every third volunteer, some day of the coming week, 2 hours.
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_assignments (tenant_id, id, volunteer_id, need_id, beneficiary_id, title,
    kind, starts_at, ends_at, child_related, adults_only, status, created_by, created_at)
SELECT v.tenant_id, gen_random_uuid(), v.id, NULL,
    md5('{slug}-beneficiary-' || v.n % 700)::uuid, 'Wizyta: ' || k.kind, k.kind,
    ((current_date + 1 + v.n % 7) + make_interval(hours => 8 + v.n % 11))
        AT TIME ZONE 'Europe/Warsaw',
    ((current_date + 1 + v.n % 7) + make_interval(hours => 10 + v.n % 11))
        AT TIME ZONE 'Europe/Warsaw',
    k.kind = 'tutoring', false, 'booked', NULL, now()
FROM {numbered}
CROSS JOIN LATERAL (SELECT (ARRAY['senior_company','shopping_household','tutoring','reading',
    'computer_lessons','emotional_support'])[1 + v.n % 6] AS kind) k
WHERE v.n % 3 = 0
"#
        ),
    )
    .await;
    // Both child-protection checks for three in ten, a year valid (some already expired).
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_checks (tenant_id, id, volunteer_id, kind, checked_on, valid_until,
    checked_by, recorded_at)
SELECT v.tenant_id, gen_random_uuid(), v.id, k, current_date - v.n % 500,
    current_date - v.n % 500 + 365, '{coordinator}'::uuid, now()
FROM {numbered} CROSS JOIN unnest(ARRAY['criminal_record','sex_offender_register']) k
WHERE v.n % 10 < 3
"#
        ),
    )
    .await;
    // A week's absence soon for one in 25.
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_absences (tenant_id, id, volunteer_id, starts_on, ends_on, reason)
SELECT v.tenant_id, gen_random_uuid(), v.id, current_date + v.n % 20,
    current_date + v.n % 20 + 7, 'urlop'
FROM {numbered} WHERE v.n % 25 = 0
"#
        ),
    )
    .await;
    // Everyone agreed to data processing; two thirds of the minors have a guardian's consent.
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
    )
    .await;
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_consents (tenant_id, id, volunteer_id, kind, wording, given_by,
    given_by_email, given_at, client_ip, user_agent, withdrawn_at)
SELECT v.tenant_id, gen_random_uuid(), v.id, 'guardian', '2026-11', 'Rodzic Testowy',
    'rodzic' || v.n || '@example.pl', now(), NULL, NULL, NULL
FROM {numbered} WHERE v.n % 20 < 2
"#
        ),
    )
    .await;
}

/// History: one completed two-hour assignment for every volunteer, `m` months ago.
async fn seed_history(admin: &DatabaseConnection, tenant: TenantId, m: u32) {
    let t = tenant.as_uuid();
    exec(
        admin,
        &format!(
            r#"
INSERT INTO volunteer_assignments (tenant_id, id, volunteer_id, need_id, beneficiary_id, title,
    kind, starts_at, ends_at, child_related, adults_only, status, created_by, created_at)
SELECT v.tenant_id, gen_random_uuid(), v.id, NULL, md5('history-' || (v.id::text) || m % 3)::uuid,
    'Wizyta u seniora', 'senior_company',
    ((current_date - 30 * m - (m * 7) % 28) + time '10:00') AT TIME ZONE 'Europe/Warsaw',
    ((current_date - 30 * m - (m * 7) % 28) + time '12:00') AT TIME ZONE 'Europe/Warsaw',
    false, false, 'completed', NULL, now() - make_interval(days => 30 * m + 7)
FROM volunteers v, (SELECT {m} AS m) h
WHERE v.tenant_id = '{t}'
"#
        ),
    )
    .await;
}

async fn counts(admin: &DatabaseConnection, tenant: TenantId) -> String {
    let t = tenant.as_uuid();
    scalar::<String>(
        admin,
        &format!(
            "SELECT format('volunteers %s (minors %s), assignments %s (booked %s), checks %s, \
             absences %s, consents %s (guardian %s)',
               (SELECT count(*) FROM volunteers WHERE tenant_id = '{t}'),
               (SELECT count(*) FROM volunteers WHERE tenant_id = '{t}'
                   AND birth_date > current_date - interval '18 years'),
               (SELECT count(*) FROM volunteer_assignments WHERE tenant_id = '{t}'),
               (SELECT count(*) FROM volunteer_assignments WHERE tenant_id = '{t}'
                   AND status = 'booked'),
               (SELECT count(*) FROM volunteer_checks WHERE tenant_id = '{t}'),
               (SELECT count(*) FROM volunteer_absences WHERE tenant_id = '{t}'),
               (SELECT count(*) FROM volunteer_consents WHERE tenant_id = '{t}'),
               (SELECT count(*) FROM volunteer_consents WHERE tenant_id = '{t}'
                   AND kind = 'guardian'))"
        ),
    )
    .await
}

/// Next Tuesday 17:00–19:00 in Warsaw, as UTC instants (PostgreSQL knows the time zone rules).
async fn need(admin: &DatabaseConnection) -> Value {
    let row = admin
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT to_char((d + time '17:00') AT TIME ZONE 'Europe/Warsaw' AT TIME ZONE 'UTC',
                            'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS starts_at,
                    to_char((d + time '19:00') AT TIME ZONE 'Europe/Warsaw' AT TIME ZONE 'UTC',
                            'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS ends_at
               FROM (SELECT current_date + ((8 - extract(isodow FROM current_date)::int) % 7) + 1
                            AS d) x",
        ))
        .await
        .expect("next Tuesday")
        .expect("a row");
    let starts_at: String = row.try_get("", "starts_at").unwrap();
    let ends_at: String = row.try_get("", "ends_at").unwrap();
    json!({
        "kind": "senior_company",
        "skills": ["care_experience", "first_aid"],
        "district": "d05",
        "when": {"starts_at": starts_at, "ends_at": ends_at},
        "limit": 20
    })
}

/// Times `n` sequential requests; the sample and the last body.
async fn timed(
    app: &TestApp,
    slug: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    n: usize,
) -> (Sample, Vec<u8>) {
    let mut times = Vec::with_capacity(n);
    let mut last = Vec::new();
    for _ in 0..n {
        let mut request = app.as_coordinator(slug, method.clone(), path).await;
        if let Some(body) = body {
            request = request.json(body);
        }
        let request = request.build().expect("request");
        let started = Instant::now();
        let response = app.client.execute(request).await.expect("send");
        let status = response.status();
        let bytes = response.bytes().await.expect("body");
        times.push(ms(started));
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&bytes)
        );
        last = bytes.to_vec();
    }
    (Sample::new(times), last)
}

/// Where the loader starts reading bookings for a need from today: a week before, at midnight
/// UTC (as `store::pool::load` computes it).
fn since() -> chrono::DateTime<chrono::Utc> {
    (chrono::Utc::now().date_naive() - chrono::Days::new(7))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

/// The pool loader's queries as sea-orm issues them, fetched without building models.
fn pool_queries(tenant: TenantId) -> [(&'static str, String); 5] {
    let t = tenant.as_uuid();
    let since = since().to_rfc3339();
    [
        (
            "volunteers",
            format!(
                "SELECT * FROM volunteers WHERE tenant_id = '{t}' AND status = 'active' \
                 AND anonymised_at IS NULL"
            ),
        ),
        (
            "assignments",
            format!(
                "SELECT * FROM volunteer_assignments WHERE tenant_id = '{t}' \
                 AND status <> 'cancelled' AND ends_at >= '{since}'"
            ),
        ),
        (
            "checks",
            format!(
                "SELECT * FROM volunteer_checks WHERE tenant_id = '{t}' \
                 AND valid_until >= current_date"
            ),
        ),
        (
            "absences",
            format!(
                "SELECT * FROM volunteer_absences WHERE tenant_id = '{t}' \
                 AND ends_on >= current_date"
            ),
        ),
        (
            "consents",
            format!(
                "SELECT * FROM volunteer_consents WHERE tenant_id = '{t}' \
                 AND kind = 'guardian' AND withdrawn_at IS NULL"
            ),
        ),
    ]
}

/// Per table, p50 ms of: the loader's query through sea-orm into models; the very statement
/// sea-orm builds (bound parameters), rows fetched but no models; the SQL with literals.
async fn per_table(db: &AppDb, tenant: TenantId) {
    let tenants = db.tenant_db();
    let t = tenant.as_uuid();
    let today = chrono::Utc::now().date_naive();
    let built = [
        volunteer::Entity::find()
            .filter(volunteer::Column::TenantId.eq(t))
            .filter(volunteer::Column::Status.eq("active"))
            .filter(volunteer::Column::AnonymisedAt.is_null())
            .build(DbBackend::Postgres),
        assignment::Entity::find()
            .filter(assignment::Column::TenantId.eq(t))
            .filter(assignment::Column::Status.ne("cancelled"))
            .filter(assignment::Column::EndsAt.gte(since()))
            .build(DbBackend::Postgres),
        check::Entity::find()
            .filter(check::Column::TenantId.eq(t))
            .filter(check::Column::ValidUntil.gte(today))
            .build(DbBackend::Postgres),
        absence::Entity::find()
            .filter(absence::Column::TenantId.eq(t))
            .filter(absence::Column::EndsOn.gte(today))
            .build(DbBackend::Postgres),
        consent::Entity::find()
            .filter(consent::Column::TenantId.eq(t))
            .filter(consent::Column::Kind.eq("guardian"))
            .filter(consent::Column::WithdrawnAt.is_null())
            .build(DbBackend::Postgres),
    ];
    let literal = pool_queries(tenant);
    println!(
        "    per query, p50 ms: models (sea-orm) / same statement, rows only / literal SQL, rows"
    );
    for (i, (name, sql)) in literal.iter().enumerate() {
        let (mut models, mut rows_only, mut literal_sql) = (Vec::new(), Vec::new(), Vec::new());
        let mut count = 0;
        for run in 0..SPLIT_RUNS + 3 {
            let txn = tenants.begin(tenant).await.expect("begin");
            let started = Instant::now();
            count = match i {
                0 => volunteer::Entity::find()
                    .filter(volunteer::Column::TenantId.eq(t))
                    .filter(volunteer::Column::Status.eq("active"))
                    .filter(volunteer::Column::AnonymisedAt.is_null())
                    .all(&*txn)
                    .await
                    .expect("volunteers")
                    .len(),
                1 => assignment::Entity::find()
                    .filter(assignment::Column::TenantId.eq(t))
                    .filter(assignment::Column::Status.ne("cancelled"))
                    .filter(assignment::Column::EndsAt.gte(since()))
                    .all(&*txn)
                    .await
                    .expect("assignments")
                    .len(),
                2 => check::Entity::find()
                    .filter(check::Column::TenantId.eq(t))
                    .filter(check::Column::ValidUntil.gte(today))
                    .all(&*txn)
                    .await
                    .expect("checks")
                    .len(),
                3 => absence::Entity::find()
                    .filter(absence::Column::TenantId.eq(t))
                    .filter(absence::Column::EndsOn.gte(today))
                    .all(&*txn)
                    .await
                    .expect("absences")
                    .len(),
                _ => consent::Entity::find()
                    .filter(consent::Column::TenantId.eq(t))
                    .filter(consent::Column::Kind.eq("guardian"))
                    .filter(consent::Column::WithdrawnAt.is_null())
                    .all(&*txn)
                    .await
                    .expect("consents")
                    .len(),
            };
            let a = ms(started);
            let started = Instant::now();
            std::hint::black_box(
                txn.query_all_raw(built[i].clone())
                    .await
                    .expect("built")
                    .len(),
            );
            let b = ms(started);
            let started = Instant::now();
            std::hint::black_box(
                txn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
                    .await
                    .expect("literal")
                    .len(),
            );
            let c = ms(started);
            txn.commit().await.expect("commit");
            if run >= 3 {
                models.push(a);
                rows_only.push(b);
                literal_sql.push(c);
            }
        }
        println!(
            "      {name:<12} {count:>7} rows  {:>7.2} / {:>7.2} / {:>7.2}",
            Sample::new(models).at(0.5),
            Sample::new(rows_only).at(0.5),
            Sample::new(literal_sql).at(0.5)
        );
    }
}

/// Quick experiments for the fix: p50 ms of cheaper variants of the loader's SQL (rows fetched as
/// `lacznik_app`, no models), and of the round trip a cache check would cost.
async fn experiments(db: &AppDb, tenant: TenantId) {
    let tenants = db.tenant_db();
    let t = tenant.as_uuid();
    let since = since().to_rfc3339();
    let needed = "id, first_name, last_name, phone, birth_date, kinds, skills, languages, \
                  districts, availability, max_hours_per_week";
    let variants = [
        (
            "volunteers, all 19 columns (as now)",
            format!(
                "SELECT * FROM volunteers WHERE tenant_id = '{t}' AND status = 'active' \
                 AND anonymised_at IS NULL"
            ),
        ),
        (
            "volunteers, the 11 columns matching uses",
            format!(
                "SELECT {needed} FROM volunteers WHERE tenant_id = '{t}' AND status = 'active' \
                 AND anonymised_at IS NULL"
            ),
        ),
        (
            "  … and only those offering the kind",
            format!(
                "SELECT {needed} FROM volunteers WHERE tenant_id = '{t}' AND status = 'active' \
                 AND anonymised_at IS NULL AND kinds LIKE '%\"senior_company\"%'"
            ),
        ),
        (
            "assignments, all not cancelled (before 6576f4c)",
            format!(
                "SELECT * FROM volunteer_assignments WHERE tenant_id = '{t}' \
                 AND status <> 'cancelled'"
            ),
        ),
        (
            "assignments, from a week before (as now)",
            format!(
                "SELECT * FROM volunteer_assignments WHERE tenant_id = '{t}' \
                 AND status <> 'cancelled' AND ends_at >= '{since}'"
            ),
        ),
        (
            "  … only the 4 columns matching uses",
            format!(
                "SELECT volunteer_id, starts_at, ends_at, beneficiary_id \
                 FROM volunteer_assignments WHERE tenant_id = '{t}' \
                 AND status <> 'cancelled' AND ends_at >= '{since}'"
            ),
        ),
        ("a cache check's floor: SELECT 1", "SELECT 1".to_owned()),
    ];
    println!("    experiments, p50 ms (begin + query + commit, rows fetched, no models):");
    for (name, sql) in variants {
        let mut times = Vec::new();
        let mut rows = 0;
        for run in 0..SPLIT_RUNS + 3 {
            let started = Instant::now();
            let txn = tenants.begin(tenant).await.expect("begin");
            rows = txn
                .query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
                .await
                .expect("query")
                .len();
            txn.commit().await.expect("commit");
            if run >= 3 {
                times.push(ms(started));
            }
        }
        println!(
            "      {name:<44} {rows:>7} rows  {:>7.2}",
            Sample::new(times).at(0.5)
        );
    }
}

async fn split(app: &TestApp, db: &AppDb, slug: &str, tenant: TenantId, request_p50: f64) {
    let tenants = db.tenant_db();
    let today = chrono::Utc::now().date_naive();

    // The fixed cost: a small read through the same gateway, token and transaction.
    let (fixed, _) = timed(
        app,
        slug,
        Method::GET,
        "/api/v1/volunteers/catalogue",
        None,
        100,
    )
    .await;

    // pool::load as the handler calls it (transaction begun and committed around it).
    let mut load = Vec::new();
    let mut pool_rows = (0, 0, 0);
    for i in 0..SPLIT_RUNS + 5 {
        let started = Instant::now();
        let txn = tenants.begin(tenant).await.expect("begin");
        let pool = pool::load(&txn, today, None).await.expect("pool");
        txn.commit().await.expect("commit");
        if i >= 5 {
            load.push(ms(started));
        }
        pool_rows = (
            pool.volunteers.len(),
            pool.assignments.values().map(Vec::len).sum::<usize>(),
            pool.checks.values().map(Vec::len).sum::<usize>(),
        );
    }
    let load = Sample::new(load);

    // The same SQL alone, as lacznik_app under RLS, rows fetched but no models built.
    let queries = pool_queries(tenant);
    let mut sql_total = Vec::new();
    let mut sql_volunteers = Vec::new();
    for i in 0..SPLIT_RUNS + 5 {
        let txn = tenants.begin(tenant).await.expect("begin");
        let started = Instant::now();
        for (name, sql) in &queries {
            let one = Instant::now();
            let rows = txn
                .query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
                .await
                .expect("query");
            std::hint::black_box(rows.len());
            if i >= 5 && *name == "volunteers" {
                sql_volunteers.push(ms(one));
            }
        }
        if i >= 5 {
            sql_total.push(ms(started));
        }
        txn.commit().await.expect("commit");
    }
    let (sql_total, sql_volunteers) = (Sample::new(sql_total), Sample::new(sql_volunteers));

    // What PostgreSQL itself spends on the volunteers query.
    let txn = tenants.begin(tenant).await.expect("begin");
    let plan: Vec<String> = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("EXPLAIN (ANALYZE, BUFFERS) {}", queries[0].1),
        ))
        .await
        .expect("explain")
        .into_iter()
        .map(|row| row.try_get::<String>("", "QUERY PLAN").unwrap())
        .collect();
    let pool = pool::load(&txn, today, None).await.expect("pool");
    txn.commit().await.expect("commit");

    // Parsing the JSON list columns, which the handler does for every volunteer before ranking.
    let mut parse = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        for v in &pool.volunteers {
            std::hint::black_box((
                json_list::<String>(&v.kinds),
                json_list::<String>(&v.skills),
                json_list::<String>(&v.languages),
                json_list::<String>(&v.districts),
                json_list::<Slot>(&v.availability),
            ));
        }
        parse.push(ms(started));
    }
    let parse = Sample::new(parse);

    println!(
        "  server-side split (p50 / p99 ms; {SPLIT_RUNS} direct calls; pool rows: {} volunteers, \
         {} assignments, {} checks):",
        pool_rows.0, pool_rows.1, pool_rows.2
    );
    println!(
        "    fixed cost (GET catalogue through the gateway)  {:>7.2} / {:>7.2}",
        fixed.at(0.5),
        fixed.at(0.99)
    );
    println!(
        "    pool::load (begin + 5 queries + models + commit){:>7.2} / {:>7.2}",
        load.at(0.5),
        load.at(0.99)
    );
    println!(
        "      the 5 queries' SQL alone, rows fetched        {:>7.2} / {:>7.2}",
        sql_total.at(0.5),
        sql_total.at(0.99)
    );
    println!(
        "      of which the volunteers query                 {:>7.2} / {:>7.2}",
        sql_volunteers.at(0.5),
        sql_volunteers.at(0.99)
    );
    println!(
        "    parsing the 5 JSON list columns of the pool     {:>7.2} / {:>7.2}",
        parse.at(0.5),
        parse.at(0.99)
    );
    let rest = request_p50 - fixed.at(0.5) - load.at(0.5) - parse.at(0.5);
    println!(
        "    request p50 − fixed − pool::load − parsing = {rest:.2} ms (building candidates, \
         ranking, the answer)"
    );
    per_table(db, tenant).await;
    experiments(db, tenant).await;
    println!("    EXPLAIN (ANALYZE, BUFFERS) of the volunteers query, as lacznik_app:");
    for line in plan {
        println!("      {line}");
    }
}

async fn measure(
    app: &TestApp,
    db: &AppDb,
    slug: &str,
    tenant: TenantId,
    need: &Value,
    label: &str,
) {
    let (_, _) = timed(app, slug, Method::POST, PATH, Some(need), WARM_UP).await;
    let n = runs();
    let (sample, body) = timed(app, slug, Method::POST, PATH, Some(need), n).await;
    let result: Value = serde_json::from_slice(&body).expect("JSON answer");
    let excluded: Vec<String> = result["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["code"].as_str().unwrap(), e["count"]))
        .collect();
    println!(
        "{label:<22} {:>10} {:>9} {:>8.2} {:>8.2} {:>8.2} {:>8.2}  ({n} requests, answer {} bytes)",
        result["considered"].as_u64().unwrap(),
        result["eligible"].as_u64().unwrap(),
        sample.at(0.5),
        sample.at(0.9),
        sample.at(0.99),
        sample.max(),
        body.len()
    );
    println!(
        "  ranked {} (top score {}), excluded: {}",
        result["ranked"].as_array().unwrap().len(),
        result["ranked"][0]["score"],
        excluded.join(", ")
    );
    split(app, db, slug, tenant, sample.at(0.5)).await;
    println!();
}

fn header() {
    println!(
        "{:<22} {:>10} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "office", "considered", "eligible", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
}

#[tokio::main]
async fn main() {
    let sizes: Vec<u32> = {
        let args: Vec<u32> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if args.is_empty() {
            SIZES.to_vec()
        } else {
            args
        }
    };
    // The office's request rate limit (2,000 per 10 s) is not what is measured here.
    let app = TestApp::spawn_configured(json!({"limits": {"tenant_requests": 1_000_000}})).await;
    let admin = app.db.admin().await;
    let db = app.db.app().await;
    println!(
        "matching latency, end to end — {} UTC, {} CPUs, {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        std::thread::available_parallelism().map_or(0, usize::from),
        scalar::<String>(&admin, "SELECT split_part(version(), ' on ', 1)").await
    );
    let need = need(&admin).await;
    println!("need: {need}");
    println!(
        "POST {PATH} through the gateway as a coordinator; {WARM_UP} warm-up, then sequential \
         timed requests (send → whole body read)\n"
    );

    let kielce = office(&app, "kielce").await;
    let mut seeded = 0;
    for &size in &sizes {
        let started = Instant::now();
        // In steps of 5,000, so that no statement trips sqlx's slow-statement warning.
        while seeded < size {
            let next = (seeded + 5_000).min(size);
            seed(&admin, "kielce", kielce, seeded, next).await;
            seeded = next;
        }
        exec(&admin, "ANALYZE").await;
        println!(
            "kielce grown to {size}: {} (seeded in {:.1} s)",
            counts(&admin, kielce).await,
            started.elapsed().as_secs_f64()
        );
        header();
        measure(
            &app,
            &db,
            "kielce",
            kielce,
            &need,
            &format!("kielce {size}"),
        )
        .await;
    }

    if std::env::var("MATCHING_HISTORY").as_deref() != Ok("0") {
        let radom = office(&app, "radom").await;
        let started = Instant::now();
        for from in (0..10_000).step_by(5_000) {
            seed(&admin, "radom", radom, from, from + 5_000).await;
        }
        for month in 1..=12 {
            seed_history(&admin, radom, month).await;
        }
        exec(&admin, "ANALYZE").await;
        println!(
            "radom, 10000 with a year of completed assignments: {} (seeded in {:.1} s)",
            counts(&admin, radom).await,
            started.elapsed().as_secs_f64()
        );
        header();
        measure(&app, &db, "radom", radom, &need, "radom 10000 + history").await;
        // Would an index let the loader skip the history? (In this throwaway database only.)
        exec(
            &admin,
            "CREATE INDEX ix_experiment_ends ON volunteer_assignments (tenant_id, ends_at) \
             WHERE status <> 'cancelled'",
        )
        .await;
        exec(&admin, "ANALYZE volunteer_assignments").await;
        println!(
            "  with CREATE INDEX ON volunteer_assignments (tenant_id, ends_at) WHERE status <> \
             'cancelled':"
        );
        experiments(&db, radom).await;
    }
    admin.close().await.ok();
    let name = app.db.name.clone();
    drop(db);
    app.stop().await;
    // The database holds tens of thousands of rows: don't leave it for the sweep.
    let server = sea_orm::Database::connect(format!("{}/postgres", lacznik_testkit::server_url()))
        .await
        .expect("server");
    exec(&server, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
    server.close().await.ok();
}
