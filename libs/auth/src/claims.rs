//! What an access token says about its bearer.

use lacznik_types::TenantId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Tokens are issued by the identity service…
pub const ISSUER: &str = "lacznik-identity";
/// …for Łącznik's API, and for nothing else.
pub const AUDIENCE: &str = "lacznik-api";

/// What a person may do, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Onboards offices; the whole deployment.
    PlatformAdmin,
    /// Compares aggregate statistics of one voivodeship (or all); never personal data.
    RegionalAdmin,
    /// Runs one office's volunteer centre.
    Coordinator,
    /// Volunteers in one office; sees and edits only their own profile.
    Volunteer,
}

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user.
    pub sub: Uuid,
    /// The session (refresh-token family) this token belongs to, so it can be revoked.
    pub sid: Uuid,
    /// This token's id.
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// The office the token is for; absent for platform and regional sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<TenantId>,
    /// That office's slug, for logs and the gateway's host check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ten: Option<String>,
    pub roles: Vec<Role>,
    /// A regional admin's voivodeship (TERYT code); absent means all voivodeships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reg: Option<String>,
    /// A volunteer's own profile in the office (volunteers read and edit only that one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vid: Option<Uuid>,
}

impl Role {
    /// The name clients and the database use (the same as in tokens).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "platform_admin",
            Self::RegionalAdmin => "regional_admin",
            Self::Coordinator => "coordinator",
            Self::Volunteer => "volunteer",
        }
    }

    /// The role named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::PlatformAdmin,
            Self::RegionalAdmin,
            Self::Coordinator,
            Self::Volunteer,
        ]
        .into_iter()
        .find(|role| role.as_str() == name)
    }
}

impl Claims {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the token was issued for this office.
    pub fn is_for_tenant(&self, tenant: TenantId) -> bool {
        self.tid == Some(tenant)
    }
}
