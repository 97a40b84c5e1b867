//! The statistics on the embedded SQLite database (no row-level security there; every query
//! filters by the office): events applied through the handler, read back as the dashboard
//! and the comparison read them, and rebuilt from the outbox to the same rows.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure is the test failing

use chrono::{DateTime, Utc};
use lacznik_config::DatabaseConfig;
use lacznik_identity::NewTenant;
use lacznik_queue::consumer::{Delivered, Handler};
use lacznik_stats::domain::figures::Column;
use lacznik_stats::domain::period::{Period, PeriodKind, years};
use lacznik_stats::store::rollups::{RegionalDb, RollupRow, office_rows, regional_rows};
use lacznik_stats::{StatsConsumer, rebuild_office};
use lacznik_tenancy::AppDb;
use lacznik_types::{RegionCode, TenantId, TenantSlug};
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn office(db: &AppDb, slug: &str) -> TenantId {
    let record = lacznik_identity::store::create_tenant(
        &db.platform_db(),
        NewTenant {
            slug: TenantSlug::parse(slug).unwrap(),
            name: format!("Ośrodek {slug}"),
            short_name: format!("OPS {slug}"),
            region: RegionCode::parse("26").unwrap(),
            population: 40_000,
            street_address: "ul. Główna 1".into(),
            postal_code: "25-001".into(),
            city: "Kielce".into(),
            phone: "41 000 00 00".into(),
            email: format!("ops@{slug}.example"),
            website: None,
            office_hours: "8–16".into(),
            hosts: Vec::new(),
            time_zone: "Europe/Warsaw".into(),
            locale: "pl-PL".into(),
            mail_from_name: None,
            mail_from_address: None,
            mail_reply_to: None,
        },
    )
    .await
    .unwrap();
    TenantId::from_uuid(record.id)
}

fn event(office: TenantId, topic: &str, when: &str, payload: serde_json::Value) -> Delivered {
    Delivered {
        id: Uuid::now_v7(),
        tenant: Some(office),
        topic: topic.to_owned(),
        payload,
        traceparent: None,
        created_at: at(when),
    }
}

fn month_row<'a>(rows: &'a [RollupRow], kind: &str) -> &'a RollupRow {
    rows.iter()
        .find(|r| r.period.kind == PeriodKind::Month && r.kind == kind)
        .unwrap_or_else(|| panic!("no January row of {kind}"))
}

#[tokio::test]
async fn rollups_work_on_sqlite_and_rebuild_to_the_same_rows() {
    let dir = std::env::temp_dir().join(format!("lacznik-stats-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = SecretString::from(format!("sqlite://{}?mode=rwc", dir.join("l.db").display()));
    let config = DatabaseConfig::default();
    lacznik_migrations::migrate(&url, &config).await.unwrap();
    let db = AppDb::connect(&url, &config).await.unwrap();
    let kielce = office(&db, "kielce").await;
    let other = office(&db, "busko").await;

    let volunteer = Uuid::now_v7();
    let need = Uuid::now_v7();
    let events = vec![
        event(
            kielce,
            "volunteers.volunteer.registered",
            "2026-01-05T10:00:00Z",
            json!({"volunteer_id": volunteer, "birth_year": 2010, "kinds": ["reading"], "at": "2026-01-05T10:00:00Z"}),
        ),
        event(
            kielce,
            "volunteers.hours.approved",
            "2026-01-06T10:00:00Z",
            json!({"volunteer_id": volunteer, "worked_on": "2026-01-06", "minutes": 90, "kind": "reading"}),
        ),
        event(
            kielce,
            "needs.need.opened",
            "2026-01-07T10:00:00Z",
            json!({"need_id": need, "kind": "reading", "opened_at": "2026-01-07T10:00:00Z"}),
        ),
        event(
            kielce,
            "needs.assignment.confirmed",
            "2026-01-07T12:00:00Z",
            json!({"need_id": need, "kind": "reading", "need_opened_at": "2026-01-07T09:00:00Z"}),
        ),
        event(
            kielce,
            "needs.tally.recorded",
            "2026-01-08T10:00:00Z",
            json!({"measure": "kilograms", "amount": 12.5, "kind": "food_collection", "at": "2026-01-08T10:00:00Z"}),
        ),
        event(
            other,
            "needs.need.opened",
            "2026-01-07T10:00:00Z",
            json!({"need_id": Uuid::now_v7(), "kind": "tutoring", "opened_at": "2026-01-07T10:00:00Z"}),
        ),
    ];
    let handler = StatsConsumer::new(db.tenant_db());
    handler.handle(&events).await.unwrap();
    handler.handle(&events[1..3]).await.unwrap();

    let (from, to) = years(2026, 2026);
    let read = |tenant: TenantId| {
        let db = db.clone();
        async move {
            let txn = db.tenant_db().begin(tenant).await.unwrap();
            let rows = office_rows(&txn, from, to).await.unwrap();
            txn.commit().await.unwrap();
            rows
        }
    };
    let mut rows = read(kielce).await;
    let all = month_row(&rows, "*");
    assert_eq!(all.period.start.to_string(), "2026-01-01");
    assert_eq!(all.totals.get(Column::ActiveVolunteers), 1);
    assert_eq!(all.totals.get(Column::MinorsActive), 1);
    assert_eq!(all.totals.get(Column::VolunteerMinutes), 90);
    assert_eq!(all.totals.get(Column::KilogramGrams), 12_500);
    assert_eq!(all.totals.needs_assigned, 1);
    assert_eq!(all.totals.wait_median_secs, Some(7200));
    assert_eq!(
        month_row(&rows, "food_collection")
            .totals
            .get(Column::KilogramGrams),
        12_500
    );
    assert!(rows.iter().all(|r| r.tenant == kielce.as_uuid()));

    // The comparison's reader (the same file when embedded) sees both offices' totals.
    let regional = RegionalDb(db.platform_db().conn().clone());
    let both = regional_rows(&regional, &[kielce.as_uuid(), other.as_uuid()], from, to)
        .await
        .unwrap();
    assert!(both.iter().all(|r| r.kind == "*"));
    assert!(both.iter().any(|r| r.tenant == other.as_uuid()));

    // The outbox is the log: the same rows after a rebuild.
    let conn = db.platform_db().conn().clone();
    for e in &events {
        conn.execute_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            "INSERT INTO outbox_events (tenant_id, id, topic, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
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
    let rebuilt = rebuild_office(&db.tenant_db(), kielce).await.unwrap();
    assert_eq!(rebuilt.events, 5);
    let mut again = read(kielce).await;
    let key = |r: &RollupRow| (r.period, r.kind.clone());
    rows.sort_by_key(key);
    again.sort_by_key(key);
    assert_eq!(rows, again);
    assert!(Period::starting(PeriodKind::Quarter, from).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}
