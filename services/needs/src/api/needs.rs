//! `/api/v1/needs`: requests for help — what kind, for whom (a beneficiary or a partner
//! institution), where, when (one visit, or weekly slots over a period), how many volunteers,
//! what they must bring (skills, languages, adults only, a child-protection check), how urgent,
//! and the safety information the volunteer must get (art. 45). A need goes draft → open →
//! offered → assigned → in progress → fulfilled, or is cancelled / expires; every step is kept
//! with who and when. Its candidates come from the volunteers service's matching.

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::catalogue;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use sea_orm::ActiveValue::{NotSet, Set};

use super::{beneficiaries, clean};
use crate::Deps;
use crate::domain::{AssignmentStatus, NeedStatus, OfferStatus, Schedule, WeeklySlot};
use crate::events::{self, NEED_OPENED, NEED_STATUS_CHANGED};
use crate::store::entity::need;
use crate::store::{assignments, json_list, needs, offers, partners, to_json};

#[derive(Tags)]
enum Tag {
    /// Potrzeby (needs)
    Needs,
}

/// How soon help must come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    /// Within days.
    High,
    /// Today: e.g. a senior without heating in a frost.
    Critical,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    fn parse(raw: &str) -> Self {
        [Self::Low, Self::High, Self::Critical]
            .into_iter()
            .find(|u| u.as_str() == raw)
            .unwrap_or(Self::Normal)
    }
}

/// When: `starts_at` and `ends_at` for one visit, or `weekly` slots from `from` to `until`.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct When {
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Polish local time.
    #[oai(validator(max_items = 14))]
    pub weekly: Option<Vec<WeeklySlot>>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// A new need.
#[derive(Debug, Object)]
pub struct NeedInput {
    /// Kind of help (catalogue code, e.g. `shopping_household`).
    pub kind: String,
    /// e.g. "Zakupy dla pani Heleny".
    #[oai(validator(max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 4000))]
    pub description: String,
    pub beneficiary_id: Option<uuid::Uuid>,
    /// The partner institution posting the need.
    pub partner_id: Option<uuid::Uuid>,
    /// District code of the office's town.
    #[oai(validator(max_length = 40))]
    pub district: Option<String>,
    /// Where, when the help is not at the beneficiary's home (e.g. a school).
    #[oai(validator(max_length = 200))]
    pub street_address: Option<String>,
    pub when: When,
    /// Volunteers wanted (default 1).
    pub wanted: Option<u16>,
    #[oai(default, validator(max_items = 20))]
    pub skills: Vec<String>,
    #[oai(default, validator(max_items = 5))]
    pub languages: Vec<String>,
    #[oai(default)]
    pub adults_only: bool,
    /// Work with children: volunteers need valid KRK and register checks.
    #[oai(default)]
    pub child_check_required: bool,
    pub urgency: Option<Urgency>,
    /// What the volunteer must know about risks (art. 45), e.g. "pies w mieszkaniu".
    #[oai(validator(max_length = 2000))]
    pub safety_info: Option<String>,
    /// When an offer is declined or times out, offer the need to the next candidate.
    #[oai(default)]
    pub auto_offer: bool,
    /// Keep it as a draft instead of opening it at once.
    #[oai(default)]
    pub draft: bool,
}

/// A need as coordinators see it.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct NeedView {
    pub id: uuid::Uuid,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub beneficiary_id: Option<uuid::Uuid>,
    pub partner_id: Option<uuid::Uuid>,
    pub district: Option<String>,
    pub street_address: Option<String>,
    pub when: When,
    /// The schedule in Polish.
    pub when_text: String,
    pub wanted: u16,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub adults_only: bool,
    pub child_check_required: bool,
    pub urgency: Urgency,
    pub safety_info: Option<String>,
    pub auto_offer: bool,
    pub status: NeedStatus,
    /// Volunteers assigned (not cancelled).
    pub assigned: u32,
    /// Offers waiting for an answer.
    pub pending_offers: u32,
    pub created_at: DateTime<Utc>,
}

