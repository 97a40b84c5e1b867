//! Who is calling, checked again in every service. The gateway has already verified the token
//! and bound it to the office, but a service never trusts that alone: [`Bearer`] verifies the
//! signature, expiry, issuer and audience itself and checks that the token belongs to the
//! office named by the request (or to the platform, when no office is named). Handlers then
//! ask the [`Caller`] for the role the operation needs.

use std::sync::Arc;

pub use lacznik_auth::{Claims, Role, TokenVerifier};
use poem::Request;
use poem::http::StatusCode;
use poem_openapi::SecurityScheme;
use uuid::Uuid;

use crate::{Problem, TenantContext};

/// Response header by which the identity service names the sessions a request has just
/// ended (logout, a reused refresh token, a password change), so the gateway refuses their
/// tokens at once. The gateway removes it; clients never see it.
pub const ENDED_SESSIONS_HEADER: &str = "x-lacznik-ended-sessions";

/// A verified caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub claims: Claims,
    /// The office of the request, when it names one (then the token is for that office).
    pub office: Option<TenantContext>,
}

/// Token dostępu z `POST /api/v1/identity/auth/login` (ważny 15 minut, odnawiany przez
/// `/auth/refresh`). Token jest wydany dla jednego ośrodka i działa tylko pod jego adresem.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct Bearer(pub Caller);

async fn check_bearer(req: &Request, bearer: poem_openapi::auth::Bearer) -> poem::Result<Caller> {
    let verifier = req
        .data::<Arc<TokenVerifier>>()
        .ok_or_else(|| Problem::internal(&"token verifier missing"))?;
    let claims = verifier.verify(&bearer.token).map_err(|error| {
        tracing::debug!(%error, "token refused");
        unauthenticated(error.code())
    })?;
    let office = TenantContext::from_request(req);
    let bound = match (&office, claims.tid) {
        (Some(office), Some(tid)) => office.id == tid,
        (None, None) => true,
        _ => false,
    };
    if !bound {
        return Err(token_tenant_mismatch().into());
    }
    Ok(Caller { claims, office })
}

/// 401: no usable token.
pub fn unauthenticated(code: &'static str) -> Problem {
    let detail = match code {
        "token_expired" => {
            "Token dostępu wygasł. Odnów go przez /auth/refresh albo zaloguj się ponownie."
        }
        "session_revoked" => "Ta sesja została zakończona. Zaloguj się ponownie.",
        _ => "Brak ważnego tokenu dostępu. Zaloguj się ponownie.",
    };
    Problem::new(StatusCode::UNAUTHORIZED, code, "Wymagane logowanie").with_detail(detail)
}

/// 403: a valid token used at another office's address (or an office token on the platform).
pub fn token_tenant_mismatch() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "token_tenant_mismatch",
        "Token innego ośrodka",
    )
    .with_detail("Ten token został wydany dla innego ośrodka (albo dla platformy). Zaloguj się pod adresem ośrodka, z którego chcesz korzystać.")
}

/// 403: signed in, but the role does not allow this.
pub fn forbidden() -> Problem {
    Problem::new(StatusCode::FORBIDDEN, "forbidden", "Brak uprawnień")
        .with_detail("Twoja rola nie pozwala na tę operację.")
}

impl Caller {
    pub fn user_id(&self) -> Uuid {
        self.claims.sub
    }

    pub fn is(&self, role: Role) -> bool {
        self.claims.has_role(role)
    }

    /// Allows the operation only to one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), Problem> {
        if roles.iter().any(|role| self.is(*role)) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }

    /// A coordinator of this office.
    pub fn require_coordinator(&self) -> Result<&TenantContext, Problem> {
        self.require_any(&[Role::Coordinator])?;
        self.office.as_ref().ok_or_else(forbidden)
    }

    /// The volunteer profile the caller may act on as a volunteer, if any.
    pub fn own_volunteer(&self) -> Option<Uuid> {
        self.is(Role::Volunteer)
            .then_some(self.claims.vid)
            .flatten()
    }
}
