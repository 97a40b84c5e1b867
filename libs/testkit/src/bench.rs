//! What the load benchmarks (`tests/examples`) share: a sample of timings with nearest-rank
//! percentiles, and one value read with the superuser.

use std::time::Instant;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TryGetable};

/// Milliseconds, sorted; nearest-rank percentiles.
pub struct Sample(Vec<f64>);

impl Sample {
    pub fn new(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        Self(ms)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at quantile `q` (0.5 = median); the sample must not be empty.
    pub fn at(&self, q: f64) -> f64 {
        let n = self.0.len();
        self.0[((n as f64 * q).ceil() as usize).clamp(1, n) - 1]
    }

    pub fn max(&self) -> f64 {
        self.0[self.0.len() - 1]
    }

    /// `n … · p50 … ms · p90 … · p99 … · max …`.
    pub fn line(&self) -> String {
        format!(
            "n {:>4} · p50 {:>7.2} ms · p90 {:>7.2} ms · p99 {:>7.2} ms · max {:>7.2} ms",
            self.len(),
            self.at(0.5),
            self.at(0.9),
            self.at(0.99),
            self.max()
        )
    }
}

/// Milliseconds since `started`.
pub fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// The first column of the one row `sql` returns (PostgreSQL); panics with the statement.
pub async fn scalar<T: TryGetable>(db: &DatabaseConnection, sql: &str) -> T {
    db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
        .unwrap_or_else(|| panic!("no row\n{sql}"))
        .try_get_by_index::<T>(0)
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
}
