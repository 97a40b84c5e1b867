//! The statistics' rules, free of I/O: periods, figures, what events mean, waiting times, and
//! which cells must be hidden.

pub mod events;
pub mod figures;
pub mod grid;
pub mod period;
pub mod suppression;
pub mod wait;

/// Whether a volunteer born in `birth_year` counts as a minor in calendar year `year`: events
/// carry the birth year only, so a volunteer who turns 18 during the year is a minor for the
/// whole year (README.md, "Statistics").
pub fn minor_in(year: i32, birth_year: i32) -> bool {
    year - birth_year < 18
}
