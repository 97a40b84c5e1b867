//! Events the volunteers service publishes through the office's outbox, in the transaction of
//! the change. The contract is documented in `docs/events.md`.

use lacznik_queue::Event;
use lacznik_tenancy::TenantTxn;
use sea_orm::DbErr;
use serde::Serialize;

/// A volunteer was registered (by a coordinator or a confirmed sign-up).
pub const REGISTERED: &str = "volunteers.volunteer.registered";
/// A volunteer's status changed (applicant → active → paused → ended).
pub const STATUS_CHANGED: &str = "volunteers.volunteer.status_changed";
/// A volunteer's personal data was erased.
pub const ANONYMISED: &str = "volunteers.volunteer.anonymised";
/// Hours were approved (from an assignment, by a coordinator, or on approving a report).
pub const HOURS_APPROVED: &str = "volunteers.hours.approved";
/// The signature of an agreement (porozumienie) was recorded.
pub const AGREEMENT_SIGNED: &str = "volunteers.agreement.signed";
/// A volunteer asked for a certificate.
pub const CERTIFICATE_REQUESTED: &str = "volunteers.certificate.requested";

/// Writes an event to the office's outbox.
pub async fn publish<T: Serialize>(
    txn: &TenantTxn,
    topic: &'static str,
    payload: T,
) -> Result<(), DbErr> {
    lacznik_queue::enqueue_office(txn, &Event { topic, payload }).await?;
    Ok(())
}
