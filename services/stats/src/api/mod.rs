//! HTTP API of the statistics service, under `/api/v1/stats`: the office dashboard (at the
//! office's address), the comparison of offices and an office's trend (at the platform's
//! address). Every answer is JSON, or CSV with `?format=csv` (or `Accept: text/csv`).

mod access;
mod comparison;
mod csv;
mod dashboard;
mod params;
mod trend;
pub mod wire;

use std::sync::Arc;

use poem_openapi::Tags;

pub use comparison::ComparisonApi;
pub use dashboard::DashboardApi;
pub use trend::TrendApi;

use crate::offices::OfficeRegister;
use crate::regional::Regional;

#[derive(Tags)]
enum Tag {
    /// Statystyki (statistics): tylko dane zbiorcze, małe liczby ukryte
    Statistics,
}

/// Every API of the service, as one OpenAPI document.
pub type Apis = (DashboardApi, ComparisonApi, TrendApi);
/// The value of [`Apis`].
pub const APIS: Apis = (DashboardApi, ComparisonApi, TrendApi);

/// What the handlers share besides the tenant database.
#[derive(Clone)]
pub struct Deps {
    pub offices: Arc<OfficeRegister>,
    /// Every office's all-kinds rollups (read as `lacznik_stats`) as voivodeships' tables.
    pub regional: Arc<Regional>,
}

/// `Content-Disposition` of a CSV download named `name` (ASCII only).
fn attachment(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("attachment; filename=\"{safe}.csv\"")
}
