//! Assignments: a volunteer's part in a need from acceptance to the end — check-in and
//! check-out (or a coordinator's confirmation), hours sent to the volunteers service,
//! feedback from both sides, no-shows and cancellations. A volunteer sees the beneficiary's
//! address and phone only while the assignment is live; every such view is logged.

use chrono::{DateTime, Utc};
use lacznik_http::auth::{Bearer, Caller, Role, forbidden};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi, Tags};
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;

use super::needs::{change_status, restaff, schedule_of};
use super::offers::kind_name;
use super::{clean, request_email};
use crate::Deps;
use crate::domain::{AssignmentStatus, NeedStatus, Schedule};
use crate::events::{
    self, ASSIGNMENT_CANCELLED, ASSIGNMENT_COMPLETED, ASSIGNMENT_NO_SHOW, FEEDBACK_GIVEN,
    HOURS_LOGGED,
};
use crate::store::beneficiaries::{self, Read};
use crate::store::entity::{assignment, need};
use crate::store::{assignments, needs};

#[derive(Tags)]
enum Tag {
    /// Przydziały (assignments)
    Assignments,
}

/// What a volunteer may know of the person they help.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct BeneficiaryForVolunteer {
    pub first_name: String,
    pub district: Option<String>,
    /// Only while the assignment is live.
    pub street_address: Option<String>,
    /// Only while the assignment is live.
    pub phone: Option<String>,
    /// Need-to-know note, only while the assignment is live.
    pub note: Option<String>,
}

/// An assignment.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct AssignmentView {
    pub id: uuid::Uuid,
    pub need_id: uuid::Uuid,
    pub volunteer_id: uuid::Uuid,
    pub title: String,
    pub kind: String,
    pub kind_name: String,
    pub when_text: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A long-term pairing with visits.
    pub recurring: bool,
    pub status: AssignmentStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_out_at: Option<DateTime<Utc>>,
    pub minutes: Option<i32>,
    pub volunteer_rating: Option<i16>,
    pub volunteer_feedback: Option<String>,
    pub beneficiary_rating: Option<i16>,
    pub beneficiary_feedback: Option<String>,
    pub end_reason: Option<String>,
    pub safety_info: Option<String>,
    /// For the volunteer; coordinators read the record itself.
    pub beneficiary: Option<BeneficiaryForVolunteer>,
    /// Where, when the help is not at the beneficiary's home.
    pub street_address: Option<String>,
}

/// Time actually worked.
#[derive(Debug, Object)]
pub struct CompletionInput {
    /// Default: from check-in to check-out, or the planned time.
    pub minutes: Option<i32>,
}

/// Why an assignment ends early.
#[derive(Debug, Object)]
pub struct ReasonInput {
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// Whose feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum FeedbackFrom {
    /// The volunteer, about the task.
    Volunteer,
    /// The beneficiary, recorded by a coordinator (usually after a phone call).
    Beneficiary,
}

/// Feedback after the help.
#[derive(Debug, Object)]
pub struct FeedbackInput {
    pub from: FeedbackFrom,
    /// 1 (bad) to 5 (very good).
    pub rating: i16,
    #[oai(validator(max_length = 2000))]
    pub comment: Option<String>,
}

/// The assignment's booking ids in the volunteers service that still hold time: the
/// assignment itself (one-off) or its planned visits (pairing).
pub(crate) async fn live_bookings(
    txn: &TenantTxn,
    a: &assignment::Model,
) -> Result<Vec<uuid::Uuid>, Problem> {
    let visits = assignments::visits(txn, a.id).await?;
    if visits.is_empty() {
        return Ok(vec![a.id]);
    }
    Ok(visits
        .into_iter()
        .filter(|v| v.status == "planned")
        .map(|v| v.id)
        .collect())
}

/// Frees the volunteer's booked time in the volunteers service. A booking already freed or
/// completed there is fine; an unreachable service is a 503 and nothing changes here.
pub(crate) async fn free_bookings(
    deps: &Deps,
    office: &TenantContext,
    volunteer: uuid::Uuid,
    bookings: &[uuid::Uuid],
) -> Result<(), Problem> {
    for booking in bookings {
        match deps.volunteers.cancel(office, volunteer, *booking).await {
            Ok(()) => {}
            Err(p) if p.code == "assignment_not_booked" || p.code == "volunteer_not_found" => {}
            Err(p) if p.status.as_u16() == 404 => {}
            Err(p) => return Err(p),
        }
    }
    Ok(())
}

