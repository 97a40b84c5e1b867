//! The needs service's clock: offers time out (and, with auto-offer, pass to the next
//! candidate), reminders fall due, and needs whose time has passed unfilled expire. Runs in
//! every office on an interval; each office's pass is its own transactions.

use std::time::Duration;

use lacznik_tenancy::TenantDb;

use crate::Deps;

/// Runs [`sweep_office`] in every office every `every`, forever.
pub async fn run(db: TenantDb, deps: Deps, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let offices = match deps.offices.all().await {
            Ok(offices) => offices,
            Err(error) => {
                tracing::warn!(%error, "sweep: offices unavailable");
                continue;
            }
        };
        for office in offices {
            if let Err(problem) = crate::api::sweep_office(&db, &deps, office).await {
                tracing::warn!(code = problem.code, "sweep failed in an office");
            }
        }
    }
}
