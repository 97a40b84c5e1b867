//! Accident insurance (NNW): the office insures volunteers on short engagements (art. 46 ust. 1
//! pkt 4 of the Act, up to 30 days). Policies are recorded per volunteer, and for an action the
//! office gives the insurer the list of who takes part and whether they are covered.

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::VolunteerId;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::volunteers::{open_own, parse_id, require_volunteer, store_problem};
use crate::store::entity::insurance;
use crate::store::records::{self, NewPolicy};

#[derive(Tags)]
enum Tag {
    /// Ubezpieczenie NNW (accident insurance)
    Insurance,
}

/// A policy covering a volunteer.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Policy {
    #[oai(read_only)]
    pub id: uuid::Uuid,
    /// e.g. "PZU SA".
    #[oai(validator(max_length = 200))]
    pub insurer: String,
    #[oai(validator(max_length = 60))]
    pub policy_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    #[oai(read_only)]
    pub recorded_at: DateTime<Utc>,
}

impl From<insurance::Model> for Policy {
    fn from(m: insurance::Model) -> Self {
        Self {
            id: m.id,
            insurer: m.insurer,
            policy_number: m.policy_number,
            valid_from: m.valid_from,
            valid_until: m.valid_until,
            recorded_at: m.recorded_at,
        }
    }
}

/// Who takes part in an action, and when.
#[derive(Debug, Object)]
pub struct RosterInput {
    #[oai(validator(max_items = 2000))]
    pub volunteer_ids: Vec<uuid::Uuid>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One line of the list for the insurer.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct RosterLine {
    pub volunteer_id: uuid::Uuid,
    pub name: String,
    pub birth_date: NaiveDate,
    /// A policy covers every day of the action.
    pub insured: bool,
    pub insurer: Option<String>,
    pub policy_number: Option<String>,
}

#[derive(ApiResponse)]
enum Recorded {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Policy>),
}

pub struct InsuranceApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Insurance")]
impl InsuranceApi {
    /// Coordinators: records a policy covering the volunteer.
    #[oai(
        path = "/:id/insurance",
        method = "post",
        operation_id = "record_policy"
    )]
    async fn record(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<Policy>,
    ) -> Result<Recorded, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let mut v = Validator::new();
        if body.insurer.trim().is_empty() {
            v.reject("insurer", "Podaj ubezpieczyciela.");
        }
        if body.policy_number.trim().is_empty() {
            v.reject("policy_number", "Podaj numer polisy.");
        }
        if body.valid_until < body.valid_from {
            v.reject(
                "valid_until",
                "Koniec ochrony nie może być przed początkiem.",
            );
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        require_volunteer(&txn, id).await?;
        let recorded = records::record_policy(
            &txn,
            id,
            NewPolicy {
                insurer: body.insurer.trim().to_owned(),
                policy_number: body.policy_number.trim().to_owned(),
                valid_from: body.valid_from,
                valid_until: body.valid_until,
                recorded_by: auth.0.user_id(),
            },
        )
        .await
        .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Recorded::Created(Json(recorded.into())))
    }

    /// A volunteer's policies (coordinators, or the volunteer).
    #[oai(
        path = "/:id/insurance",
        method = "get",
        operation_id = "list_policies"
    )]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<Policy>>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let list = records::policies(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(list.into_iter().map(Policy::from).collect()))
    }

    /// Coordinators: the list for the insurer — each participant of an action with their
    /// birth date and the policy covering all its days, or none.
    #[oai(
        path = "/insurance/roster",
        method = "post",
        operation_id = "insurance_roster"
    )]
    async fn roster(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<RosterInput>,
    ) -> Result<Json<Vec<RosterLine>>, Problem> {
        auth.0.require_coordinator()?;
        let mut v = Validator::new();
        if body.to < body.from {
            v.reject("to", "Koniec nie może być przed początkiem.");
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let mut lines = Vec::new();
        for raw in &body.volunteer_ids {
            let id = VolunteerId::from_uuid(*raw);
            let volunteer = require_volunteer(&txn, id).await?;
            let covering = records::policies(&txn, id)
                .await
                .map_err(store_problem)?
                .into_iter()
                .find(|p| p.valid_from <= body.from && body.to <= p.valid_until);
            lines.push(RosterLine {
                volunteer_id: volunteer.id,
                name: format!("{} {}", volunteer.first_name, volunteer.last_name),
                birth_date: volunteer.birth_date,
                insured: covering.is_some(),
                insurer: covering.as_ref().map(|p| p.insurer.clone()),
                policy_number: covering.map(|p| p.policy_number),
            });
        }
        txn.commit().await?;
        Ok(Json(lines))
    }
}