/// Records that an assignment ended early (`Cancelled` or `NoShow`) after its bookings were
/// freed: planned visits are cancelled, the volunteer is told when the office cancelled.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn mark_released(
    txn: &TenantTxn,
    n: &need::Model,
    a: assignment::Model,
    to: AssignmentStatus,
    reason_code: &str,
    reason: Option<String>,
    tell: Option<&crate::volunteers::Contact>,
) -> Result<assignment::Model, Problem> {
    for visit in assignments::visits(txn, a.id).await? {
        if visit.status == "planned" {
            let mut row = visit.into_active_model();
            row.status = Set("cancelled".to_owned());
            assignments::save_visit(txn, row).await?;
        }
    }
    let mut row = a.into_active_model();
    row.status = Set(to.as_str().to_owned());
    row.end_reason = Set(reason.clone());
    let ended = assignments::save(txn, row).await?;
    let topic = if to == AssignmentStatus::NoShow {
        ASSIGNMENT_NO_SHOW
    } else {
        ASSIGNMENT_CANCELLED
    };
    events::emit(
        txn,
        topic,
        serde_json::json!({
            "assignment_id": ended.id,
            "need_id": n.id,
            "volunteer_id": ended.volunteer_id,
            "kind": n.kind,
            "reason": reason_code,
            "starts_at": ended.starts_at,
            "ends_at": ended.ends_at,
        }),
    )
    .await?;
    if let Some(contact) = tell {
        request_email(
            txn,
            "assignment_cancelled",
            (
                &contact.email,
                &format!("{} {}", contact.first_name, contact.last_name),
            ),
            String::new(),
            None,
            serde_json::json!({
                "first_name": contact.first_name,
                "assignment_id": ended.id,
                "need_title": n.title,
                "when": schedule_of(n).as_ref().map(Schedule::describe),
                "starts_at": ended.starts_at,
                "ends_at": ended.ends_at,
                "reason": reason,
            }),
        )
        .await?;
    }
    Ok(ended)
}

/// The assignment as `caller` may see it; a volunteer's view of the beneficiary is logged.
pub(crate) async fn view(
    txn: &TenantTxn,
    caller: &Caller,
    a: assignment::Model,
    n: &need::Model,
) -> Result<AssignmentView, Problem> {
    let status = AssignmentStatus::parse(&a.status);
    let recurring = n.weekly.is_some();
    let beneficiary = match (n.beneficiary_id, caller.is(Role::Coordinator)) {
        (Some(id), false) => {
            let live = status.is_live() && Utc::now() < a.ends_at;
            beneficiaries::log_reads(
                txn,
                &[id],
                &Read {
                    reader: a.volunteer_id,
                    role: "volunteer",
                    purpose: &format!("przydział {}", a.id),
                    view: if live { "contact" } else { "first_name" },
                },
            )
            .await?;
            beneficiaries::get(txn, id)
                .await?
                .filter(|b| b.anonymised_at.is_none())
                .map(|b| BeneficiaryForVolunteer {
                    first_name: b.first_name,
                    district: b.district,
                    street_address: b.street_address.filter(|_| live),
                    phone: b.phone.filter(|_| live),
                    note: b.note.filter(|_| live),
                })
        }
        _ => None,
    };
    Ok(AssignmentView {
        id: a.id,
        need_id: a.need_id,
        volunteer_id: a.volunteer_id,
        title: n.title.clone(),
        kind: n.kind.clone(),
        kind_name: kind_name(&n.kind),
        when_text: schedule_of(n)
            .as_ref()
            .map(Schedule::describe)
            .unwrap_or_default(),
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        recurring,
        status,
        checked_in_at: a.checked_in_at,
        checked_out_at: a.checked_out_at,
        minutes: a.minutes,
        volunteer_rating: a.volunteer_rating,
        volunteer_feedback: a.volunteer_feedback,
        beneficiary_rating: a.beneficiary_rating,
        beneficiary_feedback: a.beneficiary_feedback,
        end_reason: a.end_reason,
        safety_info: n.safety_info.clone(),
        beneficiary,
        street_address: n.street_address.clone(),
    })
}

