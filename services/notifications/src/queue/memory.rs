//! The embedded mode's queue: the same scheduling policy as the Redis one, in this process's
//! memory. Nothing here survives a restart, and nothing needs to: on start the reconciler queues
//! again every delivery the database says is still waiting.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lacznik_tenancy::Scope;
use tokio::sync::Notify;
use uuid::Uuid;

use super::{DeadLetter, Fairness, Job, NewJob};
use crate::kinds::TIERS;

/// Dead letters kept in memory (the delivery records keep every failure anyway).
const DEAD_KEPT: usize = 1000;

#[derive(Default)]
struct State {
    queues: HashMap<(Scope, u8), VecDeque<Uuid>>,
    /// When each queue was last served (a counter), least recently served first.
    served: HashMap<(Scope, u8), u64>,
    clock: u64,
    buckets: HashMap<Scope, (f64, Instant)>,
    retries: BTreeMap<(DateTime<Utc>, Uuid), Job>,
    dead: VecDeque<DeadLetter>,
}

pub struct MemoryQueue {
    state: Mutex<State>,
    arrived: Notify,
    fairness: Fairness,
}

impl MemoryQueue {
    pub fn new(fairness: Fairness) -> Self {
        Self {
            state: Mutex::new(State::default()),
            arrived: Notify::new(),
            fairness,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn push(&self, jobs: &[NewJob]) {
        {
            let mut state = self.state();
            for job in jobs {
                state
                    .queues
                    .entry((job.scope, job.tier))
                    .or_default()
                    .push_back(job.delivery);
            }
        }
        self.arrived.notify_waiters();
    }

    pub async fn wait(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.arrived.notified()).await;
    }

    pub fn take(&self, max: usize) -> Vec<Job> {
        let fairness = self.fairness;
        let mut state = self.state();
        let now = Instant::now();
        let mut taken = Vec::new();
        for tier in 0..TIERS {
            if taken.len() >= max {
                break;
            }
            let mut ready: Vec<(u64, Scope)> = state
                .queues
                .iter()
                .filter(|((_, t), q)| *t == tier && !q.is_empty())
                .map(|((scope, _), _)| {
                    (
                        state.served.get(&(*scope, tier)).copied().unwrap_or(0),
                        *scope,
                    )
                })
                .collect();
            ready.sort_by_key(|(served, scope)| (*served, scope_key(*scope)));
            for (_, scope) in ready {
                let left = max - taken.len();
                if left == 0 {
                    break;
                }
                let mut n = fairness.per_office.min(left);
                let limited = tier > 0 && scope.tenant().is_some();
                if limited {
                    let (tokens, at) = state
                        .buckets
                        .get(&scope)
                        .copied()
                        .unwrap_or((fairness.burst, now));
                    let refilled = (tokens
                        + now.duration_since(at).as_secs_f64() * fairness.rate_per_sec)
                        .min(fairness.burst);
                    state.buckets.insert(scope, (refilled, now));
                    // Whole messages only; what is left over counts next time.
                    n = n.min(refilled.max(0.0).floor() as usize);
                }
                if n == 0 {
                    continue;
                }
                let mut got = 0;
                if let Some(queue) = state.queues.get_mut(&(scope, tier)) {
                    while got < n {
                        let Some(delivery) = queue.pop_front() else {
                            break;
                        };
                        taken.push(Job {
                            scope,
                            tier,
                            delivery,
                            entry: String::new(),
                        });
                        got += 1;
                    }
                }
                if limited && let Some((tokens, _)) = state.buckets.get_mut(&scope) {
                    *tokens -= got as f64;
                }
                state.clock += 1;
                let clock = state.clock;
                state.served.insert((scope, tier), clock);
            }
        }
        state.queues.retain(|_, q| !q.is_empty());
        taken
    }

    pub fn retry(&self, job: &Job, at: DateTime<Utc>) {
        self.state().retries.insert((at, job.delivery), job.clone());
    }

    pub fn dead(&self, job: &Job, reason: &str) {
        let mut state = self.state();
        state.dead.push_front(DeadLetter {
            delivery: job.delivery,
            scope: job.scope,
            reason: reason.to_owned(),
        });
        state.dead.truncate(DEAD_KEPT);
    }

    pub fn promote_due(&self) -> usize {
        let now = Utc::now();
        let due: Vec<Job> = {
            let mut state = self.state();
            let later = state.retries.split_off(&(now, Uuid::max()));
            let due = std::mem::replace(&mut state.retries, later);
            due.into_values().collect()
        };
        let jobs: Vec<NewJob> = due
            .iter()
            .map(|j| NewJob {
                scope: j.scope,
                tier: j.tier,
                delivery: j.delivery,
            })
            .collect();
        self.push(&jobs);
        jobs.len()
    }

    pub fn dead_letters(&self, max: usize) -> Vec<DeadLetter> {
        self.state().dead.iter().take(max).cloned().collect()
    }
}

/// A stable order among offices served equally recently.
fn scope_key(scope: Scope) -> Uuid {
    scope.tenant().map_or(Uuid::nil(), |t| t.as_uuid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lacznik_types::TenantId;

    fn office() -> Scope {
        Scope::Office(TenantId::from_uuid(Uuid::now_v7()))
    }

    fn jobs(scope: Scope, tier: u8, n: usize) -> Vec<NewJob> {
        (0..n)
            .map(|_| NewJob {
                scope,
                tier,
                delivery: Uuid::now_v7(),
            })
            .collect()
    }

    fn fair(rate: f64, burst: f64) -> Fairness {
        Fairness {
            per_office: 8,
            rate_per_sec: rate,
            burst,
        }
    }

    #[test]
    fn a_big_broadcast_does_not_hold_back_another_office() {
        let queue = MemoryQueue::new(fair(1e9, 1e9));
        let (kielce, plock) = (office(), office());
        queue.push(&jobs(kielce, 3, 5000));
        let first = queue.take(8);
        assert!(first.iter().all(|j| j.scope == kielce));
        queue.push(&jobs(plock, 3, 1));
        let next = queue.take(8);
        assert!(
            next.iter().any(|j| j.scope == plock),
            "Płock waits behind Kielce: {next:?}"
        );
        queue.push(&jobs(plock, 1, 1));
        let next = queue.take(1);
        assert_eq!(
            (next[0].scope, next[0].tier),
            (plock, 1),
            "urgent tier first"
        );
    }

    #[test]
    fn an_office_over_its_rate_waits_but_security_mail_does_not() {
        let queue = MemoryQueue::new(fair(0.0, 3.0));
        let kielce = office();
        queue.push(&jobs(kielce, 3, 10));
        queue.push(&jobs(kielce, 0, 5));
        let taken = queue.take(100);
        let security = taken.iter().filter(|j| j.tier == 0).count();
        let broadcast = taken.iter().filter(|j| j.tier == 3).count();
        assert_eq!((security, broadcast), (5, 3));
        assert!(queue.take(100).is_empty(), "no tokens left");
    }

    #[test]
    fn retries_come_back_when_due() {
        let queue = MemoryQueue::new(fair(1e9, 1e9));
        let scope = office();
        queue.push(&jobs(scope, 1, 2));
        let taken = queue.take(10);
        queue.retry(&taken[0], Utc::now() - chrono::Duration::seconds(1));
        queue.retry(&taken[1], Utc::now() + chrono::Duration::hours(1));
        assert_eq!(queue.promote_due(), 1);
        assert_eq!(queue.take(10)[0].delivery, taken[0].delivery);
        queue.dead(&taken[1], "550 no such mailbox");
        assert_eq!(queue.dead_letters(5)[0].reason, "550 no such mailbox");
    }
}
