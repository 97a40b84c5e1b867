//! The volunteer as the office knows them, parsed from input before anything is stored.

mod volunteer;

mod checks;
mod status;

pub use checks::{CheckKind, cleared_for_children};
pub use status::VolunteerStatus;
pub use volunteer::{MIN_AGE, NewVolunteer, RawVolunteer, VolunteerChanges};
