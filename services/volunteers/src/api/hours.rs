//! Hours of work: logged when an assignment is completed, or reported by the volunteer and
//! approved by a coordinator; totals for any period.

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::auth::{Bearer, Role};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::VolunteerId;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::assignments::Assignment;
use super::volunteers::{may_access, open_own, parse_id, require_volunteer, store_problem, today};
use crate::store::assignments;
use crate::store::entity::{assignment, hours as row};
use crate::store::hours::{self, NewHours};

#[derive(Tags)]
enum Tag {
    /// Godziny (hours)
    Hours,
}

/// Hours worked on one day.
#[derive(Debug, Object)]
pub struct HoursInput {
    pub worked_on: NaiveDate,
    /// 1–720 (12 hours).
    pub minutes: i32,
    /// What was done, e.g. "pomoc przy zbiórce żywności w Biedronce na KSM".
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
}

/// A logged entry.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct HoursEntry {
    pub id: uuid::Uuid,
    pub assignment_id: Option<uuid::Uuid>,
    pub worked_on: NaiveDate,
    pub minutes: i32,
    pub description: Option<String>,
    /// `assignment` or `self_reported`.
    pub source: String,
    /// `approved`, `pending` or `rejected`.
    pub status: String,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<row::Model> for HoursEntry {
    fn from(m: row::Model) -> Self {
        Self {
            id: m.id,
            assignment_id: m.assignment_id,
            worked_on: m.worked_on,
            minutes: m.minutes,
            description: m.description,
            source: m.source,
            status: m.status,
            decided_at: m.decided_at,
        }
    }
}

/// Entries and totals for a period.
#[derive(Debug, Object, serde::Deserialize)]
pub struct HoursReport {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub entries: Vec<HoursEntry>,
    pub approved_minutes: i64,
    pub pending_minutes: i64,
    /// Approved time in hours, the Polish way, e.g. "12,5".
    pub approved_hours: String,
}

/// A coordinator's decision on reported hours.
#[derive(Debug, Object)]
pub struct Decision {
    pub approved: bool,
}

/// How long a completed assignment took, if not as planned.
#[derive(Debug, Object)]
pub struct Completion {
    /// Default: the planned duration.
    pub minutes: Option<i32>,
}

#[derive(ApiResponse)]
enum Logged {
    /// Logged (approved when a coordinator logs them, pending when the volunteer does).
    #[oai(status = 201)]
    Created(Json<HoursEntry>),
}

