//! Topics the needs service writes to its office's outbox, each in the transaction of the
//! change it reports. Payloads carry ids, kinds of help, times and counts — never a name, an
//! address or a note (`docs/events.md` is the contract).

use lacznik_http::Problem;
use lacznik_queue::Event;
use lacznik_tenancy::TenantTxn;

pub const NEED_OPENED: &str = "needs.need.opened";
pub const NEED_STATUS_CHANGED: &str = "needs.need.status_changed";
pub const OFFER_MADE: &str = "needs.offer.made";
pub const OFFER_ACCEPTED: &str = "needs.offer.accepted";
pub const OFFER_DECLINED: &str = "needs.offer.declined";
pub const OFFER_EXPIRED: &str = "needs.offer.expired";
pub const OFFER_FILLED: &str = "needs.offer.filled";
pub const ASSIGNMENT_CONFIRMED: &str = "needs.assignment.confirmed";
pub const ASSIGNMENT_CANCELLED: &str = "needs.assignment.cancelled";
pub const ASSIGNMENT_COMPLETED: &str = "needs.assignment.completed";
pub const ASSIGNMENT_NO_SHOW: &str = "needs.assignment.no_show";
pub const REMINDER_DUE: &str = "needs.reminder.due";
pub const HOURS_LOGGED: &str = "needs.hours.logged";
pub const FEEDBACK_GIVEN: &str = "needs.feedback.given";
pub const VISIT_RECORDED: &str = "needs.visit.recorded";
pub const VISIT_MISSED: &str = "needs.visit.missed";
pub const ACTION_CREATED: &str = "needs.action.created";
pub const SHIFT_SIGNED_UP: &str = "needs.shift.signed_up";
pub const SHIFT_SIGNUP_CANCELLED: &str = "needs.shift.signup_cancelled";
pub const SHIFT_CHECKED_IN: &str = "needs.shift.checked_in";
pub const TALLY_RECORDED: &str = "needs.tally.recorded";

/// Writes one event into the office's outbox in `txn`.
pub async fn emit(
    txn: &TenantTxn,
    topic: &'static str,
    payload: serde_json::Value,
) -> Result<(), Problem> {
    lacznik_queue::enqueue_office(txn, &Event { topic, payload }).await?;
    Ok(())
}
