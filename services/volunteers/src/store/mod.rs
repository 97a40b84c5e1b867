//! Tenant-scoped queries of the volunteers service. Every function takes a [`TenantTxn`]
//! and filters by its tenant; row-level security enforces the same bound on PostgreSQL.
//!
//! [`TenantTxn`]: lacznik_tenancy::TenantTxn

pub mod absences;
pub mod agreements;
pub mod applications;
pub mod assignments;
pub mod catalogue;
pub mod checks;
pub mod consents;
pub mod entity;
pub mod erasure;
pub mod hours;
pub mod pool;
pub mod records;
mod volunteers;

pub use volunteers::{
    StatusChange, StatusChanged, StoreError, by_ids, change_status, delete, get, get_active,
    history, insert, lock, page, update,
};

/// Reads a JSON list column; a value the service never wrote reads as empty.
pub fn json_list<T: serde::de::DeserializeOwned>(raw: &str) -> Vec<T> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Writes a JSON list column.
pub fn to_json<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}
