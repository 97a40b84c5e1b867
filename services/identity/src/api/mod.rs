//! HTTP APIs of the identity service.

mod internal;
mod office;

pub use internal::InternalApi;
pub use office::OfficeApi;
