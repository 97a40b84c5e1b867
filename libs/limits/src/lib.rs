//! Abuse limits shared by the gateway and the identity service: fixed-window counters, lockouts
//! that double with every further failure, and short-lived marks (a locked account, a revoked
//! session). In production they live in Redis so every replica sees the same counts; in the
//! embedded mode, where everything runs in one process, in that process's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use secrecy::ExposeSecret;

/// Why a limit could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum LimitsError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// Counters and marks, in Redis or in memory.
#[derive(Clone)]
pub struct Limits {
    backend: Backend,
    prefix: Arc<str>,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<Mutex<HashMap<String, (u64, Instant)>>>),
    Redis(Arc<RedisLink>),
}

/// A Redis connection made on first use, so the platform starts (and answers 503 where it
/// needs Redis) while Redis is down, and connects once it is back.
struct RedisLink {
    client: redis::Client,
    config: redis::aio::ConnectionManagerConfig,
    manager: tokio::sync::OnceCell<ConnectionManager>,
}

impl RedisLink {
    async fn conn(&self) -> Result<ConnectionManager, LimitsError> {
        Ok(self
            .manager
            .get_or_try_init(|| {
                ConnectionManager::new_with_config(self.client.clone(), self.config.clone())
            })
            .await?
            .clone())
    }
}

/// Beyond this many keys, the in-memory store drops expired ones.
const MEMORY_SWEEP_AT: usize = 10_000;

/// `INCRBY`; on a new key, `PEXPIRE`; answers the total and the time left.
const ADD_SCRIPT: &str = r"
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
";

/// The office (tenant id) or `platform` a key belongs to, as a Redis Cluster hash tag, so one
/// office's request-path keys live in one slot.
fn scope_tag(office: Option<&str>) -> String {
    format!("{{{}}}", office.unwrap_or("platform"))
}

/// The request counter of an office (or of the platform).
pub fn rate_key(office: Option<&str>) -> String {
    format!("{}:rate", scope_tag(office))
}

/// The mark of a session ended before its access tokens expire.
pub fn revoked_key(office: Option<&str>, session: &str) -> String {
    format!("{}:revoked:{session}", scope_tag(office))
}

/// When failures lock a key, and for how long.
#[derive(Clone, Copy, Debug)]
pub struct LockoutPolicy {
    /// Failures within `window` that lock.
    pub threshold: u32,
    pub window: Duration,
    /// The first lock; each failure beyond the threshold doubles it…
    pub base: Duration,
    /// …up to this.
    pub max: Duration,
}

impl LockoutPolicy {
    /// How long `failures` failures lock for, if at all.
    pub fn lock_for(&self, failures: u64) -> Option<Duration> {
        let over = failures.checked_sub(u64::from(self.threshold))?;
        let factor = 1u32
            .checked_shl(u32::try_from(over).unwrap_or(u32::MAX))
            .unwrap_or(u32::MAX);
        Some(self.base.saturating_mul(factor).min(self.max))
    }
}

