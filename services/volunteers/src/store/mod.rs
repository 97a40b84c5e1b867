//! Tenant-scoped queries of the volunteers service. Every function takes a [`TenantTxn`]
//! and filters by its tenant; row-level security enforces the same bound on PostgreSQL.
//!
//! [`TenantTxn`]: lacznik_tenancy::TenantTxn

pub mod checks;
pub mod entity;
mod volunteers;

pub use volunteers::{
    StatusChange, StatusChanged, StoreError, change_status, delete, get, history, insert, page,
    update,
};
