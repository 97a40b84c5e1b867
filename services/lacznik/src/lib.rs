//! Wiring of the `lacznik` command: starting the gateway and the services (all in one process
//! or one at a time), migrating, and seeding the demo offices. The binary only parses
//! arguments and calls in here; tests call the same functions.

pub mod accounts;
pub mod demo;
mod demo_needs;
pub mod pipeline;
mod run;
pub mod stats;
pub mod tenants;

pub use run::{Component, Running, migrate, public_key_entry, start};
