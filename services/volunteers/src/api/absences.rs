//! `/api/v1/volunteers/{id}/absences`: exceptions to the weekly availability — holidays,
//! exams, illness. Kept by the volunteer or a coordinator; matching skips those days.

use chrono::NaiveDate;
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::volunteers::{may_access, open_own, parse_id, require_volunteer, store_problem};
use crate::store::absences;

#[derive(Tags)]
enum Tag {
    /// Nieobecności (absences)
    Absences,
}

/// Days away, both inclusive.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Absence {
    #[oai(read_only)]
    pub id: uuid::Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// e.g. "sesja egzaminacyjna".
    #[oai(validator(max_length = 200))]
    pub reason: Option<String>,
}

#[derive(ApiResponse)]
enum Added {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Absence>),
}

#[derive(ApiResponse)]
enum Removed {
    /// Removed.
    #[oai(status = 204)]
    NoContent,
}

fn view(m: crate::store::entity::absence::Model) -> Absence {
    Absence {
        id: m.id,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        reason: m.reason,
    }
}

pub struct AbsencesApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Absences")]
impl AbsencesApi {
    /// Records days away (the volunteer or a coordinator).
    #[oai(path = "/:id/absences", method = "post", operation_id = "add_absence")]
    async fn add(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<Absence>,
    ) -> Result<Added, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let mut v = Validator::new();
        if body.ends_on < body.starts_on {
            v.reject(
                "ends_on",
                "Koniec nieobecności nie może być przed początkiem.",
            );
        }
        if (body.ends_on - body.starts_on).num_days() > 366 {
            v.reject("ends_on", "Nieobecność może trwać najwyżej rok.");
        }
        v.finish()?;
        let reason = body
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        let txn = db.begin(tenant.id).await?;
        require_volunteer(&txn, id).await?;
        let added = absences::add(&txn, id, body.starts_on, body.ends_on, reason)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Added::Created(Json(view(added))))
    }

    /// A volunteer's absences.
    #[oai(path = "/:id/absences", method = "get", operation_id = "list_absences")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<Absence>>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let list = absences::list(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(list.into_iter().map(view).collect()))
    }

    /// Removes an absence.
    #[oai(
        path = "/:id/absences/:absence",
        method = "delete",
        operation_id = "remove_absence"
    )]
    async fn remove(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        absence: Path<uuid::Uuid>,
    ) -> Result<Removed, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let txn = db.begin(tenant.id).await?;
        let removed = absences::remove(&txn, id, absence.0)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        if removed {
            Ok(Removed::NoContent)
        } else {
            Err(Problem::not_found("Nieobecność"))
        }
    }
}
