//! Matching volunteers to a need: which of an office's volunteers can take it, and in what order
//! a coordinator should ask them. This crate owns the rules and the score and nothing else: the
//! volunteers service loads an office's candidates and converts them to [`Candidate`]s, calls
//! [`rank`], and the needs service shows the [`Outcome`] to the coordinator. No I/O, no clock
//! (every date comes from the [`Criteria`]), no allocation per candidate while filtering.
//!
//! # Hard rules
//! A candidate failing any of them is not ranked, only counted under the first one failed (see
//! [`Exclusion`] for the order): the kind of help; every required language; age on the need's
//! first day (under 13 never, 13–17 only with a guardian's consent and not on adults-only needs);
//! a valid child-protection check when the need requires one; the distance limit; declared weekly
//! slots that miss the need entirely; absences; overlap with assigned work (never double-book);
//! and the candidate's weekly hour limit, per ISO week, counting work already assigned that week.
//!
//! For a weekly need only the first [`EXAMINED_WEEKS`] weeks of occurrences are checked and
//! scored: enough to see conflicts with a routine, and it bounds the work per candidate.
//!
//! # Score (0–100)
//! The sum of five components, each returned as a [`Reason`] with its points and a Polish
//! sentence, so a coordinator can see why someone is first:
//!
//! | component      | points | full points when                                  |
//! |----------------|-------:|---------------------------------------------------|
//! | `availability` | 40     | declared weekly slots cover the whole need        |
//! | `skills`       | 20     | has every preferred skill                         |
//! | `distance`     | 20     | willing to help in the need's own district        |
//! | `load`         | 10     | no assigned hours in the need's (busiest) week    |
//! | `continuity`   | 10     | has helped this person before                     |
//!
//! Availability weighs most because a volunteer who is not free does not come; skills are only
//! preferences (required ones would be a kind of help); distance matters for home visits; load
//! spreads the work so the same few people are not asked every time; continuity matters to older
//! people who do not want a stranger each week, but should not outweigh being free.
//!
//! Each component is proportional and rounded down: availability by the share of the need's time
//! covered; skills by the share of preferred skills held; distance loses
//! [`score::DISTANCE_STEP`] points per hop (nothing from four hops or when the districts are not
//! connected); load by the share of the week still free, against the volunteer's own limit or
//! [`score::DEFAULT_WEEK_HOURS`]. Unknowns score half: no declared slots (never excluded for
//! that) and "anywhere in town" (willing, but not known to be near). A component the need does
//! not use (no preferred skills, no district, nobody named) gives everyone full points, so 100
//! means "nothing to prefer anyone else for".
//!
//! Ties go to fewer committed hours, then to the lower id: the same input always gives the same
//! order.

mod districts;
mod rank;
mod schedule;
pub mod score;
mod types;

pub use districts::DistrictMap;
pub use rank::{ADULT_AGE, MIN_AGE, rank};
pub use schedule::EXAMINED_WEEKS;
pub use types::{
    Absence, Candidate, Commitment, Criteria, DistrictId, Exclusion, KindId, KindSet, LanguageId,
    Outcome, Ranked, Reason, Schedule, SkillId, WeeklySlot,
};
