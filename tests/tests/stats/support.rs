//! Helpers of the statistics tests: offices with figures (events applied through the
//! statistics' handler), tokens of each kind of caller, and requests.

use chrono::{DateTime, Utc};
use lacznik_auth::Role;
use lacznik_queue::consumer::{Delivered, Handler};
use lacznik_stats::StatsConsumer;
use lacznik_testkit::{TestApp, tenant_id};
use lacznik_types::TenantId;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// The platform with Kielce and Ostrowiec (świętokrzyskie, 26) and Płock (mazowieckie, 14).
pub struct Offices {
    pub app: TestApp,
    pub kielce: TenantId,
    pub ostrowiec: TenantId,
    pub plock: TenantId,
}

pub async fn offices() -> Offices {
    let app = TestApp::spawn().await;
    let kielce = tenant_id(&app.create_tenant("kielce").await);
    let ostrowiec = tenant_id(&app.create_tenant("ostrowiec").await);
    let plock = tenant_id(&app.create_tenant_in("plock", "14", Vec::new()).await);
    Offices {
        app,
        kielce,
        ostrowiec,
        plock,
    }
}

/// A moment in January 2026 (Polish winter time, mid-day).
pub fn january(day: u32) -> DateTime<Utc> {
    format!("2026-01-{day:02}T11:00:00Z").parse().unwrap()
}

/// Applies `(topic, payload)`s of `office` written at `at`, as the consumer would.
pub async fn apply(app: &TestApp, office: TenantId, at: DateTime<Utc>, events: Vec<(&str, Value)>) {
    let events: Vec<Delivered> = events
        .into_iter()
        .map(|(topic, payload)| Delivered {
            id: Uuid::now_v7(),
            tenant: Some(office),
            topic: topic.to_owned(),
            payload,
            traceparent: None,
            created_at: at,
        })
        .collect();
    StatsConsumer::new(app.db.app().await.tenant_db())
        .handle(&events)
        .await
        .unwrap();
}

/// `n` distinct volunteers with approved hours of `kind` on `at`'s day (`minutes` each).
pub fn workers(
    n: usize,
    kind: &str,
    at: DateTime<Utc>,
    minutes: i64,
) -> Vec<(&'static str, Value)> {
    (0..n)
        .map(|_| {
            (
                "volunteers.hours.approved",
                json!({"volunteer_id": Uuid::now_v7(), "entry_id": Uuid::now_v7(),
                       "worked_on": at.date_naive(), "minutes": minutes, "kind": kind}),
            )
        })
        .collect()
}

/// `n` volunteers of `office` who read to children for an hour on January `day`, applied.
pub async fn readers(app: &TestApp, office: TenantId, n: usize, day: u32) {
    apply(
        app,
        office,
        january(day),
        workers(n, "reading", january(day), 60),
    )
    .await;
}

/// A token of a new regional admin of `region` (`None`: of all voivodeships).
pub async fn regional_admin(app: &TestApp, region: Option<&str>) -> String {
    let email = format!("region-{}@lacznik.test", Uuid::now_v7().simple());
    app.create_user(None, &email, Role::RegionalAdmin, None, region)
        .await;
    token(app, None, &email).await
}

/// A token of a new platform admin.
pub async fn platform_admin(app: &TestApp) -> String {
    let email = format!("admin-{}@lacznik.test", Uuid::now_v7().simple());
    app.create_user(None, &email, Role::PlatformAdmin, None, None)
        .await;
    token(app, None, &email).await
}

async fn token(app: &TestApp, office: Option<&str>, email: &str) -> String {
    app.login(office, email).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `GET` at the platform's address with `token`.
pub async fn platform_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.raw(Method::GET, path)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// `GET` at office `slug` as its coordinator.
pub async fn office_get(app: &TestApp, slug: &str, path: &str) -> reqwest::Response {
    app.as_coordinator(slug, Method::GET, path)
        .await
        .send()
        .await
        .unwrap()
}

/// The JSON body of a 200 answer.
pub async fn ok(response: reqwest::Response) -> Value {
    lacznik_testkit::ok_json(response, StatusCode::OK).await
}

/// A figure of a list of `{"figure": …}` objects.
pub fn figure<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == code)
        .unwrap_or_else(|| panic!("no {code} in {list}"))
}

/// Whether a cell is the suppressed marker.
pub fn suppressed(cell: &Value) -> bool {
    *cell == json!({"suppressed": true})
}
