//! `/api/v1/volunteers/{id}/checks`: clearances for work with children (KRK certificate and
//! the sex-offender register), recorded by coordinators — never the document itself.

use chrono::{DateTime, Months, NaiveDate, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::volunteers::{may_access, parse_id, store_problem, today};
use crate::domain::{CheckKind, cleared_for_children};
use crate::store::{self, checks};

#[derive(Tags)]
enum Tag {
    /// Weryfikacja do pracy z dziećmi (checks for work with children)
    Checks,
}

/// A clearance to record.
#[derive(Debug, Object)]
pub struct CheckInput {
    pub kind: CheckKind,
    /// The day the certificate was seen or the register consulted (not in the future).
    pub checked_on: NaiveDate,
    /// Until when the office treats it as valid (default: one year after `checked_on`).
    pub valid_until: Option<NaiveDate>,
}

/// A recorded clearance.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct CheckView {
    pub id: uuid::Uuid,
    pub kind: CheckKind,
    pub checked_on: NaiveDate,
    pub valid_until: NaiveDate,
    /// The coordinator who checked.
    pub checked_by: uuid::Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A volunteer's clearances and what they add up to today.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Clearance {
    /// Both checks recorded and valid today: may take tasks with children.
    pub cleared_for_children: bool,
    pub checks: Vec<CheckView>,
}

#[derive(ApiResponse)]
enum Recorded {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Clearance>),
}

fn view(model: crate::store::entity::check::Model) -> Option<CheckView> {
    Some(CheckView {
        id: model.id,
        kind: CheckKind::parse(&model.kind)?,
        checked_on: model.checked_on,
        valid_until: model.valid_until,
        checked_by: model.checked_by,
        recorded_at: model.recorded_at,
    })
}

async fn clearance(
    txn: &lacznik_tenancy::TenantTxn,
    id: lacznik_types::VolunteerId,
) -> Result<Clearance, Problem> {
    let checks: Vec<CheckView> = checks::list(txn, id)
        .await
        .map_err(store_problem)?
        .into_iter()
        .filter_map(view)
        .collect();
    let spans: Vec<_> = checks
        .iter()
        .map(|c| (c.kind, c.checked_on, c.valid_until))
        .collect();
    Ok(Clearance {
        cleared_for_children: cleared_for_children(&spans, today()),
        checks,
    })
}

pub struct ChecksApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Checks")]
impl ChecksApi {
    /// Coordinators: records that a check came back clean. Only the fact, the day, the
    /// coordinator and the validity are kept — never the certificate or its content.
    #[oai(
        path = "/:id/checks",
        method = "post",
        operation_id = "record_volunteer_check"
    )]
    async fn record(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<CheckInput>,
    ) -> Result<Recorded, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let input = body.0;
        let valid_until = input
            .valid_until
            .or_else(|| input.checked_on.checked_add_months(Months::new(12)))
            .unwrap_or(input.checked_on);
        let mut v = Validator::new();
        if input.checked_on > today() {
            v.reject("checked_on", "Data sprawdzenia nie może być z przyszłości.");
        }
        if valid_until <= input.checked_on {
            v.reject(
                "valid_until",
                "Ważność musi kończyć się po dniu sprawdzenia.",
            );
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        if store::get(&txn, id).await.map_err(store_problem)?.is_none() {
            return Err(Problem::not_found("Wolontariusz"));
        }
        checks::record(
            &txn,
            id,
            checks::NewCheck {
                kind: input.kind,
                checked_on: input.checked_on,
                valid_until,
                checked_by: auth.0.user_id(),
            },
        )
        .await
        .map_err(store_problem)?;
        let clearance = clearance(&txn, id).await?;
        txn.commit().await?;
        Ok(Recorded::Created(Json(clearance)))
    }

    /// A volunteer's clearances and whether they may work with children today (coordinators,
    /// or the volunteer).
    #[oai(
        path = "/:id/checks",
        method = "get",
        operation_id = "list_volunteer_checks"
    )]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Clearance>, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let txn = db.begin(tenant.id).await?;
        if store::get(&txn, id).await.map_err(store_problem)?.is_none() {
            return Err(Problem::not_found("Wolontariusz"));
        }
        let clearance = clearance(&txn, id).await?;
        txn.commit().await?;
        Ok(Json(clearance))
    }
}
