//! The slow loop beside the senders: it queues again every delivery whose job went missing (a
//! push that failed after its record was committed, Redis restarted without its data, the
//! embedded process restarted with its queue in memory), runs the daily and weekly digests
//! at their hour, and once an hour forgets the content of messages older than
//! `notifications.keep_content_days` (RODO's storage limitation: the log entry stays).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lacznik_http::TenantContext;
use lacznik_tenancy::Scope;
use tokio::sync::watch;

use crate::Notifications;
use crate::digest::Schedule;
use crate::store::deliveries;

/// Deliveries re-queued per office and pass.
const REQUEUE_BATCH: u64 = 2000;

/// How often old content is looked for.
const FORGET_EVERY: Duration = Duration::from_secs(3600);

/// Runs until `stop`. With `requeue_at_start` (a queue kept in memory) everything the database
/// says is waiting is queued at once on the first pass.
pub async fn run(
    n: Arc<Notifications>,
    every: Duration,
    requeue_at_start: bool,
    mut stop: watch::Receiver<bool>,
) {
    let mut schedule = Schedule::default();
    let mut first = true;
    let mut forgot: Option<Instant> = None;
    loop {
        let offices = match n.offices.all().await {
            Ok(offices) => offices,
            Err(error) => {
                tracing::warn!(%error, "housekeeping: offices unavailable");
                Vec::new()
            }
        };
        let now = Utc::now();
        let stale_before = if first && requeue_at_start {
            now
        } else {
            now - chrono::Duration::from_std(n.settings.stale_after).unwrap_or_default()
        };
        let scopes = offices
            .iter()
            .map(|o| Scope::Office(o.id))
            .chain([Scope::Platform]);
        for scope in scopes {
            if let Err(error) = requeue(&n, scope, stale_before).await {
                tracing::warn!(%error, "housekeeping: cannot look for lost jobs");
            }
        }
        schedule.tick(&n, &offices, now).await;
        if forgot.is_none_or(|at| at.elapsed() >= FORGET_EVERY) {
            forget(&n, &offices, now).await;
            forgot = Some(Instant::now());
        }
        first = false;
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
    }
}

async fn requeue(
    n: &Notifications,
    scope: Scope,
    stale_before: chrono::DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let txn = n.db.begin(scope).await?;
    let found =
        deliveries::requeue_stale(&*txn, scope, stale_before, Utc::now(), REQUEUE_BATCH).await?;
    txn.commit().await?;
    if !found.is_empty() {
        tracing::info!(count = found.len(), tenant = ?scope.tenant(), "queuing waiting deliveries again");
        n.enqueue(scope, &found).await;
    }
    Ok(())
}

/// Forgets the content of every office's (and the platform's) finished messages created more
/// than `notifications.keep_content_days` before `now`. Returns how many; an office that cannot
/// be reached now is tried on the next round.
pub async fn forget(n: &Notifications, offices: &[TenantContext], now: DateTime<Utc>) -> u64 {
    let before = now - n.settings.keep_content;
    let scopes = offices
        .iter()
        .map(|o| Scope::Office(o.id))
        .chain([Scope::Platform]);
    let mut total = 0;
    for scope in scopes {
        let forgotten = async {
            let txn = n.db.begin(scope).await?;
            let count = deliveries::forget_content(&*txn, scope, before).await?;
            txn.commit().await?;
            Ok::<_, sea_orm::DbErr>(count)
        };
        match forgotten.await {
            Ok(0) => {}
            Ok(count) => {
                total += count;
                tracing::info!(count, tenant = ?scope.tenant(), "content of old messages forgotten");
            }
            Err(error) => tracing::warn!(%error, "housekeeping: old content kept for now"),
        }
    }
    total
}
