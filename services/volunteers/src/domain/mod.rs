//! The volunteer as the office knows them, parsed from input before anything is stored.

mod volunteer;

mod checks;
pub mod engagement;
pub use lacznik_types::local_time;
mod profile;
mod status;

pub use checks::{CheckKind, cleared_for_children};
pub use profile::{
    OfficeCatalogue, ProfileChanges, RawProfile, Slot, Weekday, kind_names, parse_profile,
};
pub use status::VolunteerStatus;
pub use volunteer::{MIN_AGE, NewVolunteer, RawVolunteer, VolunteerChanges};