/// One step of a need's history.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct NeedStep {
    pub from: Option<NeedStatus>,
    pub to: NeedStatus,
    pub reason: Option<String>,
    pub changed_by: Option<uuid::Uuid>,
    pub changed_at: DateTime<Utc>,
}

/// Why a need is cancelled.
#[derive(Debug, Object)]
pub struct CancelInput {
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// One part of a candidate's score.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Reason {
    pub code: String,
    pub points: u32,
    pub detail: String,
}

/// An eligible volunteer, ranked by the volunteers service.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Candidate {
    pub volunteer_id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// How many a rule excluded.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Exclusion {
    pub code: String,
    pub description: String,
    pub count: u32,
}

/// A need's candidates.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Candidates {
    pub considered: u32,
    pub eligible: u32,
    /// Fewer eligible than wanted.
    pub short: bool,
    /// Best first; volunteers already offered this need or assigned to it are left out.
    pub ranked: Vec<Candidate>,
    pub excluded: Vec<Exclusion>,
    /// How many were left out because they already have an offer or an assignment here.
    #[serde(default)]
    pub already_asked: u32,
}

#[derive(ApiResponse)]
enum Created {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<NeedView>),
}

/// The need's schedule, as stored.
pub(crate) fn schedule_of(n: &need::Model) -> Option<Schedule> {
    match (
        n.starts_at,
        n.ends_at,
        &n.weekly,
        n.period_from,
        n.period_until,
    ) {
        (Some(starts_at), Some(ends_at), _, _, _) => Some(Schedule::Once { starts_at, ends_at }),
        (_, _, Some(weekly), Some(from), Some(until)) => Some(Schedule::Weekly {
            slots: json_list(weekly),
            from,
            until,
        }),
        _ => None,
    }
}

/// How many of the need's assignments take a place.
pub(crate) async fn filled(txn: &TenantTxn, need: uuid::Uuid) -> Result<usize, Problem> {
    Ok(assignments::for_need(txn, need)
        .await?
        .iter()
        .filter(|a| AssignmentStatus::parse(&a.status).fills_a_place())
        .count())
}

/// How many of the need's offers still wait for an answer.
pub(crate) async fn pending(txn: &TenantTxn, need: uuid::Uuid) -> Result<usize, Problem> {
    Ok(offers::for_need(txn, need)
        .await?
        .iter()
        .filter(|o| OfferStatus::parse(&o.status) == OfferStatus::Pending)
        .count())
}

/// The need as a coordinator sees it, with its staffing counted.
pub(crate) async fn view(txn: &TenantTxn, n: need::Model) -> Result<NeedView, Problem> {
    let assigned = filled(txn, n.id).await?;
    let pending = pending(txn, n.id).await?;
    Ok(view_counted(n, assigned, pending))
}

fn view_counted(n: need::Model, assigned: usize, pending: usize) -> NeedView {
    let when_text = schedule_of(&n).map(|s| s.describe()).unwrap_or_default();
    NeedView {
        id: n.id,
        kind: n.kind,
        title: n.title,
        description: n.description,
        beneficiary_id: n.beneficiary_id,
        partner_id: n.partner_id,
        district: n.district,
        street_address: n.street_address,
        when: When {
            starts_at: n.starts_at,
            ends_at: n.ends_at,
            weekly: n.weekly.as_deref().map(json_list),
            from: n.period_from,
            until: n.period_until,
        },
        when_text,
        wanted: u16::try_from(n.wanted).unwrap_or(1),
        skills: json_list(&n.skills),
        languages: json_list(&n.languages),
        adults_only: n.adults_only,
        child_check_required: n.child_check_required,
        urgency: Urgency::parse(&n.urgency),
        safety_info: n.safety_info,
        auto_offer: n.auto_offer,
        status: NeedStatus::parse(&n.status),
        assigned: u32::try_from(assigned).unwrap_or(u32::MAX),
        pending_offers: u32::try_from(pending).unwrap_or(u32::MAX),
        created_at: n.created_at,
    }
}

