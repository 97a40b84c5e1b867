//! `/api/v1/volunteers/{id}/export` and `/anonymisation`: a volunteer's right of access and
//! portability (everything held, as JSON) and right to erasure (anonymisation that keeps the
//! office's statistics).

use chrono::Utc;
use lacznik_http::auth::Bearer;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::volunteers::{Volunteer, open_own, parse_id, require_volunteer, store_problem};
use crate::domain::VolunteerStatus;
use crate::store::{self, erasure};

#[derive(Tags)]
enum Tag {
    /// Ochrona danych (RODO)
    Privacy,
}

/// Why the data is erased (kept in the status history).
#[derive(Debug, Object)]
pub struct ErasureInput {
    /// e.g. "wniosek wolontariusza z 20.11.2026 (art. 17 RODO)".
    #[oai(validator(max_length = 300))]
    pub reason: String,
}

pub struct PrivacyApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Privacy")]
impl PrivacyApi {
    /// Everything the office holds about a volunteer, table by table (coordinators, or the
    /// volunteer).
    #[oai(
        path = "/:id/export",
        method = "get",
        operation_id = "export_volunteer"
    )]
    async fn export(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<serde_json::Value>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let mut data = erasure::export(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        if let Some(map) = data.as_object_mut() {
            map.insert("exported_at".into(), serde_json::json!(Utc::now()));
        }
        Ok(Json(data))
    }

    /// Coordinators: erases the volunteer's personal data. The volunteer ends (if they had not),
    /// names, contacts, notes, absences, policies, the sign-up and guardians' data go; hours,
    /// assignment times, kinds of help and checks' dates stay for statistics, tied to no one.
    #[oai(
        path = "/:id/anonymisation",
        method = "post",
        operation_id = "anonymise_volunteer"
    )]
    async fn anonymise(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ErasureInput>,
    ) -> Result<Json<Volunteer>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        store::lock(&txn, id).await.map_err(store_problem)?;
        let volunteer = require_volunteer(&txn, id).await?;
        let reason = body.reason.trim();
        erase(
            &txn,
            &volunteer,
            if reason.is_empty() {
                "RODO art. 17"
            } else {
                reason
            },
            Some(auth.0.user_id()),
        )
        .await?;
        let after = require_volunteer(&txn, id).await?;
        txn.commit().await?;
        Ok(Json(Volunteer::for_caller(after, &auth.0)))
    }
}

/// Ends (if needed) and anonymises one volunteer, announcing it so their account goes too.
pub(crate) async fn erase(
    txn: &lacznik_tenancy::TenantTxn,
    volunteer: &crate::store::entity::volunteer::Model,
    reason: &str,
    by: Option<uuid::Uuid>,
) -> Result<(), Problem> {
    let id = lacznik_types::VolunteerId::from_uuid(volunteer.id);
    if VolunteerStatus::parse(&volunteer.status) != VolunteerStatus::Ended {
        store::change_status(txn, id, VolunteerStatus::Ended, Some(reason), by)
            .await
            .map_err(store_problem)?;
    }
    if erasure::anonymise(txn, volunteer, Utc::now())
        .await
        .map_err(store_problem)?
    {
        crate::events::publish(
            txn,
            crate::events::ANONYMISED,
            serde_json::json!({ "volunteer_id": volunteer.id }),
        )
        .await?;
    }
    Ok(())
}
