//! Rollups equal a from-scratch recomputation: a random history of two offices goes through
//! the statistics' event handler in random-size batches with random redeliveries, on the real
//! PostgreSQL as `lacznik_app` under row-level security; every rollup row must then equal the
//! naive recomputation (`naive.rs`), and so must a rebuild from the outbox.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use lacznik_queue::consumer::{Delivered, Handler};
use lacznik_stats::StatsConsumer;
use lacznik_stats::domain::grid::ALL_KINDS;
use lacznik_stats::domain::period::PeriodKind;
use lacznik_stats::store::rollups::{RegionalDb, regional_rows};
use lacznik_testkit::{TestApp, tenant_id};
use lacznik_types::TenantId;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use super::naive::{self, COLUMNS, Key, Row};
use super::story;

/// Every non-empty rollup row in the database.
async fn stored(app: &TestApp) -> BTreeMap<Key, Row> {
    let admin = app.db.admin().await;
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT tenant_id, period, period_start, kind, needs_assigned, wait_median_secs, \
                 wait_p90_secs, {} FROM stats_rollups",
                COLUMNS.join(", ")
            ),
        ))
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for r in rows {
        let period: String = r.try_get("", "period").unwrap();
        let period: &'static str = match period.as_str() {
            "month" => "month",
            "quarter" => "quarter",
            _ => "year",
        };
        let key = (
            r.try_get::<Uuid>("", "tenant_id").unwrap(),
            period,
            r.try_get::<NaiveDate>("", "period_start").unwrap(),
            r.try_get::<String>("", "kind").unwrap(),
        );
        let row = Row {
            columns: COLUMNS
                .iter()
                .map(|c| (*c, r.try_get::<i64>("", c).unwrap()))
                .collect(),
            needs_assigned: r.try_get("", "needs_assigned").unwrap(),
            median: r.try_get("", "wait_median_secs").unwrap(),
            p90: r.try_get("", "wait_p90_secs").unwrap(),
        };
        if !row.is_empty() {
            out.insert(key, row);
        }
    }
    out
}

/// The all-kinds rows as the regional comparison reads them: as `lacznik_stats`, every figure
/// from the one column PostgreSQL packs them in.
async fn compared(app: &TestApp, offices: &[TenantId]) -> BTreeMap<Key, Row> {
    let config = app.db.config();
    let url = config.database.stats_url(&config.data_dir.0).unwrap();
    let db = RegionalDb(
        lacznik_tenancy::connect_checked(&url, &config.database)
            .await
            .unwrap(),
    );
    let ids: Vec<Uuid> = offices.iter().map(|o| o.as_uuid()).collect();
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
    let mut out = BTreeMap::new();
    for r in regional_rows(&db, &ids, from, to).await.unwrap() {
        let period = match r.period.kind {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        };
        let row = Row {
            columns: COLUMNS
                .iter()
                .zip(r.totals.additive)
                .map(|(c, v)| (*c, v))
                .collect(),
            needs_assigned: r.totals.needs_assigned,
            median: r.totals.wait_median_secs,
            p90: r.totals.wait_p90_secs,
        };
        if !row.is_empty() {
            out.insert((r.tenant, period, r.period.start, r.kind), row);
        }
    }
    out
}

fn assert_same(label: &str, seed: u64, got: &BTreeMap<Key, Row>, want: &BTreeMap<Key, Row>) {
    for (key, expected) in want {
        assert_eq!(
            got.get(key),
            Some(expected),
            "{label} (seed {seed}): row {key:?} differs"
        );
    }
    let extra: Vec<&Key> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        extra.is_empty(),
        "{label} (seed {seed}): rows nobody expects: {extra:?}"
    );
    assert_eq!(got.len(), want.len());
}

#[tokio::test]
async fn rollups_equal_a_recomputation_after_random_batches_with_redeliveries_and_a_rebuild() {
    let seed: u64 = std::env::var("STATS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("stats rollup test seed: {seed} (repeat with STATS_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);

    let app = TestApp::spawn().await;
    let kielce = tenant_id(&app.create_tenant("kielce").await);
    let plock = tenant_id(&app.create_tenant_in("plock", "14", Vec::new()).await);
    let mut told = story::office(&mut rng, kielce);
    told.extend(story::office(&mut rng, plock));
    told.sort_by_key(|t| (t.event.created_at, t.event.id));
    let malformed: HashSet<Uuid> = told
        .iter()
        .filter(|t| t.malformed)
        .map(|t| t.event.id)
        .collect();
    let events: Vec<Delivered> = told.into_iter().map(|t| t.event).collect();

    // Random batches across both offices, each with redeliveries of earlier events (and now
    // and then one twice in the same batch).
    let handler = StatsConsumer::new(app.db.app().await.tenant_db());
    let mut delivered: Vec<Delivered> = Vec::new();
    let mut next = 0;
    let mut batches = 0;
    while next < events.len() {
        let size = rng.random_range(1..=60).min(events.len() - next);
        let mut batch: Vec<Delivered> = events[next..next + size].to_vec();
        next += size;
        for _ in 0..rng.random_range(0..4) {
            if let Some(again) = delivered.choose(&mut rng) {
                let at = rng.random_range(0..=batch.len());
                batch.insert(at, again.clone());
            }
        }
        if rng.random_bool(0.1) {
            batch.push(batch[0].clone());
        }
        let wanted: Vec<Delivered> = batch
            .iter()
            .filter(|e| handler.wants(&e.topic))
            .cloned()
            .collect();
        handler.handle(&wanted).await.unwrap();
        delivered.extend(batch);
        batches += 1;
    }
    // Everything once more, as after a consumer lost its acknowledgements.
    let wanted: Vec<Delivered> = events
        .iter()
        .filter(|e| handler.wants(&e.topic))
        .cloned()
        .collect();
    handler.handle(&wanted).await.unwrap();

    let want = naive::recompute(&events, &malformed);
    assert!(
        want.len() > 200,
        "the story is too thin: {} rows",
        want.len()
    );
    assert!(
        want.values()
            .any(|r| r.columns["minors_active"] > 0 && r.median.is_some()),
        "the story must exercise minors and waiting times"
    );
    let got = stored(&app).await;
    println!(
        "{} events in {batches} batches → {} rollup rows",
        events.len(),
        got.len()
    );
    assert_same("after the batches", seed, &got, &want);
    assert_same(
        "the comparison's packed read",
        seed,
        &compared(&app, &[kielce, plock]).await,
        &want
            .iter()
            .filter(|(key, _)| key.3 == ALL_KINDS)
            .map(|(key, row)| (key.clone(), row.clone()))
            .collect(),
    );

    // The outbox is the log: replay it.
    let admin = app.db.admin().await;
    for e in &events {
        admin
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO outbox_events (tenant_id, id, topic, payload, created_at, published_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
                [
                    e.tenant.unwrap().as_uuid().into(),
                    e.id.into(),
                    e.topic.clone().into(),
                    e.payload.to_string().into(),
                    e.created_at.into(),
                ],
            ))
            .await
            .unwrap();
    }
    let tenants = app.db.app().await.tenant_db();
    for office in [kielce, plock] {
        let rebuilt = lacznik_stats::rebuild_office(&tenants, office)
            .await
            .unwrap();
        assert!(rebuilt.events > 0);
    }
    assert_same("after a rebuild", seed, &stored(&app).await, &want);
}
