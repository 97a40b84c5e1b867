//! HTTP API of the needs service.

mod actions;
pub(crate) mod assignments;
pub(crate) mod beneficiaries;
mod internal;
pub(crate) mod needs;
pub(crate) mod offers;
pub(crate) mod partners;
mod privacy;
pub(crate) mod visits;

use chrono::{DateTime, Utc};
use lacznik_http::Problem;
use lacznik_queue::email::{self, EmailRequested};
use lacznik_tenancy::TenantTxn;

pub use actions::ActionsApi;
pub use assignments::AssignmentsApi;
pub use beneficiaries::BeneficiariesApi;
pub use internal::InternalApi;
pub use needs::NeedsApi;
pub use offers::OffersApi;
pub use partners::PartnersApi;
pub use privacy::PrivacyApi;
pub use visits::VisitsApi;

/// Every API of the service, as one OpenAPI document.
pub type Apis = (
    NeedsApi,
    BeneficiariesApi,
    PartnersApi,
    OffersApi,
    AssignmentsApi,
    VisitsApi,
    ActionsApi,
    PrivacyApi,
);
/// The value of [`Apis`].
pub const APIS: Apis = (
    NeedsApi,
    BeneficiariesApi,
    PartnersApi,
    OffersApi,
    AssignmentsApi,
    VisitsApi,
    ActionsApi,
    PrivacyApi,
);

/// Asks the notifications service, through the office's outbox, to send an email.
pub(crate) async fn request_email(
    txn: &TenantTxn,
    template: &'static str,
    to: (&str, &str),
    link: String,
    expires_at: Option<DateTime<Utc>>,
    data: serde_json::Value,
) -> Result<(), Problem> {
    email::request(
        txn,
        EmailRequested {
            link,
            expires_at,
            data,
            ..EmailRequested::new(template, to.0, to.1)
        },
    )
    .await?;
    Ok(())
}

/// Trimmed text, or nothing when it is blank.
pub(crate) fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
