//! The notifications service's tables: deliveries and their failed attempts (per office and for
//! the platform), preferences, suppressions and broadcasts.

pub mod broadcasts;
pub mod choices;
pub mod deliveries;
