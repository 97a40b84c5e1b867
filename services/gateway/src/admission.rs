//! Who may pass, decided without a round trip to Redis on the request path.
//!
//! - **Rate per office.** Each gateway counts its requests locally and a background task adds
//!   them to the shared counter in Redis every [`FLUSH_EVERY`], learning the total of all
//!   replicas. A request is refused when the last known total plus the local hits not yet added
//!   exceed the limit; with several replicas an office can overshoot by what the others served
//!   in one flush interval. Without Redis (the embedded mode) the local count is the count.
//! - **Ended sessions.** A token's session is looked up in Redis at most once per
//!   [`RECHECK_EVERY`] per session; sessions the identity service ends in a response passing
//!   through this gateway (logout, a reused refresh token, a password change; see
//!   `lacznik_http::auth::ENDED_SESSIONS_HEADER`) are known here at once, and on other replicas
//!   within that interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use lacznik_limits::{Limits, rate_key, revoked_key};
use uuid::Uuid;

/// How often local request counts are added to the shared counters.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// How long a session known to be open is trusted without asking Redis again.
pub(crate) const RECHECK_EVERY: Duration = Duration::from_secs(1);

/// An office's counter as this gateway knows it.
struct Rate {
    /// When the current window ends.
    window_ends: Instant,
    /// All replicas' requests in this window, as of the last flush.
    known_total: u64,
    /// This gateway's requests not yet added to the shared counter…
    pending: u64,
    /// …and those being added right now (not yet in `known_total`).
    in_flight: u64,
}

/// What is known of a session.
struct Session {
    checked: Instant,
    ended: bool,
}

/// The verdict on one request.
pub(crate) enum Verdict {
    Pass,
    /// Over the office's rate; retry after this long.
    TooMany(Duration),
    SessionEnded,
}

pub(crate) struct Admission {
    limits: Limits,
    requests: u64,
    window: Duration,
    rates: Mutex<HashMap<Option<String>, Rate>>,
    sessions: Mutex<HashMap<Uuid, Session>>,
}

impl Admission {
    pub fn new(limits: Limits, requests: u32, window: Duration) -> Arc<Self> {
        let admission = Arc::new(Self {
            limits,
            requests: u64::from(requests),
            window,
            rates: Mutex::default(),
            sessions: Mutex::default(),
        });
        if admission.limits.is_shared() {
            tokio::spawn(flush_forever(Arc::downgrade(&admission)));
        }
        admission
    }

    /// Counts a request of `office` (none: the platform) and checks its session, if any.
    pub async fn admit(&self, office: Option<&str>, session: Option<Uuid>) -> Verdict {
        if let Some(retry) = self.count(office) {
            return Verdict::TooMany(retry);
        }
        match session {
            Some(session) if self.session_ended(office, session).await => Verdict::SessionEnded,
            _ => Verdict::Pass,
        }
    }

    fn count(&self, office: Option<&str>) -> Option<Duration> {
        let now = Instant::now();
        let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
        let rate = rates.entry(office.map(str::to_owned)).or_insert(Rate {
            window_ends: now + self.window,
            known_total: 0,
            pending: 0,
            in_flight: 0,
        });
        if rate.window_ends <= now {
            // A new window: what was counted (or could not be shared) belongs to the old one.
            rate.window_ends = now + self.window;
            rate.known_total = 0;
            rate.pending = 0;
        }
        rate.pending += 1;
        if !self.limits.is_shared() {
            // One process is the whole deployment: what it counted is the total.
            rate.known_total += rate.pending;
            rate.pending = 0;
        }
        (rate.known_total + rate.in_flight + rate.pending > self.requests)
            .then(|| rate.window_ends - now)
    }

    async fn session_ended(&self, office: Option<&str>, session: Uuid) -> bool {
        let now = Instant::now();
        {
            let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(known) = sessions.get(&session)
                && (known.ended || now.duration_since(known.checked) < RECHECK_EVERY)
            {
                return known.ended;
            }
        }
        let ended = match self
            .limits
            .remaining(&revoked_key(office, &session.to_string()))
            .await
        {
            Ok(mark) => mark.is_some(),
            Err(error) => {
                // A Redis outage must not take every office offline; tokens expire soon.
                tracing::warn!(%error, "ended sessions not checked: counter store unavailable");
                return false;
            }
        };
        self.remember(session, ended, now);
        ended
    }

    fn remember(&self, session: Uuid, ended: bool, now: Instant) {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if sessions.len() > 100_000 {
            sessions.retain(|_, s| s.ended || now.duration_since(s.checked) < RECHECK_EVERY);
        }
        sessions.insert(
            session,
            Session {
                checked: now,
                ended,
            },
        );
    }

    /// Sessions the identity service reports ended (from [`ENDED_SESSIONS_HEADER`]).
    pub fn sessions_ended(&self, header: &str) {
        let now = Instant::now();
        for session in header.split(',').filter_map(|s| s.trim().parse().ok()) {
            self.remember(session, true, now);
        }
    }

    /// Adds local counts to the shared counters and learns every replica's total.
    async fn flush(&self) {
        let batch: Vec<(Option<String>, u64)> = {
            let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            rates.retain(|_, r| r.pending > 0 || r.window_ends > now);
            rates
                .iter_mut()
                .filter(|(_, r)| r.pending > 0)
                .map(|(office, r)| {
                    // Still counted while on their way to the shared counter, so a request
                    // arriving meanwhile sees them.
                    let n = std::mem::take(&mut r.pending);
                    r.in_flight += n;
                    (office.clone(), n)
                })
                .collect()
        };
        for (office, n) in batch {
            match self
                .limits
                .add(&rate_key(office.as_deref()), n, self.window)
                .await
            {
                Ok((total, left)) => {
                    let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(rate) = rates.get_mut(&office) {
                        rate.in_flight = rate.in_flight.saturating_sub(n);
                        rate.known_total = total;
                        rate.window_ends = Instant::now() + left;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "request counts not shared: counter store unavailable");
                    // Keep counting them here; the next flush tries again.
                    let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(rate) = rates.get_mut(&office) {
                        rate.in_flight = rate.in_flight.saturating_sub(n);
                        rate.pending += n;
                    }
                }
            }
        }
    }

    /// Forgets sessions not seen for a while (ended ones live as long as a token could).
    fn forget_old_sessions(&self) {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        sessions.retain(|_, s| now.duration_since(s.checked) < Duration::from_secs(3600));
    }
}

async fn flush_forever(admission: Weak<Admission>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Walking every known session is not a job for every flush: once a minute is enough.
    let sweep_every = (Duration::from_secs(60).as_millis() / FLUSH_EVERY.as_millis()).max(1);
    for n in 1u128.. {
        tick.tick().await;
        let Some(admission) = admission.upgrade() else {
            return;
        };
        admission.flush().await;
        if n % sweep_every == 0 {
            admission.forget_old_sessions();
        }
    }
}
