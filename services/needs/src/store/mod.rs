//! Tenant-scoped queries of the needs service. Every function takes a [`TenantTxn`] and
//! filters by its tenant; row-level security enforces the same bound on PostgreSQL.
//!
//! [`TenantTxn`]: lacznik_tenancy::TenantTxn

pub mod actions;
pub mod assignments;
pub mod beneficiaries;
pub mod entity;
pub mod needs;
pub mod offers;
pub mod partners;

/// Reads a JSON list column; a value the service never wrote reads as empty.
pub fn json_list<T: serde::de::DeserializeOwned>(raw: &str) -> Vec<T> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Writes a JSON list column.
pub fn to_json<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}