/// Checks the schedule: exactly one of a one-off time or weekly slots over a period.
fn parse_when(v: &mut Validator, when: &When, today: NaiveDate) -> Option<Schedule> {
    match (when.starts_at, when.ends_at, &when.weekly) {
        (Some(starts_at), Some(ends_at), None) => {
            if ends_at <= starts_at {
                v.reject("when.ends_at", "Koniec musi być później niż początek.");
                return None;
            }
            if ends_at - starts_at > chrono::Duration::days(31) {
                v.reject(
                    "when.ends_at",
                    "Jednorazowa pomoc trwa najwyżej miesiąc; dłuższą zaplanuj co tydzień.",
                );
                return None;
            }
            if ends_at <= Utc::now() {
                v.reject("when.ends_at", "Termin już minął.");
                return None;
            }
            Some(Schedule::Once { starts_at, ends_at })
        }
        (None, None, Some(slots)) => {
            let mut ok = true;
            if slots.is_empty() {
                v.reject("when.weekly", "Podaj co najmniej jeden dzień tygodnia.");
                ok = false;
            }
            for (i, slot) in slots.iter().enumerate() {
                if slot.times().is_none() {
                    v.reject(
                        &format!("when.weekly[{i}]"),
                        "Godziny jako GG:MM, koniec później niż początek.",
                    );
                    ok = false;
                }
            }
            let (Some(from), Some(until)) = (when.from, when.until) else {
                v.reject("when.until", "Podaj okres: od (from) i do (until).");
                return None;
            };
            if until < from {
                v.reject("when.until", "Koniec okresu nie może być przed początkiem.");
                ok = false;
            } else if (until - from).num_days() > 366 {
                v.reject("when.until", "Okres może trwać najwyżej rok.");
                ok = false;
            } else if until < today {
                v.reject("when.until", "Okres już minął.");
                ok = false;
            }
            let schedule = Schedule::Weekly {
                slots: slots.clone(),
                from,
                until,
            };
            if ok && crate::domain::occurrences(&schedule).is_empty() {
                v.reject(
                    "when.weekly",
                    "W tym okresie nie wypada żaden z podanych dni.",
                );
                ok = false;
            }
            ok.then_some(schedule)
        }
        _ => {
            v.reject(
                "when",
                "Podaj albo jednorazowy termin (starts_at i ends_at), albo dni tygodnia (weekly) z okresem.",
            );
            None
        }
    }
}

/// The volunteers service's matching input for the need.
pub(crate) fn criteria(n: &need::Model, limit: u32) -> serde_json::Value {
    serde_json::json!({
        "kind": n.kind,
        "skills": json_list::<String>(&n.skills),
        "languages": json_list::<String>(&n.languages),
        "district": n.district,
        "when": {
            "starts_at": n.starts_at,
            "ends_at": n.ends_at,
            "weekly": n.weekly.as_deref().map(json_list::<WeeklySlot>),
            "from": n.period_from,
            "until": n.period_until,
        },
        "adults_only": n.adults_only,
        "child_check_required": n.child_check_required,
        "wanted": n.wanted,
        "beneficiary_id": n.beneficiary_id,
        "limit": limit,
    })
}

/// 404 unless the need exists in this office.
pub(crate) async fn require(txn: &TenantTxn, id: uuid::Uuid) -> Result<need::Model, Problem> {
    needs::get(txn, id)
        .await?
        .ok_or_else(|| Problem::not_found("Potrzeba"))
}

