//! The statistics service's errors and their one mapping to problem documents.

use lacznik_http::Problem;
use sea_orm::DbErr;

use crate::offices::Unavailable;

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Offices(#[from] Unavailable),
}

impl From<StatsError> for Problem {
    fn from(error: StatsError) -> Self {
        match error {
            StatsError::Db(error) => error.into(),
            StatsError::Offices(error) => {
                tracing::warn!(%error, "office register unavailable");
                Problem::unavailable(
                    "Rejestr ośrodków jest chwilowo niedostępny. Spróbuj za chwilę.",
                )
            }
        }
    }
}

impl From<Unavailable> for Problem {
    fn from(error: Unavailable) -> Self {
        StatsError::from(error).into()
    }
}
