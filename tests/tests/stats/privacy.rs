//! Suppression through the API: counts of 1–4 never leave the service as numbers, and no
//! published total lets anyone subtract their way to one — not the office's total over its
//! kinds of help, not the voivodeship's total over its offices, not a quarter over its months.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::support::{
    apply, figure, january, office_get, offices, ok, platform_get, readers, regional_admin,
    suppressed, workers,
};

/// Counts that must never be shown as 1–4.
const COUNTS: [&str; 5] = [
    "active_volunteers",
    "new_volunteers",
    "needs_opened",
    "people_helped",
    "offers_accepted",
];

fn number(cell: &Value) -> Option<f64> {
    cell.as_f64()
}

/// No count anywhere in `body` is a number from 1 to 4.
fn no_small_counts(body: &Value) {
    fn walk(v: &Value) {
        match v {
            Value::Object(map) => {
                if let Some(code) = map.get("figure").and_then(Value::as_str)
                    && COUNTS.contains(&code)
                {
                    for field in ["current", "previous", "year_ago", "value", "total"] {
                        if let Some(n) = map.get(field).and_then(number) {
                            assert!(!(1.0..5.0).contains(&n), "{code} shows {n}: {v}");
                        }
                    }
                }
                map.values().for_each(walk);
            }
            Value::Array(list) => list.iter().for_each(walk),
            _ => {}
        }
    }
    walk(body);
}

#[tokio::test]
async fn a_small_kind_is_hidden_and_the_office_total_does_not_give_it_away() {
    let o = offices().await;
    let app = &o.app;
    let mut events = workers(3, "tutoring", january(12), 90);
    events.extend(workers(30, "reading", january(12), 60));
    events.extend(workers(12, "senior_company", january(12), 60));
    apply(app, o.kielce, january(12), events).await;

    let board = ok(office_get(
        app,
        "kielce",
        "/api/v1/stats/dashboard?period=month&start=2026-01-01",
    )
    .await)
    .await;
    no_small_counts(&board);
    let total = figure(&board["figures"], "active_volunteers");
    assert_eq!(total["current"], 45);
    let by_kind = |kind: &str| {
        board["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
    };
    let cell = |kind: &str, code: &str| figure(&by_kind(kind)["figures"], code)["current"].clone();
    assert!(suppressed(&cell("tutoring", "active_volunteers")));
    // 45 − 30 would reveal the 3 if the 12 were shown: the smallest other kind goes too.
    assert!(suppressed(&cell("senior_company", "active_volunteers")));
    assert_eq!(cell("reading", "active_volunteers"), 30);
    // Hours of three people are theirs: hidden, and so is the complement.
    assert!(suppressed(&cell("tutoring", "volunteer_hours")));
    assert!(suppressed(&cell("senior_company", "volunteer_hours")));
    assert_eq!(cell("reading", "volunteer_hours"), 30.0);
    // The quarter is a total over its months: January's 45 in the quarter is shown, and it
    // reveals nothing because the other months are 0.
    let quarter = ok(office_get(
        app,
        "kielce",
        "/api/v1/stats/dashboard?period=quarter&start=2026-01-01",
    )
    .await)
    .await;
    no_small_counts(&quarter);
    assert_eq!(
        figure(&quarter["figures"], "active_volunteers")["current"],
        45
    );
}

#[tokio::test]
async fn a_small_office_is_hidden_and_the_region_total_does_not_give_it_away() {
    let o = offices().await;
    let app = &o.app;
    readers(app, o.kielce, 3, 12).await;
    readers(app, o.ostrowiec, 40, 12).await;
    // Płock is in another voivodeship and plays no part.
    readers(app, o.plock, 9, 12).await;
    let token = regional_admin(app, Some("26")).await;
    let compared = ok(platform_get(
        app,
        &token,
        "/api/v1/stats/regions/26/comparison?period=month&start=2026-01-01",
    )
    .await)
    .await;
    no_small_counts(&compared);
    let office = |slug: &str| {
        compared["offices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["office"]["slug"] == slug)
            .unwrap()
            .clone()
    };
    let kielce = figure(&office("kielce")["figures"], "active_volunteers").clone();
    let ostrowiec = figure(&office("ostrowiec")["figures"], "active_volunteers").clone();
    let total = figure(&compared["summary"], "active_volunteers").clone();
    assert!(suppressed(&kielce["value"]));
    assert!(suppressed(&kielce["per_10k"]), "a rate reveals its count");
    assert!(kielce["rank"].is_null());
    // Total 43 minus Ostrowiec's 40 would be Kielce's 3: one of them must go.
    assert!(
        suppressed(&ostrowiec["value"]) || suppressed(&total["total"]),
        "{compared}"
    );
    assert!(suppressed(&ostrowiec["value"]));
    assert_eq!(total["total"], 43);
    assert_eq!(total["offices_shown"], 0);

    // The same cells in the trend, and in any set a platform admin picks.
    let trend = ok(platform_get(
        app,
        &token,
        "/api/v1/stats/offices/ostrowiec/trend?figure=active_volunteers&months=1&end=2026-01-31",
    )
    .await)
    .await;
    assert!(suppressed(&trend["points"][0]["value"]));
    let admin = super::support::platform_admin(app).await;
    let alone = app
        .raw(reqwest::Method::POST, "/api/v1/stats/comparison")
        .bearer_auth(&admin)
        .json(&json!({"offices": ["ostrowiec"], "period": "month", "start": "2026-01-01"}))
        .send()
        .await
        .unwrap();
    let alone = ok(alone).await;
    assert!(suppressed(
        &figure(&alone["offices"][0]["figures"], "active_volunteers")["value"]
    ));
}

#[tokio::test]
async fn a_voivodeship_whose_total_is_small_shows_no_number() {
    let o = offices().await;
    let app = &o.app;
    readers(app, o.plock, 2, 12).await;
    let token = regional_admin(app, Some("14")).await;
    let compared = ok(platform_get(
        app,
        &token,
        "/api/v1/stats/regions/14/comparison?period=month&start=2026-01-01",
    )
    .await)
    .await;
    no_small_counts(&compared);
    assert!(suppressed(
        &figure(&compared["summary"], "active_volunteers")["total"]
    ));
    // Zero stays zero.
    assert_eq!(figure(&compared["summary"], "needs_opened")["total"], 0);
}

#[tokio::test]
async fn waiting_times_of_few_needs_are_hidden() {
    let o = offices().await;
    let app = &o.app;
    let mut events = Vec::new();
    for i in 0..3 {
        let need = Uuid::now_v7();
        events.push((
            "needs.need.opened",
            json!({"need_id": need, "kind": "reading", "opened_at": january(2 + i)}),
        ));
        events.push((
            "needs.assignment.confirmed",
            json!({"assignment_id": Uuid::now_v7(), "need_id": need, "kind": "reading",
                   "need_opened_at": january(2 + i)}),
        ));
    }
    apply(app, o.kielce, january(20), events).await;
    let board = ok(office_get(
        app,
        "kielce",
        "/api/v1/stats/dashboard?period=month&start=2026-01-01",
    )
    .await)
    .await;
    assert!(suppressed(
        &figure(&board["figures"], "wait_median_hours")["current"]
    ));
    assert!(suppressed(
        &figure(&board["figures"], "needs_assigned")["current"]
    ));
    // A month without needs has no waiting time at all.
    assert!(figure(&board["figures"], "wait_median_hours")["previous"].is_null());
    let _ = StatusCode::OK;
}
