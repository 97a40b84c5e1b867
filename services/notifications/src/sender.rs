//! A sending loop. It takes jobs from the fair queue, claims their delivery records (a record
//! already sent, or held by another sender, is not sent again), sends up to `concurrency`
//! messages at a time, and records what happened in small batches: sent; not sent because the
//! address bounced or the person chose otherwise; a temporary failure (4xx, timeout, lost
//! connection) queued again after an exponential backoff with jitter; or given up — a permanent
//! 5xx or too many attempts — with the reason kept and the job dead-lettered. Jobs are
//! acknowledged only after their outcome is in the database.
//!
//! Everything in flight lives inside this one task, so stopping it stops everything: on a
//! graceful stop it takes no new work, finishes what it sends and records it; if the task is
//! killed, unacknowledged jobs are taken over by another sender after the idle time, and their
//! records say which were already sent. The one gap no sender can close is a crash between the
//! relay accepting a message and its record being written: that message can go twice, with the
//! same Message-ID, which receiving servers and mail clients treat as one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::{FutureExt, future::BoxFuture};
use lacznik_mail::SendError;
use lacznik_queue::Event;
use lacznik_tenancy::Scope;
use sea_orm::DbErr;
use tokio::sync::watch;
use tracing::Instrument;
use uuid::Uuid;

use crate::Notifications;
use crate::kinds::{Category, Frequency};
use crate::queue::Job;
use crate::render::{self, RenderError};
use crate::store::choices;
use crate::store::deliveries::{self, Delivery, Recorded, Status};

/// Topic of the event that counts sent and failed mail for statistics.
pub const DELIVERIES_RECORDED: &str = "notifications.deliveries.recorded";

/// How a send ended.
#[derive(Debug)]
enum Outcome {
    Sent,
    NotSent(Status, String),
    Temporary(String),
    Permanent(String),
}

/// A job whose delivery was handled, waiting to be recorded and acknowledged.
struct Finished {
    job: Job,
    delivery: Uuid,
    attempt: i32,
    recipient: String,
    result: Outcome,
}

/// Sends until `stop` turns true, then finishes what is in flight.
pub async fn run(n: Arc<Notifications>, consumer: String, mut stop: watch::Receiver<bool>) {
    let concurrency = n.settings.concurrency;
    let mut in_flight: FuturesUnordered<BoxFuture<'static, Finished>> = FuturesUnordered::new();
    let mut done: Vec<Finished> = Vec::new();
    let mut last_flush = Instant::now();
    let mut next_promote = Instant::now();
    let mut next_recovery = Instant::now();
    let mut pause = Duration::from_millis(100);
    loop {
        let stopping = *stop.borrow();
        if stopping && in_flight.is_empty() {
            for _ in 0..5 {
                if done.is_empty() || flush(&n, &mut done).await.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            break;
        }

        let mut failed = false;
        if !stopping && Instant::now() >= next_promote {
            next_promote = Instant::now() + Duration::from_millis(250);
            if let Err(error) = n.queue.promote_due().await {
                tracing::warn!(%error, "retries wait");
                failed = true;
            }
        }
        if !stopping && !failed && in_flight.len() <= concurrency / 2 {
            let room = concurrency - in_flight.len();
            match next_jobs(&n, &consumer, room, &mut next_recovery).await {
                Ok(jobs) if !jobs.is_empty() => match prepare(&n, jobs).await {
                    Ok(prepared) => {
                        done.extend(prepared.not_sent);
                        for (job, delivery) in prepared.to_send {
                            in_flight.push(send_one(n.clone(), job, delivery).boxed());
                        }
                    }
                    Err(error) => {
                        // The jobs stay unacknowledged and come back after the idle time.
                        tracing::warn!(%error, "cannot claim deliveries");
                        failed = true;
                    }
                },
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "cannot take send jobs");
                    failed = true;
                }
            }
        }
        if failed {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = stop.changed() => {}
            }
            pause = (pause * 2).min(Duration::from_secs(10));
        } else {
            pause = Duration::from_millis(100);
        }

        if in_flight.is_empty() {
            if done.is_empty() && !failed {
                tokio::select! {
                    () = n.queue.wait(Duration::from_millis(200)) => {}
                    _ = stop.changed() => {}
                }
            }
        } else {
            tokio::select! {
                Some(finished) = in_flight.next() => done.push(finished),
                () = tokio::time::sleep(Duration::from_millis(5)) => {}
            }
            while let Some(Some(finished)) = in_flight.next().now_or_never() {
                done.push(finished);
            }
        }
        let due = done.len() >= 256
            || in_flight.is_empty()
            || last_flush.elapsed() >= Duration::from_millis(100);
        if !done.is_empty() && due {
            match flush(&n, &mut done).await {
                Ok(()) => last_flush = Instant::now(),
                Err(error) => {
                    tracing::warn!(%error, pending = done.len(), "outcomes wait to be recorded")
                }
            }
        }
    }
    tracing::info!(consumer, "sender stopped");
}

