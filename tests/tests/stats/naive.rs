//! The figures recomputed from scratch from a list of events, the slow obvious way: every
//! event is looked at once (redeliveries dropped by id), distinct people are kept in sets,
//! waiting times are sorted per period. It shares no code with the service's rollups beyond
//! the Polish clock; the definitions are README.md's "Statistics" section.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lacznik_queue::consumer::Delivered;
use serde_json::Value;
use uuid::Uuid;

/// The columns of a rollup row, as named in `stats_rollups` (the service's own list).
pub const COLUMNS: [&str; lacznik_stats::domain::figures::Column::COUNT] =
    lacznik_stats::domain::figures::Column::NAMES;

/// (office, period kind, first day, kind of help).
pub type Key = (Uuid, &'static str, NaiveDate, String);

/// A rollup row: every column, then needs assigned, median and 90th percentile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub columns: BTreeMap<&'static str, i64>,
    pub needs_assigned: i64,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Row {
    pub fn is_empty(&self) -> bool {
        self.columns.values().all(|v| *v == 0) && self.needs_assigned == 0
    }
}

fn day(at: DateTime<Utc>) -> NaiveDate {
    lacznik_types::local_time::warsaw(at).date()
}

/// The first days of the month, quarter and year of `d`.
fn periods(d: NaiveDate) -> [(&'static str, NaiveDate); 3] {
    let quarter_month = (d.month() - 1) / 3 * 3 + 1;
    [
        (
            "month",
            NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap(),
        ),
        (
            "quarter",
            NaiveDate::from_ymd_opt(d.year(), quarter_month, 1).unwrap(),
        ),
        ("year", NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap()),
    ]
}

fn time(p: &Value, field: &str) -> Option<DateTime<Utc>> {
    p.get(field)?.as_str()?.parse().ok()
}

fn text(p: &Value, field: &str) -> Option<String> {
    p.get(field)?.as_str().map(str::to_owned)
}

fn kind_of(p: &Value, field: &str) -> String {
    text(p, field).unwrap_or_else(|| "-".to_owned())
}

fn kinds_of(p: &Value, field: &str) -> Vec<String> {
    let mut kinds: Vec<String> = p[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        kinds.push("-".to_owned());
    }
    kinds
}

fn action_kind(p: &Value) -> String {
    match p["kind"].as_str() {
        Some("food_collection" | "parcel_distribution") => "food_collection",
        Some(_) => "events",
        None => "-",
    }
    .to_owned()
}

fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let at = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    let v = sorted[lo] as f64 + (sorted[hi] - sorted[lo]) as f64 * (at - lo as f64);
    Some(v.round() as i64)
}

/// Every non-empty rollup row the events should produce. `malformed` are ids statistics must
/// drop.
pub fn recompute(events: &[Delivered], malformed: &HashSet<Uuid>) -> BTreeMap<Key, Row> {
    let mut seen = HashSet::new();
    let unique: Vec<&Delivered> = events
        .iter()
        .filter(|e| seen.insert(e.id) && !malformed.contains(&e.id))
        .collect();
    let mut rows: BTreeMap<Key, Row> = BTreeMap::new();
    let mut add = |office: Uuid, d: NaiveDate, kinds: &[String], column: &'static str, n: i64| {
        for (period, start) in periods(d) {
            for kind in kinds.iter().map(String::as_str).chain(["*"]) {
                *rows
                    .entry((office, period, start, kind.to_owned()))
                    .or_default()
                    .columns
                    .entry(column)
                    .or_default() += n;
            }
        }
    };
    // (office, category, person) → days and kinds they were seen, and a minor flag of the event.
    let mut people: Vec<(Uuid, &'static str, Uuid, NaiveDate, String, bool)> = Vec::new();
    let mut born: HashMap<(Uuid, Uuid), i64> = HashMap::new();
    let mut opened: HashMap<(Uuid, Uuid), DateTime<Utc>> = HashMap::new();
    let mut hinted: HashMap<(Uuid, Uuid), DateTime<Utc>> = HashMap::new();
    let mut first: HashMap<(Uuid, Uuid), (DateTime<Utc>, String)> = HashMap::new();

    for e in &unique {
        let office = e.tenant.unwrap().as_uuid();
        let p = &e.payload;
        let id = |f: &str| -> Option<Uuid> { text(p, f)?.parse().ok() };
        match e.topic.as_str() {
            "volunteers.volunteer.registered" => {
                add(
                    office,
                    day(time(p, "at").unwrap()),
                    &kinds_of(p, "kinds"),
                    "new_volunteers",
                    1,
                );
                born.entry((office, id("volunteer_id").unwrap()))
                    .or_insert(p["birth_year"].as_i64().unwrap());
            }
            "volunteers.volunteer.status_changed" if p["to"] == "ended" => {
                add(
                    office,
                    day(time(p, "at").unwrap()),
                    &kinds_of(p, "kinds"),
                    "ended_volunteers",
                    1,
                );
            }
            "volunteers.hours.approved" => {
                let d: NaiveDate = text(p, "worked_on").unwrap().parse().unwrap();
                let kind = kind_of(p, "kind");
                let v = id("volunteer_id").unwrap();
                add(
                    office,
                    d,
                    std::slice::from_ref(&kind),
                    "volunteer_minutes",
                    p["minutes"].as_i64().unwrap(),
                );
                people.push((office, "active", v, d, kind.clone(), false));
                people.push((office, "hours", v, d, kind, false));
            }
            "volunteers.agreement.signed" => {
                let d: NaiveDate = text(p, "signed_on").unwrap().parse().unwrap();
                add(office, d, &kinds_of(p, "scope"), "agreements_signed", 1);
            }
            "needs.need.opened" => {
                let at = time(p, "opened_at").unwrap();
                add(office, day(at), &[kind_of(p, "kind")], "needs_opened", 1);
                opened.insert((office, id("need_id").unwrap()), at);
            }
            "needs.need.status_changed" => {
                let column = match p["to"].as_str() {
                    Some("fulfilled") => "needs_fulfilled",
                    Some("cancelled") => "needs_cancelled",
                    Some("expired") => "needs_expired",
                    _ => continue,
                };
                add(
                    office,
                    day(time(p, "at").unwrap()),
                    &[kind_of(p, "kind")],
                    column,
                    1,
                );
            }
            "needs.offer.accepted" => add(
                office,
                day(time(p, "answered_at").unwrap()),
                &[kind_of(p, "kind")],
                "offers_accepted",
                1,
            ),
            "needs.offer.declined" => add(
                office,
                day(time(p, "answered_at").unwrap()),
                &[kind_of(p, "kind")],
                "offers_declined",
                1,
            ),
            "needs.offer.expired" => add(
                office,
                day(e.created_at),
                &[kind_of(p, "kind")],
                "offers_timed_out",
                1,
            ),
            "needs.assignment.confirmed" => {
                let need = (office, id("need_id").unwrap());
                let at = e.created_at;
                let earlier = first.get(&need).is_some_and(|(f, _)| *f <= at);
                if !earlier {
                    first.insert(need, (at, kind_of(p, "kind")));
                }
                if let Some(hint) = time(p, "need_opened_at") {
                    hinted.entry(need).or_insert(hint);
                }
            }
            "needs.assignment.completed" | "needs.visit.recorded" => {
                let field = if e.topic.ends_with("completed") {
                    "completed_at"
                } else {
                    "starts_at"
                };
                let d = day(time(p, field).unwrap());
                let kind = kind_of(p, "kind");
                people.push((
                    office,
                    "active",
                    id("volunteer_id").unwrap(),
                    d,
                    kind.clone(),
                    false,
                ));
                if let Some(b) = id("beneficiary_id") {
                    people.push((office, "helped", b, d, kind, false));
                }
            }
            "needs.shift.checked_in" => {
                let d = day(time(p, "at").unwrap());
                let (who, minor) = match id("volunteer_id") {
                    Some(v) => (v, false),
                    None => (id("signup_id").unwrap(), p["minor"] == true),
                };
                people.push((
                    office,
                    if minor { "pupil_minor" } else { "active" },
                    who,
                    d,
                    action_kind(p),
                    minor,
                ));
            }
            "needs.tally.recorded" => {
                let d = day(time(p, "at").unwrap());
                let amount = p["amount"].as_f64().unwrap();
                let (column, n) = match p["measure"].as_str().unwrap() {
                    "kilograms" => ("kilogram_grams", (amount * 1000.0).round() as i64),
                    "caps_kilograms" => ("caps_grams", (amount * 1000.0).round() as i64),
                    "parcels" => ("parcels", amount.round() as i64),
                    _ => ("people_served", amount.round() as i64),
                };
                add(office, d, &[action_kind(p)], column, n);
            }
            "notifications.deliveries.recorded" => {
                let d = day(time(p, "at").unwrap());
                add(
                    office,
                    d,
                    &["-".to_owned()],
                    "emails_sent",
                    p["sent"].as_i64().unwrap(),
                );
                add(
                    office,
                    d,
                    &["-".to_owned()],
                    "emails_failed",
                    p["failed"].as_i64().unwrap(),
                );
            }
            _ => {}
        }
    }

    // Distinct people per period and kind.
    let mut counted: BTreeSet<(Uuid, &'static str, NaiveDate, String, &'static str, Uuid)> =
        BTreeSet::new();
    for (office, category, person, d, kind, _) in &people {
        for (period, start) in periods(*d) {
            for k in [kind.as_str(), "*"] {
                let (column, minor) = match *category {
                    "active" => {
                        let minor = born
                            .get(&(*office, *person))
                            .is_some_and(|y| i64::from(start.year()) - y < 18);
                        ("active_volunteers", minor)
                    }
                    "pupil_minor" => ("active_volunteers", true),
                    "hours" => ("hour_volunteers", false),
                    _ => ("beneficiaries_helped", false),
                };
                counted.insert((*office, period, start, k.to_owned(), column, *person));
                if minor {
                    counted.insert((
                        *office,
                        period,
                        start,
                        k.to_owned(),
                        "minors_active",
                        *person,
                    ));
                }
            }
        }
    }
    for (office, period, start, kind, column, _) in counted {
        *rows
            .entry((office, period, start, kind))
            .or_default()
            .columns
            .entry(column)
            .or_default() += 1;
    }

    // Waiting times, in the period of the first assignment.
    let mut samples: BTreeMap<Key, Vec<i64>> = BTreeMap::new();
    for (need, (at, kind)) in &first {
        let Some(open) = opened.get(need).or_else(|| hinted.get(need)) else {
            continue;
        };
        let wait = (*at - *open).num_seconds().max(0);
        for (period, start) in periods(day(*at)) {
            for k in [kind.as_str(), "*"] {
                samples
                    .entry((need.0, period, start, k.to_owned()))
                    .or_default()
                    .push(wait);
            }
        }
    }
    for (key, mut sample) in samples {
        sample.sort_unstable();
        let row = rows.entry(key).or_default();
        row.needs_assigned = sample.len() as i64;
        row.median = quantile(&sample, 0.5);
        row.p90 = quantile(&sample, 0.9);
    }
    for row in rows.values_mut() {
        for column in COLUMNS {
            row.columns.entry(column).or_default();
        }
    }
    rows.retain(|_, r| !r.is_empty());
    rows
}
