//! The rules of needs, offers and assignments, apart from storage and HTTP.

mod schedule;
mod status;

pub use schedule::{Schedule, Weekday, WeeklySlot, occurrences};
pub use status::{AssignmentStatus, NeedStatus, OfferStatus};