/// Minutes as hours with a decimal comma.
pub fn polish_hours(minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

fn check_minutes(v: &mut Validator, minutes: i32) {
    if !(1..=720).contains(&minutes) {
        v.reject("minutes", "Od 1 do 720 minut (12 godzin) dziennie.");
    }
}

pub struct HoursApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Hours")]
impl HoursApi {
    /// Logs hours: a volunteer's report waits for a coordinator; a coordinator's is approved.
    #[oai(path = "/:id/hours", method = "post", operation_id = "log_hours")]
    async fn log(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<HoursInput>,
    ) -> Result<Logged, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let mut v = Validator::new();
        check_minutes(&mut v, body.minutes);
        if body.worked_on > today() {
            v.reject("worked_on", "Nie można zgłosić godzin z przyszłości.");
        }
        v.finish()?;
        let coordinator = auth.0.is(Role::Coordinator);
        let txn = db.begin(tenant.id).await?;
        require_volunteer(&txn, id).await?;
        let logged = hours::log(
            &txn,
            id,
            NewHours {
                assignment_id: None,
                worked_on: body.worked_on,
                minutes: body.minutes,
                description: body
                    .description
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned),
                source: hours::SELF_REPORTED,
                approved_by: coordinator.then(|| auth.0.user_id()),
            },
        )
        .await
        .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Logged::Created(Json(logged.into())))
    }

    /// Hours of a volunteer in a period (both ends inclusive, either optional) with totals.
    #[oai(path = "/:id/hours", method = "get", operation_id = "list_hours")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> Result<Json<HoursReport>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let entries = hours::list(&txn, id, from.0, to.0)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        let sum = |status: &str| {
            entries
                .iter()
                .filter(|e| e.status == status)
                .map(|e| i64::from(e.minutes))
                .sum::<i64>()
        };
        let approved = sum(hours::APPROVED);
        Ok(Json(HoursReport {
            from: from.0,
            to: to.0,
            approved_minutes: approved,
            pending_minutes: sum(hours::PENDING),
            approved_hours: polish_hours(approved),
            entries: entries.into_iter().map(HoursEntry::from).collect(),
        }))
    }

    /// Coordinators: approves or rejects reported hours.
    #[oai(
        path = "/:id/hours/:entry/decision",
        method = "post",
        operation_id = "decide_hours"
    )]
    async fn decide(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        entry: Path<uuid::Uuid>,
        body: Json<Decision>,
    ) -> Result<Json<HoursEntry>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let found = hours::list(&txn, id, None, None)
            .await
            .map_err(store_problem)?
            .into_iter()
            .find(|e| e.id == entry.0)
            .ok_or_else(|| Problem::not_found("Wpis godzin"))?;
        if found.status != hours::PENDING {
            return Err(Problem::conflict(
                "hours_already_decided",
                "Te godziny zostały już zatwierdzone albo odrzucone.",
            ));
        }
        let decided = hours::decide(&txn, found.id, body.approved, auth.0.user_id())
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(decided.into()))
    }

    /// Coordinators (and the needs service on completion): marks an assignment done and logs
    /// its hours, approved.
    #[oai(
        path = "/:id/assignments/:assignment/completion",
        method = "post",
        operation_id = "complete_assignment"
    )]
    async fn complete(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        assignment: Path<uuid::Uuid>,
        body: Json<Completion>,
    ) -> Result<Json<Assignment>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let done =
            complete_in(&txn, id, assignment.0, body.minutes, Some(auth.0.user_id())).await?;
        txn.commit().await?;
        Ok(Json(done.into()))
    }
}

/// Marks a booked assignment done in `txn` and logs its hours, approved (by default the
/// planned time, at most 12 hours).
pub(crate) async fn complete_in(
    txn: &TenantTxn,
    id: VolunteerId,
    assignment: uuid::Uuid,
    minutes: Option<i32>,
    by: Option<uuid::Uuid>,
) -> Result<assignment::Model, Problem> {
    let found = assignments::get(txn, id, assignment)
        .await
        .map_err(store_problem)?
        .ok_or_else(|| Problem::not_found("Przydział"))?;
    if found.status != assignments::BOOKED {
        return Err(Problem::conflict(
            "assignment_not_booked",
            "Zakończyć można tylko zaplanowany przydział.",
        ));
    }
    let planned = (found.ends_at - found.starts_at).num_minutes();
    let minutes = minutes.unwrap_or_else(|| i32::try_from(planned.min(720)).unwrap_or(720));
    let mut v = Validator::new();
    check_minutes(&mut v, minutes);
    v.finish()?;
    let done = assignments::set_status(txn, found.id, assignments::COMPLETED)
        .await
        .map_err(store_problem)?;
    hours::log(
        txn,
        id,
        NewHours {
            assignment_id: Some(found.id),
            worked_on: crate::domain::local_time::warsaw(found.starts_at).date(),
            minutes,
            description: Some(found.title.clone()),
            source: hours::FROM_ASSIGNMENT,
            approved_by: by,
        },
    )
    .await
    .map_err(store_problem)?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_read_the_polish_way() {
        assert_eq!(super::polish_hours(90), "1,5");
        assert_eq!(super::polish_hours(120), "2");
        assert_eq!(super::polish_hours(2550), "42,5");
        assert_eq!(super::polish_hours(0), "0");
    }
}