/// Moves a need to `to`, recording the step and telling the outbox.
pub(crate) async fn change_status(
    txn: &TenantTxn,
    found: need::Model,
    to: NeedStatus,
    by: Option<uuid::Uuid>,
    reason: Option<String>,
) -> Result<need::Model, Problem> {
    let from = NeedStatus::parse(&found.status);
    if from == to {
        return Ok(found);
    }
    let changed = needs::set_status(txn, found, to, by, reason).await?;
    events::emit(
        txn,
        NEED_STATUS_CHANGED,
        serde_json::json!({
            "need_id": changed.id,
            "kind": changed.kind,
            "partner_id": changed.partner_id,
            "from": from.as_str(),
            "to": to.as_str(),
            "at": changed.updated_at,
        }),
    )
    .await?;
    if to == NeedStatus::Open && from == NeedStatus::Draft {
        events::emit(
            txn,
            NEED_OPENED,
            serde_json::json!({
                "need_id": changed.id,
                "kind": changed.kind,
                "district": changed.district,
                "urgency": changed.urgency,
                "wanted": changed.wanted,
                "partner_id": changed.partner_id,
                "has_beneficiary": changed.beneficiary_id.is_some(),
                "opened_at": changed.updated_at,
            }),
        )
        .await?;
    }
    Ok(changed)
}

/// Sets the need's status from its staffing (assigned / offered / open).
pub(crate) async fn restaff(
    txn: &TenantTxn,
    found: need::Model,
    by: Option<uuid::Uuid>,
) -> Result<need::Model, Problem> {
    let assigned = filled(txn, found.id).await?;
    let pending = pending(txn, found.id).await?;
    let wanted = usize::try_from(found.wanted).unwrap_or(1);
    let to = NeedStatus::parse(&found.status).staffing(assigned, wanted, pending);
    change_status(txn, found, to, by, None).await
}

pub struct NeedsApi;

#[OpenApi(prefix_path = "/api/v1/needs", tag = "Tag::Needs")]
impl NeedsApi {
    /// Coordinators: records a need and (unless `draft`) opens it.
    #[oai(path = "/", method = "post", operation_id = "create_need")]
    async fn create(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<NeedInput>,
    ) -> Result<Created, Problem> {
        auth.0.require_coordinator()?;
        let input = body.0;
        let mut v = Validator::new();
        if catalogue::kind_index(&input.kind).is_none() {
            v.reject("kind", "Nieznany rodzaj pomocy.");
        }
        let title = clean(Some(&input.title));
        if title.is_none() {
            v.reject("title", "Podaj krótki tytuł, np. „Zakupy dla pani Heleny”.");
        }
        let wanted = input.wanted.unwrap_or(1);
        if !(1..=50).contains(&wanted) {
            v.reject("wanted", "Od 1 do 50 wolontariuszy.");
        }
        for (i, skill) in input.skills.iter().enumerate() {
            if !catalogue::is_code(skill) {
                v.reject(&format!("skills[{i}]"), "Nieznana umiejętność.");
            }
        }
        for (i, language) in input.languages.iter().enumerate() {
            if !catalogue::is_language(language) {
                v.reject(&format!("languages[{i}]"), "Nieznany język.");
            }
        }
        let today = lacznik_types::local_time::warsaw(Utc::now()).date();
        let schedule = parse_when(&mut v, &input.when, today);
        let txn = db.begin(tenant.id).await?;
        if let Some(id) = input.beneficiary_id
            && beneficiaries::require(&txn, id).await.is_err()
        {
            v.reject("beneficiary_id", "Nieznany podopieczny.");
        }
        if let Some(id) = input.partner_id
            && partners::get(&txn, id).await?.is_none()
        {
            v.reject("partner_id", "Nieznana instytucja partnerska.");
        }
        if input.beneficiary_id.is_none() && input.partner_id.is_none() {
            v.reject(
                "beneficiary_id",
                "Wskaż podopiecznego albo instytucję, dla której jest pomoc.",
            );
        }
        v.finish()?;
        let Some(schedule) = schedule else {
            return Err(Problem::validation(Vec::new()));
        };
        let (starts_at, ends_at, weekly, from, until) = match &schedule {
            Schedule::Once { starts_at, ends_at } => {
                (Some(*starts_at), Some(*ends_at), None, None, None)
            }
            Schedule::Weekly { slots, from, until } => {
                (None, None, Some(to_json(slots)), Some(*from), Some(*until))
            }
        };
        let created = needs::insert(
            &txn,
            need::ActiveModel {
                tenant_id: NotSet,
                id: NotSet,
                kind: Set(input.kind),
                title: Set(title.unwrap_or_default()),
                description: Set(input.description.trim().to_owned()),
                beneficiary_id: Set(input.beneficiary_id),
                partner_id: Set(input.partner_id),
                district: Set(clean(input.district.as_deref())),
                street_address: Set(clean(input.street_address.as_deref())),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                weekly: Set(weekly),
                period_from: Set(from),
                period_until: Set(until),
                wanted: Set(i16::try_from(wanted).unwrap_or(1)),
                skills: Set(to_json(&input.skills)),
                languages: Set(to_json(&input.languages)),
                adults_only: Set(input.adults_only),
                child_check_required: Set(input.child_check_required),
                urgency: Set(input.urgency.unwrap_or(Urgency::Normal).as_str().to_owned()),
                safety_info: Set(clean(input.safety_info.as_deref())),
                auto_offer: Set(input.auto_offer),
                status: Set(NeedStatus::Draft.as_str().to_owned()),
                created_by: Set(auth.0.user_id()),
                created_at: NotSet,
                updated_at: NotSet,
            },
        )
        .await?;
        let created = if input.draft {
            created
        } else {
            change_status(
                &txn,
                created,
                NeedStatus::Open,
                Some(auth.0.user_id()),
                None,
            )
            .await?
        };
        let shown = view_counted(created, 0, 0);
        txn.commit().await?;
        Ok(Created::Created(Json(shown)))
    }

