//! HTTP API of the volunteers service.

mod checks;
mod volunteers;

pub use checks::{CheckInput, CheckView, ChecksApi, Clearance};
pub use volunteers::{Volunteer, VolunteerInput, VolunteerPage, VolunteerPatch, VolunteersApi};
