//! Internal API for the notifications service: the office's needs still looking for
//! volunteers, for the weekly digest. Like the other services' internal APIs it is not routed
//! by the gateway; the office comes from the tenant headers and the query runs in that
//! office's transaction. Only what a digest shows: no beneficiary, no address.

use chrono::Utc;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::needs::schedule_of;
use super::offers::kind_name;
use crate::domain::{NeedStatus, Schedule};
use crate::store::needs;

/// A need as a digest lists it.
#[derive(Debug, Object)]
pub struct OpenNeed {
    pub id: uuid::Uuid,
    pub title: String,
    /// Kind of help (catalogue code) and its Polish name.
    pub kind: String,
    pub kind_name: String,
    pub district: Option<String>,
    /// When, in Polish ("sobota, 28 listopada 2026 r., 10:00–12:00").
    pub when: Option<String>,
    pub adults_only: bool,
    pub urgency: String,
}

pub struct InternalApi;

#[OpenApi(prefix_path = "/internal/v1/needs")]
impl InternalApi {
    /// Open (or offered) needs whose time has not passed, soonest first.
    #[oai(path = "/open", method = "get")]
    async fn open(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
    ) -> Result<Json<Vec<OpenNeed>>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let mut found = needs::in_statuses(&txn, &[NeedStatus::Open, NeedStatus::Offered]).await?;
        txn.commit().await?;
        let now = Utc::now();
        let today = lacznik_types::local_time::warsaw(now).date();
        found.retain(|n| match (n.starts_at, n.period_until) {
            (Some(starts_at), _) => starts_at > now,
            (None, Some(until)) => until >= today,
            _ => true,
        });
        found.sort_by_key(|n| (n.starts_at, n.period_from, n.id));
        Ok(Json(
            found
                .into_iter()
                .map(|n| OpenNeed {
                    when: schedule_of(&n).as_ref().map(Schedule::describe),
                    kind_name: kind_name(&n.kind),
                    id: n.id,
                    title: n.title,
                    kind: n.kind,
                    district: n.district,
                    adults_only: n.adults_only,
                    urgency: n.urgency,
                })
                .collect(),
        ))
    }
}