/// Jobs abandoned by dead senders (now and then), then fresh ones.
async fn next_jobs(
    n: &Notifications,
    consumer: &str,
    room: usize,
    next_recovery: &mut Instant,
) -> Result<Vec<Job>, crate::queue::QueueError> {
    let mut jobs = Vec::new();
    if Instant::now() >= *next_recovery {
        *next_recovery = Instant::now() + n.settings.claim_idle / 2;
        jobs = n
            .queue
            .recover(consumer, n.settings.claim_idle, room)
            .await?;
        if !jobs.is_empty() {
            tracing::info!(
                count = jobs.len(),
                "taking over send jobs of a stopped sender"
            );
        }
    }
    if jobs.len() < room {
        jobs.extend(n.queue.take(consumer, room - jobs.len()).await?);
    }
    Ok(jobs)
}

struct Prepared {
    to_send: Vec<(Job, Delivery)>,
    not_sent: Vec<Finished>,
}

/// Claims the deliveries behind `jobs` and decides, from suppressions and preferences, which
/// to send. Jobs whose delivery is already done (or gone) are acknowledged at once; jobs whose
/// delivery another sender holds are left alone. Each office's transaction runs concurrently.
async fn prepare(n: &Notifications, jobs: Vec<Job>) -> Result<Prepared, DbErr> {
    let mut by_scope: HashMap<Scope, Vec<Job>> = HashMap::new();
    for job in jobs {
        by_scope.entry(job.scope).or_default().push(job);
    }
    let claims = by_scope
        .into_iter()
        .map(|(scope, jobs)| claim_in(n, scope, jobs));
    let mut prepared = Prepared {
        to_send: Vec::new(),
        not_sent: Vec::new(),
    };
    let mut ack_now = Vec::new();
    let mut first_error = None;
    for claimed in futures_util::future::join_all(claims).await {
        match claimed {
            Ok((part, acks)) => {
                prepared.to_send.extend(part.to_send);
                prepared.not_sent.extend(part.not_sent);
                ack_now.extend(acks);
            }
            // Those jobs stay unacknowledged and come back after the idle time.
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if let Err(error) = n.queue.ack(&ack_now).await {
        tracing::debug!(%error, "acknowledging finished jobs later");
    }
    match first_error {
        Some(error) if prepared.to_send.is_empty() && prepared.not_sent.is_empty() => Err(error),
        Some(error) => {
            tracing::warn!(%error, "some deliveries could not be claimed");
            Ok(prepared)
        }
        None => Ok(prepared),
    }
}

/// [`prepare`] for the jobs of one office (or the platform): what to send or record, and the
/// jobs to acknowledge.
async fn claim_in(
    n: &Notifications,
    scope: Scope,
    jobs: Vec<Job>,
) -> Result<(Prepared, Vec<Job>), DbErr> {
    let now = Utc::now();
    let lease = chrono::Duration::from_std(n.settings.lease).unwrap_or_default();
    let ids: Vec<Uuid> = jobs.iter().map(|j| j.delivery).collect();
    let txn = n.db.begin(scope).await?;
    let claimed = deliveries::claim(&*txn, scope, &ids, now, now + lease).await?;
    let claimed_ids: HashSet<Uuid> = claimed.iter().map(|d| d.id).collect();
    let others: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !claimed_ids.contains(id))
        .collect();
    let states: HashMap<Uuid, Status> = deliveries::statuses(&*txn, scope, &others)
        .await?
        .into_iter()
        .collect();
    let (suppressed, preferences) = match scope.tenant() {
        Some(tenant) if !claimed.is_empty() => {
            let mut addresses: Vec<String> = claimed.iter().map(|d| d.recipient.clone()).collect();
            addresses.sort();
            addresses.dedup();
            let suppressed: HashSet<String> = choices::suppressed_among(&*txn, tenant, &addresses)
                .await?
                .into_iter()
                .collect();
            let preferences: HashMap<(String, Category), Frequency> =
                choices::preferences_of(&*txn, tenant, &addresses)
                    .await?
                    .into_iter()
                    .map(|(address, category, frequency)| ((address, category), frequency))
                    .collect();
            (suppressed, preferences)
        }
        _ => (HashSet::new(), HashMap::new()),
    };
    txn.commit().await?;

    let mut prepared = Prepared {
        to_send: Vec::new(),
        not_sent: Vec::new(),
    };
    let mut ack_now = Vec::new();
    let mut claimed: HashMap<Uuid, Delivery> = claimed.into_iter().map(|d| (d.id, d)).collect();
    for job in jobs {
        let Some(delivery) = claimed.remove(&job.delivery) else {
            match states.get(&job.delivery) {
                // Another sender holds it; if that sender died, the job comes back.
                Some(Status::Sending) => {}
                // Done, waiting for its retry (which has a job of its own), or gone.
                _ => ack_now.push(job),
            }
            continue;
        };
        match decide(&delivery, &suppressed, &preferences) {
            None => prepared.to_send.push((job, delivery)),
            Some((status, reason)) => prepared.not_sent.push(Finished {
                attempt: delivery.attempts,
                recipient: delivery.recipient.clone(),
                delivery: delivery.id,
                job,
                result: Outcome::NotSent(status, reason),
            }),
        }
    }
    Ok((prepared, ack_now))
}

/// Why not to send a claimed delivery, if there is a reason.
fn decide(
    delivery: &Delivery,
    suppressed: &HashSet<String>,
    preferences: &HashMap<(String, Category), Frequency>,
) -> Option<(Status, String)> {
    if suppressed.contains(&delivery.recipient) {
        return Some((
            Status::Suppressed,
            "address suppressed: an earlier message to it bounced".to_owned(),
        ));
    }
    let category = Category::parse(&delivery.category)?;
    if !category.choosable() || delivery.template == "daily_digest" {
        return None;
    }
    match preferences.get(&(delivery.recipient.clone(), category)) {
        Some(Frequency::Off) => Some((
            Status::Skipped,
            format!("preference: no {} mail", category.as_str()),
        )),
        Some(Frequency::Daily) if category.can_be_daily() => {
            Some((Status::Held, "preference: in the daily digest".to_owned()))
        }
        _ => None,
    }
}

/// Renders and sends one message, inside the trace of the request that caused it.
async fn send_one(n: Arc<Notifications>, job: Job, delivery: Delivery) -> Finished {
    let span = tracing::info_span!(
        "send_email",
        template = %delivery.template,
        delivery = %delivery.id,
        attempt = delivery.attempts,
        tenant = ?job.scope.tenant(),
    );
    lacznik_queue::continue_trace(&span, delivery.traceparent.as_deref());
    let result = async {
        match render::message(&n, job.scope, &delivery).await {
            Ok(message) => match n.mailer.send(message, n.settings.send_timeout).await {
                Ok(()) => Outcome::Sent,
                Err(SendError::Temporary(e)) => Outcome::Temporary(e),
                Err(SendError::Permanent(e)) => Outcome::Permanent(e),
            },
            Err(RenderError::OfficeUnavailable) => {
                Outcome::Temporary("office details unavailable".to_owned())
            }
            Err(RenderError::Broken(e)) => Outcome::Permanent(format!("cannot compose: {e}")),
        }
    }
    .instrument(span)
    .await;
    Finished {
        attempt: delivery.attempts,
        recipient: delivery.recipient,
        delivery: delivery.id,
        job,
        result,
    }
}

/// Whether a permanent failure says the mailbox does not exist (a hard bounce).
fn hard_bounce(reason: &str) -> bool {
    ["(550)", "(551)", "(553)", " 5.1.1", " 5.1.2", " 5.1.10"]
        .iter()
        .any(|sign| reason.contains(sign))
}

/// What happens to the queue job once the outcome is recorded.
enum After {
    Ack,
    Retry(chrono::DateTime<Utc>),
    Dead(String),
}

/// Records every finished job, office by office (concurrently), then acknowledges, re-queues
/// or dead-letters the jobs. What could not be recorded stays in `done` for the next try.
async fn flush(n: &Notifications, done: &mut Vec<Finished>) -> Result<(), DbErr> {
    let mut by_scope: HashMap<Scope, Vec<Finished>> = HashMap::new();
    for finished in done.drain(..) {
        by_scope
            .entry(finished.job.scope)
            .or_default()
            .push(finished);
    }
    let records = by_scope.into_iter().map(|(scope, finished)| async move {
        let recorded = record(n, scope, &finished).await;
        (finished, recorded)
    });
    let mut first_error = None;
    let mut after = Vec::new();
    for (finished, recorded) in futures_util::future::join_all(records).await {
        match recorded {
            Ok(then) => after.extend(then),
            Err(error) => {
                done.extend(finished);
                first_error.get_or_insert(error);
            }
        }
    }
    settle(n, after).await;
    first_error.map_or(Ok(()), Err)
}

async fn record(
    n: &Notifications,
    scope: Scope,
    finished: &[Finished],
) -> Result<Vec<(Job, After)>, DbErr> {
    let now = Utc::now();
    let max = n.settings.max_attempts;
    let mut outcomes = Vec::with_capacity(finished.len());
    let mut after = Vec::with_capacity(finished.len());
    let mut bounced = Vec::new();
    let (mut sent, mut failed) = (0u32, 0u32);
    for f in finished {
        let (recorded, then) = match &f.result {
            Outcome::Sent => {
                sent += 1;
                (Recorded::Sent, After::Ack)
            }
            Outcome::NotSent(status, reason) => (
                Recorded::NotSent {
                    status: *status,
                    reason: reason.clone(),
                },
                After::Ack,
            ),
            Outcome::Temporary(reason) if f.attempt < max => {
                let at = now
                    + chrono::Duration::from_std(n.settings.backoff(f.attempt)).unwrap_or_default();
                (
                    Recorded::Retry {
                        at,
                        reason: reason.clone(),
                    },
                    After::Retry(at),
                )
            }
            Outcome::Temporary(reason) => {
                failed += 1;
                let reason = format!("gave up after {} attempts: {reason}", f.attempt);
                (
                    Recorded::Failed {
                        reason: reason.clone(),
                        permanent: false,
                    },
                    After::Dead(reason),
                )
            }
            Outcome::Permanent(reason) => {
                failed += 1;
                if hard_bounce(reason) {
                    bounced.push((f.recipient.clone(), reason.clone()));
                }
                (
                    Recorded::Failed {
                        reason: reason.clone(),
                        permanent: true,
                    },
                    After::Dead(reason.clone()),
                )
            }
        };
        outcomes.push((f.delivery, f.attempt, recorded));
        after.push((f.job.clone(), then));
    }
    let txn = n.db.begin(scope).await?;
    deliveries::record(&*txn, scope, &outcomes, now).await?;
    if let Some(tenant) = scope.tenant() {
        for (address, reason) in &bounced {
            choices::suppress(&*txn, tenant, address, "hard_bounce", reason, now).await?;
        }
        if sent + failed > 0 {
            lacznik_queue::enqueue_in(
                &*txn,
                scope,
                &Event {
                    topic: DELIVERIES_RECORDED,
                    payload: serde_json::json!({ "sent": sent, "failed": failed, "at": now }),
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(after)
}

/// Acknowledges, re-queues or dead-letters recorded jobs. A failure here is harmless: the job
/// comes back, finds its record final, and is dropped then.
async fn settle(n: &Notifications, after: Vec<(Job, After)>) {
    let mut acks = Vec::new();
    for (job, then) in after {
        let result = match then {
            After::Ack => {
                acks.push(job);
                Ok(())
            }
            After::Retry(at) => n.queue.retry(&job, at).await,
            After::Dead(reason) => n.queue.dead(&job, &reason).await,
        };
        if let Err(error) = result {
            tracing::debug!(%error, "job settles later");
        }
    }
    if let Err(error) = n.queue.ack(&acks).await {
        tracing::debug!(%error, "jobs are acknowledged later");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_bounces_are_told_from_other_refusals() {
        assert!(hard_bounce("permanent error (550): 5.1.1 No such mailbox"));
        assert!(!hard_bounce(
            "permanent error (554): 5.7.1 Message rejected as spam"
        ));
    }
}
