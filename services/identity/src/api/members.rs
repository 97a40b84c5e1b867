//! `/api/v1/identity/members`: who has which role in the office, and taking a role away.
//! Coordinators manage volunteers' accounts; a coordinator's role is taken away by a platform
//! admin (`/platform/offices/{slug}/members/…`).

use std::sync::Arc;

use lacznik_auth::Role;
use lacznik_http::auth::{Bearer, forbidden};
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::Scope;
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use uuid::Uuid;

use super::auth::client;
use super::platform::{office_by_slug, platform_admin};
use crate::domain::Identity;
use crate::store::users;

#[derive(Tags)]
enum Tag {
    /// Konta w ośrodku (accounts in the office)
    Members,
}

/// Someone's role in the office.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub volunteer_id: Option<Uuid>,
}

#[derive(ApiResponse)]
enum Revoked {
    /// The role was taken away; the person's sessions in the office have ended.
    #[oai(status = 204)]
    NoContent,
}

fn parse_role(raw: &str) -> Result<Role, Problem> {
    match Role::parse(raw) {
        Some(role @ (Role::Volunteer | Role::Coordinator)) => Ok(role),
        _ => Err(
            Problem::new(StatusCode::BAD_REQUEST, "invalid_role", "Nieznana rola")
                .with_detail("Rola w ośrodku to volunteer albo coordinator."),
        ),
    }
}

async fn take_away(
    identity: &Identity,
    office: &TenantContext,
    auth: &Bearer,
    req: &Request,
    user_id: Uuid,
    role: Role,
) -> Result<Revoked, Problem> {
    if identity
        .revoke_role(office, &auth.0, user_id, role, client(req))
        .await?
    {
        Ok(Revoked::NoContent)
    } else {
        Err(Problem::not_found("Ta rola tej osoby"))
    }
}

pub struct MembersApi;

#[OpenApi(prefix_path = "/api/v1/identity", tag = "Tag::Members")]
impl MembersApi {
    /// Coordinators: everyone with an account in this office and their roles.
    #[oai(path = "/members", method = "get", operation_id = "list_members")]
    async fn list(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
    ) -> Result<Json<Vec<MemberView>>, Problem> {
        let office = auth.0.require_coordinator()?;
        let txn = identity.db.begin(Scope::Office(office.id)).await?;
        let members = users::members(&*txn, office.id).await?;
        txn.commit().await?;
        Ok(Json(
            members
                .into_iter()
                .map(|m| MemberView {
                    user_id: m.user_id,
                    email: m.email,
                    display_name: m.display_name,
                    role: m.role.as_str().into(),
                    volunteer_id: m.volunteer_id,
                })
                .collect(),
        ))
    }

    /// Coordinators: takes the volunteer role away (the account can no longer sign in here).
    #[oai(
        path = "/members/:user_id/roles/:role",
        method = "delete",
        operation_id = "revoke_member_role"
    )]
    async fn revoke(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        user_id: Path<Uuid>,
        role: Path<String>,
    ) -> Result<Revoked, Problem> {
        let office = auth.0.require_coordinator()?.clone();
        let role = parse_role(&role)?;
        if role != Role::Volunteer {
            return Err(forbidden());
        }
        take_away(&identity, &office, &auth, req, user_id.0, role).await
    }

    /// Platform admins: takes any role in an office away, e.g. from a coordinator who left.
    #[oai(
        path = "/platform/offices/:slug/members/:user_id/roles/:role",
        method = "delete",
        operation_id = "revoke_office_role"
    )]
    async fn revoke_on_platform(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        slug: Path<String>,
        user_id: Path<Uuid>,
        role: Path<String>,
    ) -> Result<Revoked, Problem> {
        platform_admin(&auth.0)?;
        let role = parse_role(&role)?;
        let office = office_by_slug(&identity, &slug).await?;
        take_away(&identity, &office, &auth, req, user_id.0, role).await
    }
}
