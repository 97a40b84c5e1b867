//! The daily job of every office: the retention rule — personal data of volunteers who ended
//! more than the configured number of days ago is erased (anonymised) — and the day's notices
//! (agreements due, clearances running out; see [`crate::notices`]).

use std::sync::Arc;
use std::time::Duration;

use lacznik_tenancy::TenantDb;
use lacznik_types::TenantId;

use crate::api::erase;
use crate::settings::{OfficeDirectory, VolunteerSettings};
use crate::store::erasure;

/// Applies the rule in one office; how many volunteers were erased.
pub async fn apply_in_office(
    db: &TenantDb,
    tenant: TenantId,
    settings: &VolunteerSettings,
) -> anyhow::Result<usize> {
    let cutoff = (chrono::Utc::now() - settings.retention_after_end).date_naive();
    let txn = db.begin(tenant).await?;
    let due = erasure::due_for_erasure(&txn, cutoff).await?;
    for volunteer in &due {
        erase(&txn, volunteer, "okres przechowywania danych minął", None)
            .await
            .map_err(|p| anyhow::anyhow!("erasure failed: {}", p.code))?;
    }
    txn.commit().await?;
    Ok(due.len())
}

/// Applies the rule in every office the identity service knows; how many were erased.
pub async fn apply(
    db: &TenantDb,
    offices: &OfficeDirectory,
    settings: &VolunteerSettings,
) -> anyhow::Result<usize> {
    let mut erased = 0;
    for office in offices.all().await? {
        let tenant = office.id;
        let n = apply_in_office(db, tenant, settings).await?;
        if n > 0 {
            tracing::info!(%tenant, erased = n, "retention: personal data erased");
        }
        erased += n;
        match offices.get(tenant, &office.slug).await {
            Ok(details) => match crate::notices::send_in_office(db, tenant, &details).await {
                Ok(sent) if sent > 0 => tracing::info!(%tenant, sent, "notices requested"),
                Ok(_) => {}
                Err(problem) => tracing::warn!(%tenant, code = problem.code, "notices failed"),
            },
            Err(problem) => tracing::warn!(%tenant, code = problem.code, "notices: office unknown"),
        }
    }
    Ok(erased)
}

/// Runs [`apply`] every `every` until the process stops; a failed round is logged and retried
/// at the next tick.
pub async fn run(
    db: TenantDb,
    offices: Arc<OfficeDirectory>,
    settings: VolunteerSettings,
    every: Duration,
) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        if let Err(error) = apply(&db, &offices, &settings).await {
            tracing::warn!(%error, "retention round failed");
        }
    }
}
