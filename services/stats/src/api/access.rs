//! Who may see which figures. An office's coordinators see their office (at its address);
//! regional admins see the offices of their voivodeship (the `reg` claim; none means all) and
//! platform admins any office, at the platform address — and only aggregates, whoever asks.
//! An office outside the caller's reach answers 404 exactly like one that does not exist.

use lacznik_http::auth::{Caller, Role, forbidden};
use lacznik_http::{Problem, TenantContext};
use poem::http::StatusCode;

use crate::offices::Office;

/// The caller's reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A coordinator of this office, at its address.
    Office(TenantContext),
    /// A regional admin of one voivodeship, or of all (`None`).
    Region(Option<String>),
    /// A platform admin.
    Platform,
}

impl Reach {
    /// What `caller` may see here.
    pub fn of(caller: &Caller) -> Result<Self, Problem> {
        match &caller.office {
            Some(office) => {
                caller.require_any(&[Role::Coordinator])?;
                Ok(Self::Office(office.clone()))
            }
            None if caller.is(Role::PlatformAdmin) => Ok(Self::Platform),
            None if caller.is(Role::RegionalAdmin) => Ok(Self::Region(caller.claims.reg.clone())),
            None => Err(forbidden()),
        }
    }

    /// Whether the caller may see `office`.
    pub fn sees(&self, office: &Office) -> bool {
        match self {
            Self::Office(own) => own.id.as_uuid() == office.id,
            Self::Region(Some(code)) => *code == office.region_code,
            Self::Region(None) | Self::Platform => true,
        }
    }

    /// Whether the caller may compare the offices of voivodeship `code`.
    pub fn sees_region(&self, code: &str) -> bool {
        match self {
            Self::Office(_) => false,
            Self::Region(Some(own)) => own == code,
            Self::Region(None) | Self::Platform => true,
        }
    }
}

/// 403: a regional admin asking for another voivodeship.
pub fn region_forbidden() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "region_forbidden",
        "Brak dostępu do województwa",
    )
    .with_detail("Możesz porównywać tylko ośrodki swojego województwa.")
}

/// 403: comparisons are for regional and platform admins, at the platform's address.
pub fn admins_only() -> Problem {
    Problem::new(StatusCode::FORBIDDEN, "forbidden", "Brak uprawnień").with_detail(
        "Porównania ośrodków są dla administratorów regionalnych i platformy, pod adresem \
         platformy. Koordynator widzi statystyki swojego ośrodka na pulpicie.",
    )
}

/// 400: the dashboard is an office's, at its address.
pub fn office_address() -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "tenant_required",
        "Nie wskazano ośrodka",
    )
    .with_detail(
        "Pulpit ośrodka jest pod adresem ośrodka, dla jego koordynatorów. Administratorzy \
         porównują ośrodki: /api/v1/stats/regions/{kod}/comparison.",
    )
}

/// 404: no such office, or not one the caller may see.
pub fn no_office() -> Problem {
    Problem::not_found("Ośrodek")
}
