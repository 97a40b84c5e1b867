//! Typed identifiers and small parsed values (emails, phone numbers, birth dates) that every
//! crate shares, so a `VolunteerId` can never be passed where a `TenantId` is expected and a
//! value is validated once, at the edge.

pub mod catalogue;
mod ids;
pub mod local_time;
mod values;

pub use ids::{RegionCode, TenantId, TenantSlug, VolunteerId};
pub use values::{BirthDate, Email, PersonName, PhoneNumber, ValueError};
