//! `/api/v1/volunteers/{id}/assignments`: the needs service (or a coordinator) books a volunteer
//! for a task here, and the booking is refused with a 409 problem naming the rule when the law
//! or the office's duty of care says no — see [`crate::domain::engagement`].

use chrono::{DateTime, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::VolunteerId;
use lacznik_types::catalogue;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::volunteers::{open_own, parse_id, require_volunteer, store_problem, today};
use crate::domain::engagement::{self, AgreementSpan, Facts, Proposed};
use crate::domain::{CheckKind, VolunteerStatus};
use crate::store::entity::{assignment, volunteer};
use crate::store::{self, agreements, assignments, checks, consents};

#[derive(Tags)]
enum Tag {
    /// Przydziały (assignments)
    Assignments,
}

/// A task to book the volunteer for.
#[derive(Debug, Object)]
pub struct AssignmentInput {
    /// The needs service's assignment id; a new one if absent.
    pub id: Option<uuid::Uuid>,
    pub need_id: Option<uuid::Uuid>,
    /// The person helped, for continuity in matching.
    pub beneficiary_id: Option<uuid::Uuid>,
    /// e.g. "Zakupy dla pani Heleny (Bocianek)".
    #[oai(validator(max_length = 200))]
    pub title: String,
    /// A kind of help from the catalogue.
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Work with children: needs valid KRK and register checks.
    #[oai(default)]
    pub child_related: bool,
    /// Adults only.
    #[oai(default)]
    pub adults_only: bool,
}

/// A booked assignment.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Assignment {
    pub id: uuid::Uuid,
    pub volunteer_id: uuid::Uuid,
    pub need_id: Option<uuid::Uuid>,
    pub beneficiary_id: Option<uuid::Uuid>,
    pub title: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub child_related: bool,
    pub adults_only: bool,
    /// `booked`, `completed` or `cancelled`.
    pub status: String,
}

impl From<assignment::Model> for Assignment {
    fn from(m: assignment::Model) -> Self {
        Self {
            id: m.id,
            volunteer_id: m.volunteer_id,
            need_id: m.need_id,
            beneficiary_id: m.beneficiary_id,
            title: m.title,
            kind: m.kind,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            child_related: m.child_related,
            adults_only: m.adults_only,
            status: m.status,
        }
    }
}

#[derive(ApiResponse)]
enum Booked {
    /// Booked.
    #[oai(status = 201)]
    Created(Json<Assignment>),
}

/// Everything the rules look at, read in the booking's transaction.
pub(crate) async fn facts(txn: &TenantTxn, volunteer: &volunteer::Model) -> Result<Facts, Problem> {
    let id = VolunteerId::from_uuid(volunteer.id);
    let checks = checks::list(txn, id)
        .await
        .map_err(store_problem)?
        .into_iter()
        .filter_map(|c| Some((CheckKind::parse(&c.kind)?, c.checked_on, c.valid_until)))
        .collect();
    let booked = assignments::list(txn, id)
        .await
        .map_err(store_problem)?
        .into_iter()
        .filter(|a| a.status != assignments::CANCELLED)
        .map(|a| (a.starts_at, a.ends_at))
        .collect();
    let agreements = agreements::list(txn, id)
        .await
        .map_err(store_problem)?
        .into_iter()
        .map(|a| AgreementSpan {
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            signed_on: a.signed_on,
        })
        .collect();
    let absences = crate::store::absences::list(txn, id)
        .await
        .map_err(store_problem)?
        .into_iter()
        .map(|a| (a.starts_on, a.ends_on))
        .collect();
    Ok(Facts {
        status: VolunteerStatus::parse(&volunteer.status),
        absences,
        birth_date: volunteer.birth_date,
        guardian_consent: consents::has_guardian_consent(txn, id)
            .await
            .map_err(store_problem)?,
        checks,
        booked,
        agreements,
    })
}