/// The assignment and its need, if the caller is a coordinator or the assigned volunteer.
pub(crate) async fn open(
    txn: &TenantTxn,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<(assignment::Model, need::Model), Problem> {
    let a = assignments::get(txn, id)
        .await?
        .ok_or_else(|| Problem::not_found("Przydział"))?;
    if !caller.is(Role::Coordinator) && caller.own_volunteer() != Some(a.volunteer_id) {
        return Err(Problem::not_found("Przydział"));
    }
    let n = super::needs::require(txn, a.need_id).await?;
    Ok((a, n))
}

/// How early before the start a volunteer may check in.
const CHECK_IN_EARLY_HOURS: i64 = 2;

fn not_live() -> Problem {
    Problem::conflict(
        "assignment_not_live",
        "Ten przydział jest już zakończony albo odwołany.",
    )
}

fn pairing_uses_visits() -> Problem {
    Problem::conflict(
        "pairing_uses_visits",
        "W stałej parze zapisuje się wizyty (/visits), a nie wejście i wyjście.",
    )
}

/// Ends the need when every assignment filling a place is completed.
async fn maybe_fulfilled(
    txn: &TenantTxn,
    n: need::Model,
    by: Option<uuid::Uuid>,
) -> Result<(), Problem> {
    let all = assignments::for_need(txn, n.id).await?;
    let filling: Vec<_> = all
        .iter()
        .map(|a| AssignmentStatus::parse(&a.status))
        .filter(|s| s.fills_a_place())
        .collect();
    let wanted = usize::try_from(n.wanted).unwrap_or(1);
    if filling.len() >= wanted && filling.iter().all(|s| *s == AssignmentStatus::Completed) {
        change_status(txn, n, NeedStatus::Fulfilled, by, None).await?;
    }
    Ok(())
}

pub struct AssignmentsApi;

#[OpenApi(prefix_path = "/api/v1/needs", tag = "Tag::Assignments")]
impl AssignmentsApi {
    /// Coordinators: the need's assignments.
    #[oai(
        path = "/:id/assignments",
        method = "get",
        operation_id = "need_assignments"
    )]
    async fn for_need(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Vec<AssignmentView>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let n = super::needs::require(&txn, id.0).await?;
        let mut out = Vec::new();
        for a in assignments::for_need(&txn, n.id).await? {
            out.push(view(&txn, &auth.0, a, &n).await?);
        }
        txn.commit().await?;
        Ok(Json(out))
    }

    /// Volunteers: their assignments, soonest first.
    #[oai(
        path = "/my/assignments",
        method = "get",
        operation_id = "my_assignments"
    )]
    async fn mine(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<AssignmentView>>, Problem> {
        let me = auth.0.own_volunteer().ok_or_else(forbidden)?;
        let txn = db.begin(tenant.id).await?;
        let mut out = Vec::new();
        for a in assignments::for_volunteer(&txn, me).await? {
            let n = super::needs::require(&txn, a.need_id).await?;
            out.push(view(&txn, &auth.0, a, &n).await?);
        }
        txn.commit().await?;
        Ok(Json(out))
    }

    /// Coordinators or the assigned volunteer: one assignment.
    #[oai(
        path = "/assignments/:id",
        method = "get",
        operation_id = "get_assignment"
    )]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<AssignmentView>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let (a, n) = open(&txn, &auth.0, id.0).await?;
        let shown = view(&txn, &auth.0, a, &n).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }

    /// The volunteer (or a coordinator) on arrival.
    #[oai(
        path = "/assignments/:id/check-in",
        method = "post",
        operation_id = "check_in"
    )]
    async fn check_in(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<AssignmentView>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let (a, n) = open(&txn, &auth.0, id.0).await?;
        if n.weekly.is_some() {
            return Err(pairing_uses_visits());
        }
        if AssignmentStatus::parse(&a.status) != AssignmentStatus::Confirmed {
            return Err(Problem::conflict(
                "not_checkable",
                "Wejście można zapisać tylko dla potwierdzonego przydziału.",
            ));
        }
        if Utc::now() < a.starts_at - chrono::Duration::hours(CHECK_IN_EARLY_HOURS) {
            return Err(Problem::conflict(
                "too_early",
                "Wejście można zapisać najwcześniej dwie godziny przed początkiem.",
            ));
        }
        let mut row = a.into_active_model();
        row.status = Set(AssignmentStatus::InProgress.as_str().to_owned());
        row.checked_in_at = Set(Some(Utc::now()));
        let checked = assignments::save(&txn, row).await?;
        let n = needs::lock(&txn, n.id)
            .await?
            .ok_or_else(|| Problem::not_found("Potrzeba"))?;
        let n = if matches!(
            NeedStatus::parse(&n.status),
            NeedStatus::Assigned | NeedStatus::Offered | NeedStatus::Open
        ) {
            change_status(
                &txn,
                n,
                NeedStatus::InProgress,
                Some(auth.0.user_id()),
                None,
            )
            .await?
        } else {
            n
        };
        let shown = view(&txn, &auth.0, checked, &n).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }

    /// The volunteer (or a coordinator) on leaving: the assignment is done and its hours go
    /// to the volunteers service — approved when a coordinator checks out, waiting for
    /// approval when the volunteer does.
    #[oai(
        path = "/assignments/:id/check-out",
        method = "post",
        operation_id = "check_out"
    )]
    async fn check_out(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<CompletionInput>,
    ) -> Result<Json<AssignmentView>, Problem> {
        complete(&db, &deps, &tenant, &auth.0, id.0, body.minutes).await
    }

    /// Coordinators: confirms the work was done (with or without check-in); hours approved.
    #[oai(
        path = "/assignments/:id/completion",
        method = "post",
        operation_id = "complete_assignment"
    )]
    async fn completion(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<CompletionInput>,
    ) -> Result<Json<AssignmentView>, Problem> {
        auth.0.require_coordinator()?;
        complete(&db, &deps, &tenant, &auth.0, id.0, body.minutes).await
    }

    /// Coordinators: the volunteer did not come. Their time is freed, no hours, and (with
    /// auto-offer) the next candidate is asked.
    #[oai(
        path = "/assignments/:id/no-show",
        method = "post",
        operation_id = "no_show"
    )]
    async fn no_show(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<ReasonInput>,
    ) -> Result<Json<AssignmentView>, Problem> {
        auth.0.require_coordinator()?;
        end_early(
            &db,
            &deps,
            &tenant,
            &auth.0,
            id.0,
            AssignmentStatus::NoShow,
            clean(body.reason.as_deref()),
        )
        .await
    }

    /// Coordinators, or the volunteer themself: cancels the assignment; the time is free
    /// again and the need looks for someone else.
    #[oai(
        path = "/assignments/:id/cancellation",
        method = "post",
        operation_id = "cancel_assignment"
    )]
    async fn cancel(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<ReasonInput>,
    ) -> Result<Json<AssignmentView>, Problem> {
        end_early(
            &db,
            &deps,
            &tenant,
            &auth.0,
            id.0,
            AssignmentStatus::Cancelled,
            clean(body.reason.as_deref()),
        )
        .await
    }

    /// The volunteer about the task, or a coordinator recording the beneficiary's opinion.
    #[oai(
        path = "/assignments/:id/feedback",
        method = "post",
        operation_id = "give_feedback"
    )]
    async fn feedback(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<FeedbackInput>,
    ) -> Result<Json<AssignmentView>, Problem> {
        let input = body.0;
        let mut v = Validator::new();
        if !(1..=5).contains(&input.rating) {
            v.reject("rating", "Ocena od 1 do 5.");
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let (a, n) = open(&txn, &auth.0, id.0).await?;
        let coordinator = auth.0.is(Role::Coordinator);
        match input.from {
            FeedbackFrom::Volunteer if auth.0.own_volunteer() != Some(a.volunteer_id) => {
                return Err(forbidden());
            }
            FeedbackFrom::Beneficiary if !coordinator => return Err(forbidden()),
            _ => {}
        }
        if AssignmentStatus::parse(&a.status) == AssignmentStatus::Cancelled {
            return Err(not_live());
        }
        let comment = clean(input.comment.as_deref());
        let mut row = a.into_active_model();
        let from = match input.from {
            FeedbackFrom::Volunteer => {
                row.volunteer_rating = Set(Some(input.rating));
                row.volunteer_feedback = Set(comment);
                "volunteer"
            }
            FeedbackFrom::Beneficiary => {
                row.beneficiary_rating = Set(Some(input.rating));
                row.beneficiary_feedback = Set(comment);
                "beneficiary"
            }
        };
        let saved = assignments::save(&txn, row).await?;
        events::emit(
            &txn,
            FEEDBACK_GIVEN,
            serde_json::json!({
                "assignment_id": saved.id,
                "need_id": n.id,
                "kind": n.kind,
                "from": from,
                "rating": input.rating,
            }),
        )
        .await?;
        let shown = view(&txn, &auth.0, saved, &n).await?;
        txn.commit().await?;
        Ok(Json(shown))
    }
}

