//! `/api/v1/identity/invitations`: coordinators invite volunteers; anyone with a link accepts.
//! `/api/v1/identity/audit`: the office's security log, for its coordinators.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lacznik_auth::Role;
use lacznik_http::auth::Bearer;
use lacznik_http::tenant::Place;
use lacznik_http::{PageLimit, Problem};
use lacznik_tenancy::Scope;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use uuid::Uuid;

use super::auth::client;
use crate::domain::{Identity, TokenPair};
use crate::store::audit::{self, AuditEntry};
use crate::store::links;

#[derive(Tags)]
enum Tag {
    /// Zaproszenia (invitations)
    Invitations,
    /// Dziennik bezpieczeństwa (security audit log)
    Audit,
}

#[derive(Debug, Object)]
pub struct InvitationInput {
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// The volunteer's profile in this office, if it exists already.
    pub volunteer_id: Option<Uuid>,
}

/// An invitation (its link is only ever in the email).
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub volunteer_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<links::Invitation> for InvitationView {
    fn from(i: links::Invitation) -> Self {
        Self {
            id: i.id,
            email: i.email,
            role: i.role.as_str().into(),
            volunteer_id: i.volunteer_id,
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct AcceptInput {
    /// The `token` from the link in the email.
    #[oai(validator(max_length = 200))]
    pub token: String,
    /// Needed when the email has no account yet.
    #[oai(validator(max_length = 200))]
    pub display_name: Option<String>,
    /// Needed for a new coordinator account; volunteers may instead sign in by email links.
    #[oai(validator(max_length = 1024))]
    pub password: Option<String>,
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` for older events; absent on the last page.
    pub next_before: Option<Uuid>,
}

#[derive(ApiResponse)]
pub(crate) enum Invited {
    /// The invitation was created and its email queued.
    #[oai(status = 201)]
    Created(Json<InvitationView>),
}

pub struct InvitationsApi;

#[OpenApi(prefix_path = "/api/v1/identity")]
impl InvitationsApi {
    /// Coordinators: invites a volunteer to this office. The link in the email expires (72 h
    /// by default) and works once.
    #[oai(
        path = "/invitations",
        method = "post",
        operation_id = "invite_volunteer",
        tag = "Tag::Invitations"
    )]
    async fn invite(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        body: Json<InvitationInput>,
    ) -> Result<Invited, Problem> {
        let office = auth.0.require_coordinator()?.clone();
        let invitation = identity
            .invite(
                &office,
                &auth.0,
                &body.email,
                Role::Volunteer,
                body.volunteer_id,
                client(req),
            )
            .await?;
        Ok(Invited::Created(Json(invitation.into())))
    }

    /// Coordinators: this office's invitations, newest first.
    #[oai(
        path = "/invitations",
        method = "get",
        operation_id = "list_invitations",
        tag = "Tag::Invitations"
    )]
    async fn list(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
    ) -> Result<Json<Vec<InvitationView>>, Problem> {
        let office = auth.0.require_coordinator()?;
        let txn = identity.db.begin(Scope::Office(office.id)).await?;
        let items = links::list(&txn, 200).await?;
        txn.commit().await?;
        Ok(Json(items.into_iter().map(Into::into).collect()))
    }

    /// Accepts an invitation and signs in.
    #[oai(
        path = "/invitations/accept",
        method = "post",
        operation_id = "accept_invitation",
        tag = "Tag::Invitations"
    )]
    async fn accept(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<AcceptInput>,
    ) -> Result<Json<TokenPair>, Problem> {
        Ok(Json(
            identity
                .accept_invitation(
                    place.office()?,
                    &body.token,
                    body.display_name.as_deref(),
                    body.password.as_deref(),
                    client(req),
                )
                .await?,
        ))
    }

    /// The security log: sign-ins, failures, lockouts, role grants, invitations, revoked
    /// sessions. Coordinators read their office's; platform admins the platform's.
    #[oai(
        path = "/audit",
        method = "get",
        operation_id = "list_security_events",
        tag = "Tag::Audit"
    )]
    async fn audit(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        before: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
    ) -> Result<Json<AuditPage>, Problem> {
        let scope = match &auth.0.office {
            Some(office) => {
                auth.0.require_any(&[Role::Coordinator])?;
                Scope::Office(office.id)
            }
            None => {
                auth.0.require_any(&[Role::PlatformAdmin])?;
                Scope::Platform
            }
        };
        let limit = PageLimit::parse(limit.0)?.get();
        let txn = identity.db.begin(scope).await?;
        let mut items = audit::list(&txn, before.0, limit + 1).await?;
        txn.commit().await?;
        let next_before = (items.len() as u64 > limit).then(|| {
            items.truncate(limit as usize);
            items.last().map(|e| e.id)
        });
        Ok(Json(AuditPage {
            items,
            next_before: next_before.flatten(),
        }))
    }
}
