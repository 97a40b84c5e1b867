//! Send jobs: "deliver record X". One queue per office and priority tier, served fairly — the
//! most urgent tier first, and within a tier the office served least recently first, each office
//! within its send rate (security mail is never held back) — so one office's broadcast to
//! thousands never keeps another office's single assignment email waiting.
//!
//! In production the queues are Redis streams read with a consumer group: a job stays pending
//! until acknowledged, and jobs a dead sender held are taken over after an idle time
//! (XAUTOCLAIM). Retries wait in a sorted set until they are due; given-up jobs go to a
//! dead-letter stream with the reason. In the embedded mode the same policy runs in memory.
//! Either way the delivery record in the database is the truth: a job is only a pointer, a
//! duplicate job finds its record sent and is dropped, and a lost one is re-queued from the
//! record by the reconciler.

mod memory;
mod redis;

use std::time::Duration;

use chrono::{DateTime, Utc};
use lacznik_tenancy::Scope;
use lacznik_types::TenantId;
use uuid::Uuid;

pub use self::memory::MemoryQueue;
pub use self::redis::RedisQueue;

/// A job to queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewJob {
    pub scope: Scope,
    pub tier: u8,
    pub delivery: Uuid,
}

/// A job taken from the queue, to be acknowledged once handled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub scope: Scope,
    pub tier: u8,
    pub delivery: Uuid,
    /// The stream entry (Redis); empty in memory.
    pub(crate) entry: String,
}

/// How the scheduler shares the sending capacity.
#[derive(Clone, Copy, Debug)]
pub struct Fairness {
    /// Jobs taken from one office's queue in one pass, so the next office gets its turn.
    pub per_office: usize,
    /// Messages an office may send per second…
    pub rate_per_sec: f64,
    /// …and in a burst.
    pub burst: f64,
}

/// The queue could not be reached; the jobs wait (in Redis or in the database).
#[derive(Debug, thiserror::Error)]
#[error("queue: {0}")]
pub struct QueueError(pub String);

impl From<::redis::RedisError> for QueueError {
    fn from(error: ::redis::RedisError) -> Self {
        Self(error.to_string())
    }
}

/// The queue of this deployment.
pub enum Queue {
    Redis(RedisQueue),
    Memory(MemoryQueue),
}

impl Queue {
    /// Adds jobs.
    pub async fn push(&self, jobs: &[NewJob]) -> Result<(), QueueError> {
        if jobs.is_empty() {
            return Ok(());
        }
        match self {
            Self::Redis(q) => q.push(jobs).await,
            Self::Memory(q) => {
                q.push(jobs);
                Ok(())
            }
        }
    }

    /// Takes up to `max` jobs, fairly.
    pub async fn take(&self, consumer: &str, max: usize) -> Result<Vec<Job>, QueueError> {
        match self {
            Self::Redis(q) => q.take(consumer, max).await,
            Self::Memory(q) => Ok(q.take(max)),
        }
    }

    /// Waits (at most `timeout`) for new jobs to arrive.
    pub async fn wait(&self, timeout: Duration) {
        match self {
            Self::Redis(_) => tokio::time::sleep(timeout.min(Duration::from_millis(25))).await,
            Self::Memory(q) => q.wait(timeout).await,
        }
    }

    /// Done with these jobs.
    pub async fn ack(&self, jobs: &[Job]) -> Result<(), QueueError> {
        if jobs.is_empty() {
            return Ok(());
        }
        match self {
            Self::Redis(q) => q.ack(jobs).await,
            Self::Memory(_) => Ok(()),
        }
    }

    /// Done with this attempt; queue the job again at `at`.
    pub async fn retry(&self, job: &Job, at: DateTime<Utc>) -> Result<(), QueueError> {
        match self {
            Self::Redis(q) => q.retry(job, at).await,
            Self::Memory(q) => {
                q.retry(job, at);
                Ok(())
            }
        }
    }

    /// Given up: keep the job, with the reason, among the dead letters.
    pub async fn dead(&self, job: &Job, reason: &str) -> Result<(), QueueError> {
        match self {
            Self::Redis(q) => q.dead(job, reason).await,
            Self::Memory(q) => {
                q.dead(job, reason);
                Ok(())
            }
        }
    }

    /// Moves retries that are due back to their queues; how many.
    pub async fn promote_due(&self) -> Result<usize, QueueError> {
        match self {
            Self::Redis(q) => q.promote_due().await,
            Self::Memory(q) => Ok(q.promote_due()),
        }
    }

    /// Takes over jobs another sender took more than `idle` ago and never acknowledged.
    pub async fn recover(
        &self,
        consumer: &str,
        idle: Duration,
        max: usize,
    ) -> Result<Vec<Job>, QueueError> {
        match self {
            Self::Redis(q) => q.recover(consumer, idle, max).await,
            Self::Memory(_) => Ok(Vec::new()),
        }
    }

    /// The dead letters, newest first: (delivery, scope, reason).
    pub async fn dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError> {
        match self {
            Self::Redis(q) => q.dead_letters(max).await,
            Self::Memory(q) => Ok(q.dead_letters(max)),
        }
    }
}

/// A job given up on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub delivery: Uuid,
    pub scope: Scope,
    pub reason: String,
}

/// `platform` or the office id, as queue names carry it.
fn scope_name(scope: Scope) -> String {
    match scope.tenant() {
        Some(tenant) => tenant.to_string(),
        None => "platform".to_owned(),
    }
}

fn parse_scope(name: &str) -> Option<Scope> {
    if name == "platform" {
        return Some(Scope::Platform);
    }
    name.parse::<Uuid>()
        .ok()
        .map(|id| Scope::Office(TenantId::from_uuid(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_round_trip() {
        let office = Scope::Office(TenantId::from_uuid(Uuid::now_v7()));
        assert_eq!(parse_scope(&scope_name(office)), Some(office));
        assert_eq!(parse_scope("platform"), Some(Scope::Platform));
        assert_eq!(parse_scope("nonsense"), None);
    }
}