/// Completes a one-off assignment: hours to the volunteers service first (no transaction is
/// open here meanwhile), then the assignment and the need.
async fn complete(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    caller: &Caller,
    id: uuid::Uuid,
    minutes: Option<i32>,
) -> Result<Json<AssignmentView>, Problem> {
    let coordinator = caller.is(Role::Coordinator);
    let txn = db.begin(office.id).await?;
    let (a, n) = open(&txn, caller, id).await?;
    txn.commit().await?;
    if n.weekly.is_some() {
        return Err(pairing_uses_visits());
    }
    if !AssignmentStatus::parse(&a.status).is_live() {
        return Err(not_live());
    }
    let now = Utc::now();
    let worked = minutes.or_else(|| {
        let from = a.checked_in_at?;
        i32::try_from((now - from).num_minutes().clamp(1, 720)).ok()
    });
    let mut v = Validator::new();
    if let Some(m) = worked
        && !(1..=720).contains(&m)
    {
        v.reject("minutes", "Od 1 minuty do 12 godzin.");
    }
    v.finish()?;
    let confirmed_by = coordinator.then(|| caller.user_id());
    match deps
        .volunteers
        .complete(office, a.volunteer_id, a.id, worked, confirmed_by)
        .await
    {
        Ok(()) => {}
        // Completed there already (a retry after a failure here): carry on.
        Err(p) if p.code == "assignment_not_booked" => {}
        Err(p) => return Err(p),
    }
    let txn = db.begin(office.id).await?;
    let n = needs::lock(&txn, n.id)
        .await?
        .ok_or_else(|| Problem::not_found("Potrzeba"))?;
    let a = assignments::get(&txn, a.id)
        .await?
        .ok_or_else(|| Problem::not_found("Przydział"))?;
    if !AssignmentStatus::parse(&a.status).is_live() {
        return Err(not_live());
    }
    let planned = i32::try_from((a.ends_at - a.starts_at).num_minutes().min(720)).unwrap_or(720);
    let minutes = worked.unwrap_or(planned);
    let mut row = a.into_active_model();
    row.status = Set(AssignmentStatus::Completed.as_str().to_owned());
    row.checked_out_at = Set(Some(now));
    row.minutes = Set(Some(minutes));
    row.completed_by = Set(Some(caller.user_id()));
    let done = assignments::save(&txn, row).await?;
    events::emit(
        &txn,
        ASSIGNMENT_COMPLETED,
        serde_json::json!({
            "assignment_id": done.id,
            "need_id": n.id,
            "volunteer_id": done.volunteer_id,
            "kind": n.kind,
            "partner_id": n.partner_id,
            "beneficiary_id": n.beneficiary_id,
            "minutes": minutes,
            "completed_at": now,
        }),
    )
    .await?;
    events::emit(
        &txn,
        HOURS_LOGGED,
        serde_json::json!({
            "assignment_id": done.id,
            "volunteer_id": done.volunteer_id,
            "kind": n.kind,
            "minutes": minutes,
            "approved": coordinator,
        }),
    )
    .await?;
    let shown = view(&txn, caller, done, &n).await?;
    maybe_fulfilled(&txn, n, Some(caller.user_id())).await?;
    txn.commit().await?;
    Ok(Json(shown))
}

