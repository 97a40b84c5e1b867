//! HTTP APIs of the identity service.

mod auth;
mod internal;
mod invitations;
mod members;
mod office;
mod platform;

pub use auth::{Accepted, AuthApi, Me};
pub use internal::InternalApi;
pub use invitations::{AuditPage, InvitationView, InvitationsApi};
pub use members::{MemberView, MembersApi};
pub use office::OfficeApi;
pub use platform::PlatformApi;