/// Books `input` for the volunteer in `txn` if every rule allows it (the caller commits).
pub(crate) async fn book_in(
    txn: &TenantTxn,
    id: VolunteerId,
    input: AssignmentInput,
    by: Option<uuid::Uuid>,
) -> Result<assignment::Model, Problem> {
    // Serialises bookings of one volunteer, so two at once cannot both pass the
    // double-booking check.
    store::lock(txn, id).await.map_err(store_problem)?;
    let volunteer = require_volunteer(txn, id).await?;
    let facts = facts(txn, &volunteer).await?;
    let proposed = Proposed {
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        child_related: input.child_related,
        adults_only: input.adults_only,
    };
    if let Err(refusal) = engagement::admit(&facts, &proposed, today()) {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            refusal.code(),
            "Nie można przydzielić",
        )
        .with_detail(refusal.detail()));
    }
    let assignment_id = input.id.unwrap_or_else(uuid::Uuid::now_v7);
    if assignments::get(txn, id, assignment_id)
        .await
        .map_err(store_problem)?
        .is_some()
    {
        return Err(Problem::conflict(
            "assignment_exists",
            "Ten przydział jest już zapisany.",
        ));
    }
    assignments::insert(
        txn,
        id,
        assignments::NewAssignment {
            id: assignment_id,
            need_id: input.need_id,
            beneficiary_id: input.beneficiary_id,
            title: input.title.trim().to_owned(),
            kind: input.kind,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            child_related: input.child_related,
            adults_only: input.adults_only,
            created_by: by,
        },
    )
    .await
    .map_err(store_problem)
}

/// Cancels a booked assignment in `txn` (the time is free again).
pub(crate) async fn cancel_in(
    txn: &TenantTxn,
    id: VolunteerId,
    assignment: uuid::Uuid,
) -> Result<assignment::Model, Problem> {
    let found = assignments::get(txn, id, assignment)
        .await
        .map_err(store_problem)?
        .ok_or_else(|| Problem::not_found("Przydział"))?;
    if found.status != assignments::BOOKED {
        return Err(Problem::conflict(
            "assignment_not_booked",
            "Można odwołać tylko zaplanowany przydział.",
        ));
    }
    assignments::set_status(txn, found.id, assignments::CANCELLED)
        .await
        .map_err(store_problem)
}

pub(crate) fn parse(input: &AssignmentInput) -> Result<(), Problem> {
    let mut v = Validator::new();
    if input.title.trim().is_empty() {
        v.reject("title", "Tytuł zadania jest wymagany.");
    }
    if catalogue::kind_index(&input.kind).is_none() {
        v.reject("kind", "Nieznany rodzaj pomocy.");
    }
    if input.ends_at <= input.starts_at {
        v.reject("ends_at", "Koniec musi być później niż początek.");
    }
    if input.ends_at - input.starts_at > chrono::Duration::days(366) {
        v.reject("ends_at", "Jeden przydział trwa najwyżej rok.");
    }
    v.finish()
}

pub struct AssignmentsApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Assignments")]
impl AssignmentsApi {
    /// Coordinators (and the needs service on their behalf): books the volunteer for a task if
    /// every rule allows it; otherwise 409 with the rule's code — `volunteer_not_active`,
    /// `adults_only`, `guardian_consent_missing`, `child_check_missing`, `volunteer_absent`,
    /// `double_booked` or
    /// `agreement_required` (the 30-day rule).
    #[oai(
        path = "/:id/assignments",
        method = "post",
        operation_id = "book_assignment"
    )]
    async fn book(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<AssignmentInput>,
    ) -> Result<Booked, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let input = body.0;
        parse(&input)?;
        let txn = db.begin(tenant.id).await?;
        let booked = book_in(&txn, id, input, Some(auth.0.user_id())).await?;
        txn.commit().await?;
        Ok(Booked::Created(Json(booked.into())))
    }

    /// A volunteer's assignments, earliest first (coordinators, or the volunteer).
    #[oai(
        path = "/:id/assignments",
        method = "get",
        operation_id = "list_assignments"
    )]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<Assignment>>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let list = assignments::list(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(list.into_iter().map(Assignment::from).collect()))
    }

    /// Coordinators: cancels a booked assignment (the time is free again).
    #[oai(
        path = "/:id/assignments/:assignment/cancellation",
        method = "post",
        operation_id = "cancel_assignment"
    )]
    async fn cancel(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        assignment: Path<uuid::Uuid>,
    ) -> Result<Json<Assignment>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let cancelled = cancel_in(&txn, id, assignment.0).await?;
        txn.commit().await?;
        Ok(Json(cancelled.into()))
    }
}
