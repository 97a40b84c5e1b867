//! Queries of the identity service: the office registry (platform tables `tenants`,
//! `tenant_hosts`), people and their roles, sessions, one-time links and the audit log.

pub mod audit;
mod entity;
pub mod links;
pub mod sessions;
mod tenants;
pub mod users;

pub use lacznik_auth::secret::hash_secret;
pub use tenants::{
    NewTenant, StoreError, TenantRecord, TenantStatus, create_tenant, find_by_host, find_by_id,
    find_by_slug, list_tenants, set_status,
};