/// Cancels an assignment or records a no-show: the bookings are freed in the volunteers
/// service first, then the assignment and the need change here; with auto-offer the next
/// candidate is asked.
async fn end_early(
    db: &TenantDb,
    deps: &Deps,
    office: &TenantContext,
    caller: &Caller,
    id: uuid::Uuid,
    to: AssignmentStatus,
    reason: Option<String>,
) -> Result<Json<AssignmentView>, Problem> {
    let txn = db.begin(office.id).await?;
    let (a, _) = open(&txn, caller, id).await?;
    if !AssignmentStatus::parse(&a.status).is_live() {
        return Err(not_live());
    }
    let bookings = live_bookings(&txn, &a).await?;
    txn.commit().await?;
    let by_office = caller.is(Role::Coordinator);
    let contact = if by_office && to == AssignmentStatus::Cancelled {
        deps.volunteers
            .contacts(office, &[a.volunteer_id])
            .await?
            .into_iter()
            .next()
    } else {
        None
    };
    free_bookings(deps, office, a.volunteer_id, &bookings).await?;
    let txn = db.begin(office.id).await?;
    let n = needs::lock(&txn, a.need_id)
        .await?
        .ok_or_else(|| Problem::not_found("Potrzeba"))?;
    let a = assignments::get(&txn, id)
        .await?
        .ok_or_else(|| Problem::not_found("Przydział"))?;
    if !AssignmentStatus::parse(&a.status).is_live() {
        return Err(not_live());
    }
    let reason_code = match (to, by_office) {
        (AssignmentStatus::NoShow, _) => "no_show",
        (_, true) => "office",
        (_, false) => "volunteer",
    };
    let ended = mark_released(&txn, &n, a, to, reason_code, reason, contact.as_ref()).await?;
    let auto = n.auto_offer;
    let need_id = n.id;
    let n = restaff(&txn, n, Some(caller.user_id())).await?;
    let shown = view(&txn, caller, ended, &n).await?;
    txn.commit().await?;
    if auto {
        super::offers::offer_next(db, deps, office, need_id).await;
    }
    Ok(Json(shown))
}
