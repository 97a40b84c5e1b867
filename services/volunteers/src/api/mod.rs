//! HTTP API of the volunteers service.

mod volunteers;

pub use volunteers::{Volunteer, VolunteerInput, VolunteerPage, VolunteerPatch, VolunteersApi};
