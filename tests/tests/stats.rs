//! The statistics service end to end on the real PostgreSQL (as `lacznik_app` under row-level
//! security, the comparison as `lacznik_stats`) and Redis: rollups against a recomputation,
//! suppression, who sees what, CSV export, bad input, and the whole pipeline from API actions
//! to the dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // tests: a failure is the test failing

#[path = "stats/access.rs"]
mod access;
#[path = "stats/export.rs"]
mod export;
#[path = "stats/input.rs"]
mod input;
#[path = "stats/naive.rs"]
mod naive;
#[path = "stats/pipeline.rs"]
mod pipeline;
#[path = "stats/privacy.rs"]
mod privacy;
#[path = "stats/rollups.rs"]
mod rollups;
#[path = "stats/story.rs"]
mod story;
#[path = "stats/support.rs"]
mod support;
