//! `/api/v1/identity/platform/…`: onboarding and suspending offices, and inviting their first
//! coordinators. Only at the platform address, only for platform admins (regional admins may
//! list the offices of their voivodeship).

use std::sync::Arc;

use chrono::Utc;
use lacznik_auth::Role;
use lacznik_http::auth::{Bearer, forbidden};
use lacznik_http::{Caller, Problem, TenantContext};
use lacznik_tenancy::Scope;
use lacznik_types::TenantId;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::auth::client;
use super::invitations::{InvitationInput, Invited};
use crate::domain::{Identity, OfficeInput};
use crate::store::audit::{self, AuditEvent};
use crate::store::{self, StoreError, TenantRecord, TenantStatus};

#[derive(Tags)]
enum Tag {
    /// Platforma: ośrodki (platform: offices)
    Platform,
}

#[derive(ApiResponse)]
enum Onboarded {
    /// The office was registered and answers at `<slug>.<domain>` at once.
    #[oai(status = 201)]
    Created(Json<TenantRecord>),
}

/// Platform admins only, and only on the platform (a token for an office never qualifies).
pub(crate) fn platform_admin(caller: &Caller) -> Result<(), Problem> {
    if caller.office.is_some() {
        return Err(forbidden());
    }
    caller.require_any(&[Role::PlatformAdmin])
}

/// The office a platform call names by slug, or 404.
pub(crate) async fn office_by_slug(
    identity: &Identity,
    slug: &str,
) -> Result<TenantContext, Problem> {
    let record = store::find_by_slug(&identity.db.platform, slug)
        .await?
        .ok_or_else(|| Problem::not_found("Ośrodek"))?;
    Ok(TenantContext {
        id: TenantId::from_uuid(record.id),
        slug: record.slug,
    })
}

async fn audit_platform(
    identity: &Identity,
    caller: &Caller,
    kind: &'static str,
    detail: serde_json::Value,
    client_ip: Option<&str>,
) -> Result<(), Problem> {
    let txn = identity.db.begin(Scope::Platform).await?;
    audit::record(
        &txn,
        AuditEvent {
            kind,
            user_id: None,
            actor_id: Some(caller.user_id()),
            client_ip,
            detail,
        },
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub struct PlatformApi;

#[OpenApi(prefix_path = "/api/v1/identity/platform", tag = "Tag::Platform")]
impl PlatformApi {
    /// All offices (a regional admin sees those of their voivodeship).
    #[oai(path = "/offices", method = "get", operation_id = "list_offices")]
    async fn list(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
    ) -> Result<Json<Vec<TenantRecord>>, Problem> {
        let caller = &auth.0;
        if caller.office.is_some() {
            return Err(forbidden());
        }
        caller.require_any(&[Role::PlatformAdmin, Role::RegionalAdmin])?;
        let region = (!caller.is(Role::PlatformAdmin))
            .then(|| caller.claims.reg.clone())
            .flatten();
        let offices = store::list_tenants(&identity.db.platform).await?;
        Ok(Json(
            offices
                .into_iter()
                .filter(|o| region.as_ref().is_none_or(|r| &o.region_code == r))
                .collect(),
        ))
    }

    /// Onboards an office: names, address, region, population, hours, email sender.
    #[oai(path = "/offices", method = "post", operation_id = "onboard_office")]
    async fn create(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        body: Json<OfficeInput>,
    ) -> Result<Onboarded, Problem> {
        platform_admin(&auth.0)?;
        let new = body.0.validate()?;
        let record = match store::create_tenant(&identity.db.platform, new).await {
            Ok(record) => record,
            Err(StoreError::Taken(what)) => {
                return Err(Problem::conflict(
                    "office_taken",
                    format!("Ośrodek lub host „{what}” już istnieje."),
                ));
            }
            Err(StoreError::Db(error)) => return Err(error.into()),
        };
        audit_platform(
            &identity,
            &auth.0,
            "office_onboarded",
            serde_json::json!({ "office": record.slug }),
            client(req).ip,
        )
        .await?;
        Ok(Onboarded::Created(Json(record)))
    }

    /// Suspends an office: its traffic gets 403 at once (within the gateway's cache time);
    /// its data stays.
    #[oai(
        path = "/offices/:slug/suspend",
        method = "post",
        operation_id = "suspend_office"
    )]
    async fn suspend(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        slug: Path<String>,
    ) -> Result<Json<TenantRecord>, Problem> {
        self.set_status(&identity, &auth.0, req, &slug, TenantStatus::Suspended)
            .await
    }

    /// Lifts a suspension.
    #[oai(
        path = "/offices/:slug/activate",
        method = "post",
        operation_id = "activate_office"
    )]
    async fn activate(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        slug: Path<String>,
    ) -> Result<Json<TenantRecord>, Problem> {
        self.set_status(&identity, &auth.0, req, &slug, TenantStatus::Active)
            .await
    }

    /// Invites a coordinator to an office (its first one, or another).
    #[oai(
        path = "/offices/:slug/invitations",
        method = "post",
        operation_id = "invite_coordinator"
    )]
    async fn invite(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        slug: Path<String>,
        body: Json<InvitationInput>,
    ) -> Result<Invited, Problem> {
        platform_admin(&auth.0)?;
        let office = office_by_slug(&identity, &slug).await?;
        let invitation = identity
            .invite(
                &office,
                &auth.0,
                &body.email,
                Role::Coordinator,
                None,
                client(req),
            )
            .await?;
        Ok(Invited::Created(Json(invitation.into())))
    }
}

impl PlatformApi {
    async fn set_status(
        &self,
        identity: &Identity,
        caller: &Caller,
        req: &Request,
        slug: &str,
        status: TenantStatus,
    ) -> Result<Json<TenantRecord>, Problem> {
        platform_admin(caller)?;
        let record = store::set_status(&identity.db.platform, slug, status)
            .await?
            .ok_or_else(|| Problem::not_found("Ośrodek"))?;
        let kind = if status == TenantStatus::Suspended {
            "office_suspended"
        } else {
            "office_activated"
        };
        audit_platform(
            identity,
            caller,
            kind,
            serde_json::json!({ "office": record.slug }),
            client(req).ip,
        )
        .await?;
        Ok(Json(record))
    }
}
