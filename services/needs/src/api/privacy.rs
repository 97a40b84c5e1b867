//! `GET /api/v1/needs/volunteers/{id}/export`: everything the needs service keeps about a
//! volunteer — offers, assignments with their feedback, visits, shift sign-ups — for an access
//! request (art. 15 RODO), beside the volunteers service's own export.

use lacznik_http::auth::Bearer;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::store::actions::signup;
use crate::store::entity::{assignment, offer, visit};

#[derive(Tags)]
enum Tag {
    /// Ochrona danych (RODO)
    Privacy,
}

pub struct PrivacyApi;

#[OpenApi(prefix_path = "/api/v1/needs/volunteers", tag = "Tag::Privacy")]
impl PrivacyApi {
    /// Coordinators: every row of this service about the volunteer, as stored.
    #[oai(
        path = "/:id/export",
        method = "get",
        operation_id = "export_volunteer_needs"
    )]
    async fn export(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<serde_json::Value>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let office = txn.tenant().as_uuid();
        let offers = offer::Entity::find()
            .filter(offer::Column::TenantId.eq(office))
            .filter(offer::Column::VolunteerId.eq(id.0))
            .order_by_asc(offer::Column::OfferedAt)
            .into_json()
            .all(&*txn)
            .await?;
        let assignments = assignment::Entity::find()
            .filter(assignment::Column::TenantId.eq(office))
            .filter(assignment::Column::VolunteerId.eq(id.0))
            .order_by_asc(assignment::Column::StartsAt)
            .into_json()
            .all(&*txn)
            .await?;
        let ids: Vec<uuid::Uuid> = assignments
            .iter()
            .filter_map(|a| a["id"].as_str()?.parse().ok())
            .collect();
        let visits = visit::Entity::find()
            .filter(visit::Column::TenantId.eq(office))
            .filter(visit::Column::AssignmentId.is_in(ids))
            .order_by_asc(visit::Column::StartsAt)
            .into_json()
            .all(&*txn)
            .await?;
        let signups = signup::Entity::find()
            .filter(signup::Column::TenantId.eq(office))
            .filter(signup::Column::VolunteerId.eq(id.0))
            .into_json()
            .all(&*txn)
            .await?;
        txn.commit().await?;
        Ok(Json(serde_json::json!({
            "volunteer_id": id.0,
            "offers": offers,
            "need_assignments": assignments,
            "visits": visits,
            "shift_signups": signups,
        })))
    }
}
