//! The volunteer as the office knows them, parsed from input before anything is stored.

mod volunteer;

pub use volunteer::{MIN_AGE, NewVolunteer, RawVolunteer, VolunteerChanges};
