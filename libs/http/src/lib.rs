//! The HTTP machinery every Łącznik service shares, so it exists once: the RFC 9457 problem
//! document, keyset pagination cursors, the tenant context a request carries, the directory of offices, and the wrapper
//! that gives each service health checks, tracing and uniform error bodies.

pub mod auth;
pub mod offices;
pub mod pagination;
pub mod problem;
pub mod server;
pub mod tenant;

pub use auth::{Bearer, Caller};
pub use pagination::{Cursor, PageLimit};
pub use problem::{FieldProblem, Problem, ProblemDocument};
pub use tenant::{TENANT_ID_HEADER, TENANT_SLUG_HEADER, TenantContext};