    /// Coordinators: the office's needs, newest first (optionally of one status).
    #[oai(path = "/", method = "get", operation_id = "list_needs")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        status: Query<Option<NeedStatus>>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Vec<NeedView>>, Problem> {
        auth.0.require_coordinator()?;
        let limit = u64::from(limit.0.unwrap_or(50).clamp(1, 200));
        let txn = db.begin(tenant.id).await?;
        let mut out = Vec::new();
        for n in needs::list(&txn, status.0, limit).await? {
            out.push(view(&txn, n).await?);
        }
        txn.commit().await?;
        Ok(Json(out))
    }

    /// Coordinators: one need with its staffing.
    #[oai(path = "/:id", method = "get", operation_id = "get_need")]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<NeedView>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let found = require(&txn, id.0).await?;
        let shown = view(&txn, found).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }

    /// Coordinators: opens a draft.
    #[oai(path = "/:id/opening", method = "post", operation_id = "open_need")]
    async fn open(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<NeedView>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let found = needs::lock(&txn, id.0)
            .await?
            .ok_or_else(|| Problem::not_found("Potrzeba"))?;
        if NeedStatus::parse(&found.status) != NeedStatus::Draft {
            return Err(Problem::conflict(
                "need_not_draft",
                "Otworzyć można tylko szkic.",
            ));
        }
        let opened =
            change_status(&txn, found, NeedStatus::Open, Some(auth.0.user_id()), None).await?;
        let shown = view(&txn, opened).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }

    /// Coordinators: cancels the need — pending offers are withdrawn, assigned volunteers are
    /// released (their time is free again) and told by email.
    #[oai(
        path = "/:id/cancellation",
        method = "post",
        operation_id = "cancel_need"
    )]
    async fn cancel(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<CancelInput>,
    ) -> Result<Json<NeedView>, Problem> {
        auth.0.require_coordinator()?;
        let reason = clean(body.reason.as_deref());
        let closed = || Problem::conflict("need_closed", "Ta potrzeba jest już zamknięta.");
        // The volunteers' time is freed first, with no transaction open here.
        let txn = db.begin(tenant.id).await?;
        let found = require(&txn, id.0).await?;
        if NeedStatus::parse(&found.status).is_closed() {
            return Err(closed());
        }
        let mut live = Vec::new();
        for a in assignments::for_need(&txn, found.id).await? {
            if AssignmentStatus::parse(&a.status).is_live() {
                let bookings = super::assignments::live_bookings(&txn, &a).await?;
                live.push((a.volunteer_id, bookings));
            }
        }
        txn.commit().await?;
        let volunteers: Vec<uuid::Uuid> = live.iter().map(|(v, _)| *v).collect();
        let contacts = if volunteers.is_empty() {
            Vec::new()
        } else {
            deps.volunteers.contacts(&tenant, &volunteers).await?
        };
        for (volunteer, bookings) in &live {
            super::assignments::free_bookings(&deps, &tenant, *volunteer, bookings).await?;
        }

        let txn = db.begin(tenant.id).await?;
        let found = needs::lock(&txn, id.0)
            .await?
            .ok_or_else(|| Problem::not_found("Potrzeba"))?;
        if NeedStatus::parse(&found.status).is_closed() {
            return Err(closed());
        }
        for offer in offers::for_need(&txn, found.id).await? {
            if OfferStatus::parse(&offer.status) == OfferStatus::Pending {
                offers::set_status(&txn, offer, OfferStatus::Withdrawn).await?;
            }
        }
        for a in assignments::for_need(&txn, found.id).await? {
            if AssignmentStatus::parse(&a.status).is_live() {
                let contact = contacts.iter().find(|c| c.id == a.volunteer_id);
                super::assignments::mark_released(
                    &txn,
                    &found,
                    a,
                    AssignmentStatus::Cancelled,
                    "need_cancelled",
                    reason.clone(),
                    contact,
                )
                .await?;
            }
        }
        let cancelled = change_status(
            &txn,
            found,
            NeedStatus::Cancelled,
            Some(auth.0.user_id()),
            reason,
        )
        .await?;
        let shown = view(&txn, cancelled).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }

    /// Coordinators: the need's statuses with who and when.
    #[oai(path = "/:id/history", method = "get", operation_id = "need_history")]
    async fn history(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Vec<NeedStep>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        require(&txn, id.0).await?;
        let steps = needs::history(&txn, id.0).await?;
        txn.commit().await?;
        Ok(Json(
            steps
                .into_iter()
                .map(|s| NeedStep {
                    from: s.from_status.as_deref().map(NeedStatus::parse),
                    to: NeedStatus::parse(&s.to_status),
                    reason: s.reason,
                    changed_by: s.changed_by,
                    changed_at: s.changed_at,
                })
                .collect(),
        ))
    }

    /// Coordinators: the need's candidates, ranked by the volunteers service, without those
    /// already asked.
    #[oai(
        path = "/:id/candidates",
        method = "get",
        operation_id = "need_candidates"
    )]
    async fn candidates(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Candidates>, Problem> {
        auth.0.require_coordinator()?;
        let limit = limit.0.unwrap_or(20).clamp(1, 100);
        let txn = db.begin(tenant.id).await?;
        let found = require(&txn, id.0).await?;
        let asked = asked(&txn, found.id).await?;
        txn.commit().await?;
        let ranked = deps
            .volunteers
            .matching(
                &tenant,
                &criteria(&found, (limit + asked.len() as u32).min(100)),
            )
            .await?;
        let mut result: Candidates = serde_json::from_value(ranked)
            .map_err(|e| Problem::internal(&format!("matching answer unreadable: {e}")))?;
        let before = result.ranked.len();
        result.ranked.retain(|c| !asked.contains(&c.volunteer_id));
        result.already_asked = u32::try_from(before - result.ranked.len()).unwrap_or(0);
        result.ranked.truncate(limit as usize);
        Ok(Json(result))
    }
}

/// Volunteers already offered the need or assigned to it.
pub(crate) async fn asked(txn: &TenantTxn, need: uuid::Uuid) -> Result<Vec<uuid::Uuid>, Problem> {
    let mut ids: Vec<uuid::Uuid> = offers::for_need(txn, need)
        .await?
        .into_iter()
        .map(|o| o.volunteer_id)
        .collect();
    ids.extend(
        assignments::for_need(txn, need)
            .await?
            .into_iter()
            .map(|a| a.volunteer_id),
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
