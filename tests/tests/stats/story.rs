//! A random but valid history of one office, as the events statistics consume: volunteers
//! (minors among them, some turning 18), their hours, agreements and departures; needs opened,
//! offered, assigned (sometimes more than once), done, cancelled or expired; visits; actions
//! with check-ins of volunteers and pupils and tallies; email deliveries; plus events
//! statistics ignore and a malformed one. Times cluster around month ends, where the Polish day
//! differs from the UTC one. A few volunteers' registrations come after their first work, as
//! when a delivery is taken over out of order.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use lacznik_queue::consumer::Delivered;
use lacznik_types::TenantId;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use serde_json::{Value, json};
use uuid::Uuid;

const KINDS: [&str; 5] = [
    "tutoring",
    "senior_company",
    "shopping_household",
    "reading",
    "events",
];
const ACTION_KINDS: [&str; 5] = [
    "food_collection",
    "parcel_distribution",
    "festival",
    "caps_collection",
    "other",
];

/// One event of the story, and whether the contract is broken in it (statistics drop it).
pub struct Told {
    pub event: Delivered,
    pub malformed: bool,
}

struct Writer<'a> {
    rng: &'a mut StdRng,
    tenant: TenantId,
    out: Vec<Told>,
}

impl Writer<'_> {
    fn id(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A moment between November 2025 and January 2027; often late on a month's last day.
    fn moment(&mut self) -> DateTime<Utc> {
        let start = Utc.with_ymd_and_hms(2025, 11, 1, 0, 0, 0).unwrap();
        if self.rng.random_bool(0.2) {
            let month = self.rng.random_range(0..14u32);
            let (y, m) = (2025 + (10 + month as i32) / 12, (10 + month) % 12 + 1);
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)
            }
            .unwrap();
            let minutes = self.rng.random_range(1..150);
            return Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).unwrap())
                - Duration::minutes(minutes);
        }
        start + Duration::seconds(self.rng.random_range(0..455 * 86_400))
    }

    fn emit(&mut self, topic: &str, created_at: DateTime<Utc>, payload: Value) {
        let id = self.id();
        self.out.push(Told {
            event: Delivered {
                id,
                tenant: Some(self.tenant),
                topic: topic.to_owned(),
                payload,
                traceparent: None,
                created_at,
            },
            malformed: false,
        });
    }

    fn kinds(&mut self, most: usize) -> Vec<&'static str> {
        let n = self.rng.random_range(0..=most);
        let mut kinds: Vec<&str> = KINDS.choose_multiple(self.rng, n).copied().collect();
        kinds.sort_unstable();
        kinds
    }

    fn kind(&mut self) -> &'static str {
        KINDS.choose(self.rng).copied().unwrap()
    }
}

