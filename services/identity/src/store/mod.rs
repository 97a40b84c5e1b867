//! Queries over the platform tables `tenants` and `tenant_hosts`.

mod entity;
mod tenants;

pub use tenants::{
    NewTenant, StoreError, TenantRecord, TenantStatus, create_tenant, find_by_host, find_by_slug,
    list_tenants, set_status,
};
