//! Visits of long-term pairings (a volunteer and a senior, a tutor and a child): each planned
//! visit is booked in the volunteers service on its own, so the volunteer stays free between
//! them. The volunteer (or a coordinator) records each visit as done — its hours go to the
//! volunteers service — or missed; a missed visit or a worrying observation alerts the
//! coordinators by email at once.

use chrono::{DateTime, Utc};
use lacznik_http::auth::{Bearer, Role};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi, Tags};
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;

use super::assignments::open;
use super::needs::change_status;
use super::{clean, request_email};
use crate::Deps;
use crate::domain::{AssignmentStatus, NeedStatus};
use crate::events::{self, HOURS_LOGGED, VISIT_MISSED, VISIT_RECORDED};
use crate::store::entity::visit;
use crate::store::{assignments, needs};

#[derive(Tags)]
enum Tag {
    /// Wizyty w stałych parach (visits)
    Visits,
}

/// How a visit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Missed,
}

/// A visit's record.
#[derive(Debug, Object)]
pub struct VisitInput {
    pub outcome: Outcome,
    /// Time spent (default: the planned time).
    pub minutes: Option<i32>,
    /// e.g. "Pani Helena skarżyła się na zawroty głowy" (the office is alerted when `concern`).
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
    /// Something worrying: the coordinators are alerted at once.
    #[oai(default)]
    pub concern: bool,
}

/// A visit.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct VisitView {
    pub id: uuid::Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `planned`, `done`, `missed` or `cancelled`.
    pub status: String,
    pub minutes: Option<i32>,
    pub note: Option<String>,
    pub concern: bool,
    pub recorded_at: Option<DateTime<Utc>>,
}

impl From<visit::Model> for VisitView {
    fn from(m: visit::Model) -> Self {
        Self {
            id: m.id,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            status: m.status,
            minutes: m.minutes,
            note: m.note,
            concern: m.concern,
            recorded_at: m.recorded_at,
        }
    }
}

pub struct VisitsApi;

