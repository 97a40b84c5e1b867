//! HTTP API of the notifications service, at the office's address: the delivery log with
//! resend and suppressions (coordinators), broadcasts (coordinators), and each person's choices
//! of mail — in the portal, or without signing in through the link in every email.

mod broadcasts;
mod log;
mod preferences;

pub use broadcasts::BroadcastsApi;
pub use log::LogApi;
pub use preferences::PreferencesApi;

/// Every API of the service, as one OpenAPI document.
pub type Apis = (LogApi, BroadcastsApi, PreferencesApi);
/// The value of [`Apis`].
pub const APIS: Apis = (LogApi, BroadcastsApi, PreferencesApi);