impl Limits {
    /// Counters in this process's memory (the embedded mode).
    pub fn memory(prefix: &str) -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
            prefix: prefix.into(),
        }
    }

    /// Counters in Redis (connected on first use).
    pub fn redis(url: &str, prefix: &str) -> Result<Self, LimitsError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        Ok(Self {
            backend: Backend::Redis(Arc::new(RedisLink {
                client,
                config,
                manager: tokio::sync::OnceCell::new(),
            })),
            prefix: prefix.into(),
        })
    }

    /// Redis when configured, memory otherwise.
    pub async fn from_config(config: &lacznik_config::RedisConfig) -> Result<Self, LimitsError> {
        match &config.url {
            Some(url) => Self::redis(url.expose_secret(), &config.key_prefix),
            None => Ok(Self::memory(&config.key_prefix)),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Counts one event under `key` in a fixed window starting at the first event; returns
    /// the count so far and the time left in the window.
    pub async fn hit(&self, key: &str, window: Duration) -> Result<(u64, Duration), LimitsError> {
        self.add(key, 1, window).await
    }

    /// Adds `n` events under `key` in a fixed window starting at the first; returns the total
    /// so far and the time left in the window (for batched counting by several replicas).
    pub async fn add(
        &self,
        key: &str,
        n: u64,
        window: Duration,
    ) -> Result<(u64, Duration), LimitsError> {
        match &self.backend {
            Backend::Memory(map) => {
                let now = Instant::now();
                let mut map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if map.len() > MEMORY_SWEEP_AT {
                    map.retain(|_, (_, expires)| *expires > now);
                }
                let entry = map.entry(self.key(key)).or_insert((0, now + window));
                if entry.1 <= now {
                    *entry = (0, now + window);
                }
                entry.0 += n;
                Ok((entry.0, entry.1 - now))
            }
            Backend::Redis(link) => {
                let mut conn = link.conn().await?;
                let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
                let (total, ttl): (u64, i64) = redis::Script::new(ADD_SCRIPT)
                    .key(self.key(key))
                    .arg(window_ms)
                    .arg(n)
                    .invoke_async(&mut conn)
                    .await?;
                Ok((total, Duration::from_millis(ttl.max(0) as u64)))
            }
        }
    }

    /// Sets a mark under `key` that disappears after `ttl`.
    pub async fn mark(&self, key: &str, ttl: Duration) -> Result<(), LimitsError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                map.insert(key, (1, Instant::now() + ttl));
                Ok(())
            }
            Backend::Redis(link) => {
                let mut conn = link.conn().await?;
                let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
                redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("PX")
                    .arg(ms)
                    .query_async::<()>(&mut conn)
                    .await?;
                Ok(())
            }
        }
    }

    /// How long the mark (or counter) under `key` has left, if it exists.
    pub async fn remaining(&self, key: &str) -> Result<Option<Duration>, LimitsError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => {
                let map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let now = Instant::now();
                Ok(map
                    .get(&key)
                    .filter(|(_, expires)| *expires > now)
                    .map(|(_, expires)| *expires - now))
            }
            Backend::Redis(link) => {
                let mut conn = link.conn().await?;
                let ttl: i64 = redis::cmd("PTTL").arg(key).query_async(&mut conn).await?;
                Ok((ttl > 0).then(|| Duration::from_millis(ttl as u64)))
            }
        }
    }

    /// Removes `key`.
    pub async fn clear(&self, key: &str) -> Result<(), LimitsError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => {
                map.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&key);
                Ok(())
            }
            Backend::Redis(link) => {
                let mut conn = link.conn().await?;
                redis::cmd("DEL")
                    .arg(key)
                    .query_async::<()>(&mut conn)
                    .await?;
                Ok(())
            }
        }
    }

    /// Whether `subject` is locked now, and for how much longer.
    pub async fn locked(&self, subject: &str) -> Result<Option<Duration>, LimitsError> {
        self.remaining(&format!("lock:{subject}")).await
    }

    /// Records a failure of `subject`; locks it when the policy says so and returns the lock.
    pub async fn record_failure(
        &self,
        subject: &str,
        policy: &LockoutPolicy,
    ) -> Result<Option<Duration>, LimitsError> {
        let (failures, _) = self.hit(&format!("fail:{subject}"), policy.window).await?;
        let lock = policy.lock_for(failures);
        if let Some(lock) = lock {
            self.mark(&format!("lock:{subject}"), lock).await?;
        }
        Ok(lock)
    }

    /// Forgets the failures of `subject` (after a success).
    pub async fn clear_failures(&self, subject: &str) -> Result<(), LimitsError> {
        self.clear(&format!("fail:{subject}")).await
    }

    /// Readiness: the store answers.
    pub async fn ping(&self) -> Result<(), LimitsError> {
        if let Backend::Redis(link) = &self.backend {
            let mut conn = link.conn().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await?;
        }
        Ok(())
    }

    /// Whether the counters are shared through Redis.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Redis(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_doubles_and_caps() {
        let policy = LockoutPolicy {
            threshold: 3,
            window: Duration::from_secs(60),
            base: Duration::from_secs(10),
            max: Duration::from_secs(35),
        };
        assert_eq!(policy.lock_for(2), None);
        assert_eq!(policy.lock_for(3), Some(Duration::from_secs(10)));
        assert_eq!(policy.lock_for(4), Some(Duration::from_secs(20)));
        assert_eq!(policy.lock_for(5), Some(Duration::from_secs(35)));
        assert_eq!(policy.lock_for(500), Some(Duration::from_secs(35)));
    }

    #[tokio::test]
    async fn memory_window_counts_and_resets() {
        let limits = Limits::memory("t:");
        let window = Duration::from_millis(80);
        assert_eq!(limits.hit("k", window).await.unwrap_or_default().0, 1);
        assert_eq!(limits.hit("k", window).await.unwrap_or_default().0, 2);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(limits.hit("k", window).await.unwrap_or_default().0, 1);
    }
}