#[OpenApi(prefix_path = "/api/v1/needs/assignments", tag = "Tag::Visits")]
impl VisitsApi {
    /// Coordinators or the volunteer: the pairing's visits, earliest first.
    #[oai(path = "/:id/visits", method = "get", operation_id = "list_visits")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Vec<VisitView>>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let (a, _) = open(&txn, &auth.0, id.0).await?;
        let all = assignments::visits(&txn, a.id).await?;
        txn.commit().await?;
        Ok(Json(all.into_iter().map(VisitView::from).collect()))
    }

    /// The volunteer (or a coordinator): records a visit as done or missed.
    #[allow(clippy::too_many_arguments)] // a handler's extractors
    #[oai(
        path = "/:id/visits/:visit",
        method = "post",
        operation_id = "record_visit"
    )]
    async fn record(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&Deps>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        visit: Path<uuid::Uuid>,
        body: Json<VisitInput>,
    ) -> Result<Json<VisitView>, Problem> {
        let input = body.0;
        let mut v = Validator::new();
        if let Some(m) = input.minutes
            && !(1..=720).contains(&m)
        {
            v.reject("minutes", "Od 1 minuty do 12 godzin.");
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let (a, n) = open(&txn, &auth.0, id.0).await?;
        let planned = assignments::visits(&txn, a.id)
            .await?
            .into_iter()
            .find(|x| x.id == visit.0)
            .ok_or_else(|| Problem::not_found("Wizyta"))?;
        if planned.status != "planned" {
            return Err(Problem::conflict(
                "visit_recorded",
                "Ta wizyta jest już zapisana.",
            ));
        }
        if !AssignmentStatus::parse(&a.status).is_live() {
            return Err(Problem::conflict(
                "assignment_not_live",
                "Ta para jest już zakończona.",
            ));
        }
        if input.outcome == Outcome::Done && planned.starts_at > Utc::now() {
            return Err(Problem::conflict(
                "visit_in_future",
                "Wizytę można zapisać jako odbytą dopiero, gdy się zacznie.",
            ));
        }
        txn.commit().await?;

        let coordinator = auth.0.is(Role::Coordinator);
        let planned_minutes =
            i32::try_from((planned.ends_at - planned.starts_at).num_minutes().min(720))
                .unwrap_or(720);
        let minutes = input.minutes.unwrap_or(planned_minutes);
        let freed = match input.outcome {
            Outcome::Done => {
                deps.volunteers
                    .complete(
                        &tenant,
                        a.volunteer_id,
                        planned.id,
                        Some(minutes),
                        coordinator.then(|| auth.0.user_id()),
                    )
                    .await
            }
            Outcome::Missed => {
                deps.volunteers
                    .cancel(&tenant, a.volunteer_id, planned.id)
                    .await
            }
        };
        match freed {
            Ok(()) => {}
            Err(p) if p.code == "assignment_not_booked" => {}
            Err(p) => return Err(p),
        }

        let txn = db.begin(tenant.id).await?;
        let n = needs::lock(&txn, n.id)
            .await?
            .ok_or_else(|| Problem::not_found("Potrzeba"))?;
        let planned = assignments::visits(&txn, a.id)
            .await?
            .into_iter()
            .find(|x| x.id == visit.0 && x.status == "planned")
            .ok_or_else(|| Problem::conflict("visit_recorded", "Ta wizyta jest już zapisana."))?;
        let note = clean(input.note.as_deref());
        let mut row = planned.into_active_model();
        let done = input.outcome == Outcome::Done;
        row.status = Set(if done { "done" } else { "missed" }.to_owned());
        row.minutes = Set(done.then_some(minutes));
        row.note = Set(note);
        row.concern = Set(input.concern);
        row.recorded_by = Set(Some(auth.0.user_id()));
        row.recorded_at = Set(Some(Utc::now()));
        let saved = assignments::save_visit(&txn, row).await?;
        let payload = serde_json::json!({
            "visit_id": saved.id,
            "assignment_id": a.id,
            "need_id": n.id,
            "volunteer_id": a.volunteer_id,
            "kind": n.kind,
            "beneficiary_id": n.beneficiary_id,
            "starts_at": saved.starts_at,
            "minutes": saved.minutes,
            "concern": saved.concern,
        });
        events::emit(
            &txn,
            if done { VISIT_RECORDED } else { VISIT_MISSED },
            payload,
        )
        .await?;
        if done {
            events::emit(
                &txn,
                HOURS_LOGGED,
                serde_json::json!({
                    "assignment_id": a.id,
                    "visit_id": saved.id,
                    "volunteer_id": a.volunteer_id,
                    "kind": n.kind,
                    "minutes": minutes,
                    "approved": coordinator,
                }),
            )
            .await?;
            if AssignmentStatus::parse(&a.status) == AssignmentStatus::Confirmed {
                let mut row = a.clone().into_active_model();
                row.status = Set(AssignmentStatus::InProgress.as_str().to_owned());
                row.checked_in_at = Set(Some(saved.starts_at));
                assignments::save(&txn, row).await?;
            }
        }
        let n = if done && NeedStatus::parse(&n.status) == NeedStatus::Assigned {
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
        if !done || saved.concern {
            // The office's inbox is where coordinators are reached; the email says what
            // happened and where to look, not what the note says.
            let office = deps.offices.get(tenant.id, &tenant.slug).await?;
            request_email(
                &txn,
                "visit_alert",
                (&office.email, &office.name),
                String::new(),
                None,
                serde_json::json!({
                    "assignment_id": a.id,
                    "visit_id": saved.id,
                    "need_title": n.title,
                    "visit_starts_at": saved.starts_at,
                    "missed": !done,
                    "concern": saved.concern,
                }),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(Json(saved.into()))
    }
}