/// The story of one office, ordered by the time each event was written.
pub fn office(rng: &mut StdRng, tenant: TenantId) -> Vec<Told> {
    let mut w = Writer {
        rng,
        tenant,
        out: Vec::new(),
    };
    let beneficiaries: Vec<Uuid> = (0..12).map(|_| w.id()).collect();
    let mut volunteers = Vec::new();
    for _ in 0..24 {
        let id = w.id();
        let birth_year = match w.rng.random_range(0..10) {
            0 | 1 => w.rng.random_range(2009..=2012),
            2 => 2008,
            _ => w.rng.random_range(1950..=2004),
        };
        let kinds = w.kinds(3);
        let registered = w.moment();
        volunteers.push(id);
        // Most work comes after registration; for some the registration arrives late.
        let late = w.rng.random_bool(0.15);
        w.emit(
            "volunteers.volunteer.registered",
            registered,
            json!({"volunteer_id": id, "status": "active", "birth_year": birth_year,
                   "kinds": kinds, "at": registered}),
        );
        for _ in 0..w.rng.random_range(0..8) {
            let mut at = w.moment();
            if !late && at < registered {
                at = registered + Duration::hours(w.rng.random_range(1..2000));
            }
            let worked_on = lacznik_types::local_time::warsaw(at).date();
            let kind = if w.rng.random_bool(0.2) {
                Value::Null
            } else {
                json!(w.kind())
            };
            let written = at + Duration::hours(w.rng.random_range(0..72));
            let minutes = w.rng.random_range(15..300);
            w.emit(
                "volunteers.hours.approved",
                written,
                json!({"volunteer_id": id, "entry_id": Uuid::now_v7(), "assignment_id": null,
                       "worked_on": worked_on, "minutes": minutes,
                       "source": "assignment", "kind": kind}),
            );
        }
        if w.rng.random_bool(0.3) {
            let at = registered + Duration::days(w.rng.random_range(1..200));
            let scope = w.kinds(2);
            w.emit(
                "volunteers.agreement.signed",
                at,
                json!({"agreement_id": Uuid::now_v7(), "volunteer_id": id,
                       "signed_on": lacznik_types::local_time::warsaw(at).date(), "scope": scope}),
            );
        }
        if w.rng.random_bool(0.2) {
            let at = registered + Duration::days(w.rng.random_range(1..300));
            w.emit(
                "volunteers.volunteer.status_changed",
                at,
                json!({"volunteer_id": id, "from": "active", "to": "ended", "at": at,
                       "kinds": kinds}),
            );
        }
        if w.rng.random_bool(0.2) {
            let at = w.moment();
            w.emit(
                "volunteers.volunteer.status_changed",
                at,
                json!({"volunteer_id": id, "from": "applicant", "to": "active", "at": at}),
            );
        }
    }

    for _ in 0..36 {
        let need = w.id();
        let kind = w.kind();
        let opened = w.moment();
        let announced = w.rng.random_bool(0.85);
        if announced {
            w.emit(
                "needs.need.opened",
                opened,
                json!({"need_id": need, "kind": kind, "district": null, "urgency": "normal",
                       "wanted": 1, "partner_id": null, "has_beneficiary": true,
                       "opened_at": opened}),
            );
        }
        // The booking carries the need's creation, which for a draft is before its opening.
        let created = opened - Duration::minutes(w.rng.random_range(0..600));
        let mut last = opened;
        for _ in 0..w.rng.random_range(0..4) {
            last += Duration::minutes(w.rng.random_range(5..20_000));
            let volunteer = volunteers.choose(w.rng).copied();
            w.emit(
                "needs.assignment.confirmed",
                last,
                json!({"assignment_id": Uuid::now_v7(), "need_id": need,
                       "volunteer_id": volunteer, "kind": kind,
                       "partner_id": null, "starts_at": last, "ends_at": last,
                       "recurring": false, "visits": 1, "need_opened_at": created}),
            );
            if w.rng.random_bool(0.6) {
                let done = last + Duration::hours(w.rng.random_range(1..300));
                let beneficiary = if w.rng.random_bool(0.7) {
                    json!(beneficiaries.choose(w.rng))
                } else {
                    Value::Null
                };
                let topic = if w.rng.random_bool(0.7) {
                    "needs.assignment.completed"
                } else {
                    "needs.visit.recorded"
                };
                let volunteer = volunteers.choose(w.rng).copied();
                w.emit(
                    topic,
                    done + Duration::minutes(5),
                    json!({"assignment_id": Uuid::now_v7(), "visit_id": Uuid::now_v7(),
                           "need_id": need, "volunteer_id": volunteer,
                           "kind": kind, "partner_id": null, "beneficiary_id": beneficiary,
                           "minutes": 60, "completed_at": done, "starts_at": done,
                           "concern": false}),
                );
            }
        }
        for _ in 0..w.rng.random_range(0..4) {
            let at = opened + Duration::hours(w.rng.random_range(1..400));
            let volunteer = volunteers.choose(w.rng).copied();
            match w.rng.random_range(0..3) {
                0 | 1 => {
                    let topic = if w.rng.random_bool(0.5) {
                        "needs.offer.accepted"
                    } else {
                        "needs.offer.declined"
                    };
                    w.emit(
                        topic,
                        at,
                        json!({"offer_id": Uuid::now_v7(), "need_id": need,
                               "volunteer_id": volunteer, "kind": kind,
                               "offered_at": opened, "answered_at": at}),
                    );
                }
                _ => w.emit(
                    "needs.offer.expired",
                    at,
                    json!({"offer_id": Uuid::now_v7(), "need_id": need,
                           "volunteer_id": volunteer, "kind": kind, "offered_at": opened}),
                ),
            }
        }
        let end = match w.rng.random_range(0..10) {
            0..5 => Some("fulfilled"),
            5 | 6 => Some("cancelled"),
            7 => Some("expired"),
            _ => None,
        };
        if let Some(to) = end {
            let at = last + Duration::hours(w.rng.random_range(1..500));
            w.emit(
                "needs.need.status_changed",
                at,
                json!({"need_id": need, "kind": kind, "partner_id": null,
                       "from": "assigned", "to": to, "at": at}),
            );
        }
        let step = last + Duration::minutes(1);
        w.emit(
            "needs.need.status_changed",
            step,
            json!({"need_id": need, "kind": kind, "partner_id": null,
                   "from": "open", "to": "offered", "at": step}),
        );
    }

    for _ in 0..4 {
        let action = w.id();
        let action_kind = ACTION_KINDS.choose(w.rng).copied().unwrap();
        for _ in 0..w.rng.random_range(0..10) {
            let at = w.moment();
            let pupil = w.rng.random_bool(0.5);
            let (volunteer, signup) = if pupil {
                (Value::Null, w.id())
            } else {
                (json!(volunteers.choose(w.rng)), w.id())
            };
            let minor = pupil && w.rng.random_bool(0.7);
            w.emit(
                "needs.shift.checked_in",
                at,
                json!({"action_id": action, "kind": action_kind, "shift_id": Uuid::now_v7(),
                       "signup_id": signup, "volunteer_id": volunteer, "minor": minor,
                       "at": at}),
            );
        }
        for _ in 0..w.rng.random_range(0..6) {
            let at = w.moment();
            let measure = ["kilograms", "parcels", "people_served", "caps_kilograms"]
                .choose(w.rng)
                .copied()
                .unwrap();
            let amount: f64 = if measure.ends_with("kilograms") {
                f64::from(w.rng.random_range(0..40_000)) / 100.0
            } else {
                f64::from(w.rng.random_range(0..60))
            };
            w.emit(
                "needs.tally.recorded",
                at,
                json!({"tally_id": Uuid::now_v7(), "action_id": action, "kind": action_kind,
                       "shift_id": null, "measure": measure, "amount": amount, "at": at}),
            );
        }
    }

    for _ in 0..w.rng.random_range(0..10) {
        let at = w.moment();
        let (sent, failed) = (w.rng.random_range(0..40), w.rng.random_range(0..4));
        w.emit(
            "notifications.deliveries.recorded",
            at + Duration::seconds(30),
            json!({"sent": sent, "failed": failed, "at": at}),
        );
    }
    for _ in 0..3 {
        let at = w.moment();
        w.emit(
            "email.requested",
            at,
            json!({"template": "offer", "to": "x@example.pl"}),
        );
    }
    let at = w.moment();
    w.emit(
        "needs.need.opened",
        at,
        json!({"need_id": Uuid::now_v7(), "kind": "reading"}),
    );
    if let Some(last) = w.out.last_mut() {
        last.malformed = true;
    }

    let mut out = w.out;
    out.sort_by_key(|t| (t.event.created_at, t.event.id));
    out
}
