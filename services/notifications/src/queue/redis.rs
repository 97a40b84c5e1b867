//! The queue on Redis. Keys under the deployment's prefix:
//! - `mail:q:<office|platform>:<tier>` — a stream of jobs (`d` = delivery id), consumer group
//!   `senders`;
//! - `mail:ready:<tier>` — a sorted set of the streams that may hold unread jobs, scored by when
//!   each was last served (least recently served first);
//! - `mail:all` — every job stream (for taking over abandoned jobs);
//! - `mail:retry` — a sorted set of jobs waiting for their next attempt, scored by due time;
//! - `mail:dead` — the dead-letter stream (delivery, office, reason);
//! - `mail:rate:<office>` — the office's token bucket.
//!
//! Pushing, taking and promoting are Lua scripts, so a stream is never dropped from the ready
//! set while a job is being added to it. The scripts find streams through the ready sets, so on
//! Redis Cluster all of these keys must share a slot (a `{…}` hash tag in the prefix).

use std::time::Duration;

use chrono::{DateTime, Utc};
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamAutoClaimReply, StreamRangeReply};
use redis::{AsyncConnectionConfig, Script, Value};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::{DeadLetter, Fairness, Job, NewJob, QueueError, parse_scope, scope_name};
use crate::kinds::TIERS;

const GROUP: &str = "senders";
/// Dead letters kept in the stream (the delivery records keep every failure anyway).
const DEAD_KEPT: usize = 100_000;

const PUSH: &str = r"
local prefix, group = ARGV[1], ARGV[2]
for i = 3, #ARGV, 3 do
  local stream = prefix .. 'mail:q:' .. ARGV[i] .. ':' .. ARGV[i + 1]
  if redis.call('EXISTS', stream) == 0 then
    redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
  end
  redis.call('XADD', stream, '*', 'd', ARGV[i + 2])
  redis.call('ZADD', prefix .. 'mail:ready:' .. ARGV[i + 1], 'NX', 0, stream)
  redis.call('SADD', prefix .. 'mail:all', stream)
end
return 1
";

/// Tier by tier, streams least recently served first: up to `per_office` jobs from each, as
/// many as the office's tokens allow (not counted for tier 0 or the platform), until `max`.
const TAKE: &str = r"
local prefix, group, consumer = ARGV[1], ARGV[2], ARGV[3]
local left, per_office, now = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local rate, burst, tiers = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local out, tokens = {}, {}
local function bucket(scope)
  if tokens[scope] == nil then
    local state = redis.call('HMGET', prefix .. 'mail:rate:' .. scope, 't', 'ts')
    local t = tonumber(state[1]) or burst
    local ts = tonumber(state[2]) or now
    tokens[scope] = math.min(burst, t + math.max(0, now - ts) * rate / 1000)
  end
  return tokens[scope]
end
for tier = 0, tiers - 1 do
  if left <= 0 then break end
  local ready = prefix .. 'mail:ready:' .. tier
  for _, stream in ipairs(redis.call('ZRANGE', ready, 0, -1)) do
    if left <= 0 then break end
    local scope = string.match(stream, 'mail:q:([^:]+):%d+$')
    local limited = tier > 0 and scope ~= 'platform'
    local n = math.min(per_office, left)
    if limited then n = math.min(n, math.floor(bucket(scope))) end
    if n >= 1 then
      local res = redis.pcall('XREADGROUP', 'GROUP', group, consumer, 'COUNT', n, 'STREAMS', stream, '>')
      if type(res) ~= 'table' or res.err or res[1] == nil then
        redis.call('ZREM', ready, stream)
      else
        local entries = res[1][2]
        for _, e in ipairs(entries) do
          local fields, delivery = e[2], ''
          for k = 1, #fields, 2 do
            if fields[k] == 'd' then delivery = fields[k + 1] end
          end
          table.insert(out, {stream, e[1], delivery})
        end
        left = left - #entries
        if limited then tokens[scope] = tokens[scope] - #entries end
        redis.call('ZADD', ready, now, stream)
      end
    end
  end
end
for scope, t in pairs(tokens) do
  local key = prefix .. 'mail:rate:' .. scope
  redis.call('HSET', key, 't', tostring(t), 'ts', tostring(now))
  redis.call('PEXPIRE', key, 3600000)
end
return out
";

/// Moves retries that are due back to their streams.
const PROMOTE: &str = r"
local prefix, group, now = ARGV[1], ARGV[2], ARGV[3]
local due = redis.call('ZRANGEBYSCORE', prefix .. 'mail:retry', '-inf', now, 'LIMIT', 0, 500)
for _, member in ipairs(due) do
  local scope, tier, delivery = string.match(member, '^([^|]+)|(%d+)|(.+)$')
  if scope then
    local stream = prefix .. 'mail:q:' .. scope .. ':' .. tier
    if redis.call('EXISTS', stream) == 0 then
      redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
    end
    redis.call('XADD', stream, '*', 'd', delivery)
    redis.call('ZADD', prefix .. 'mail:ready:' .. tier, 'NX', 0, stream)
    redis.call('SADD', prefix .. 'mail:all', stream)
  end
  redis.call('ZREM', prefix .. 'mail:retry', member)
end
return #due
";

pub struct RedisQueue {
    client: redis::Client,
    prefix: String,
    fairness: Fairness,
    connection: Mutex<Option<MultiplexedConnection>>,
    push: Script,
    take: Script,
    promote: Script,
}

impl RedisQueue {
    pub fn new(client: redis::Client, prefix: &str, fairness: Fairness) -> Self {
        Self {
            client,
            prefix: prefix.to_owned(),
            fairness,
            connection: Mutex::new(None),
            push: Script::new(PUSH),
            take: Script::new(TAKE),
            promote: Script::new(PROMOTE),
        }
    }

    fn key(&self, name: &str) -> String {
        format!("{}mail:{name}", self.prefix)
    }

    async fn conn(&self) -> Result<MultiplexedConnection, QueueError> {
        let mut cached = self.connection.lock().await;
        if let Some(conn) = cached.as_ref() {
            return Ok(conn.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(5)));
        let conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *cached = Some(conn.clone());
        Ok(conn)
    }

    /// Runs a call; a failure drops the connection, so the next call dials again.
    async fn call<T>(
        &self,
        work: impl AsyncFnOnce(&mut MultiplexedConnection) -> Result<T, redis::RedisError>,
    ) -> Result<T, QueueError> {
        let mut conn = self.conn().await?;
        match work(&mut conn).await {
            Ok(value) => Ok(value),
            Err(error) => {
                if error.is_io_error() || error.is_timeout() || error.is_connection_dropped() {
                    *self.connection.lock().await = None;
                }
                Err(error.into())
            }
        }
    }

    pub async fn push(&self, jobs: &[NewJob]) -> Result<(), QueueError> {
        for chunk in jobs.chunks(500) {
            let mut invocation = self.push.prepare_invoke();
            invocation.arg(&self.prefix).arg(GROUP);
            for job in chunk {
                invocation
                    .arg(scope_name(job.scope))
                    .arg(job.tier)
                    .arg(job.delivery.to_string());
            }
            self.call(async |conn| invocation.invoke_async::<i64>(conn).await)
                .await?;
        }
        Ok(())
    }

    pub async fn take(&self, consumer: &str, max: usize) -> Result<Vec<Job>, QueueError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let now = Utc::now().timestamp_millis();
        let taken: Vec<(String, String, String)> = self
            .call(async |conn| {
                self.take
                    .arg(&self.prefix)
                    .arg(GROUP)
                    .arg(consumer)
                    .arg(max)
                    .arg(self.fairness.per_office.max(1))
                    .arg(now)
                    .arg(self.fairness.rate_per_sec)
                    .arg(self.fairness.burst)
                    .arg(TIERS)
                    .invoke_async(conn)
                    .await
            })
            .await?;
        let mut jobs = Vec::with_capacity(taken.len());
        let mut malformed = Vec::new();
        for (stream, entry, delivery) in taken {
            match (
                job_of(&self.prefix, &stream, &entry, &delivery),
                delivery.parse::<Uuid>(),
            ) {
                (Some(job), Ok(_)) => jobs.push(job),
                _ => malformed.push((stream, entry)),
            }
        }
        if !malformed.is_empty() {
            tracing::warn!(count = malformed.len(), "malformed send jobs dropped");
            self.call(async |conn| {
                let mut pipe = redis::pipe();
                for (stream, entry) in &malformed {
                    pipe.cmd("XACK").arg(stream).arg(GROUP).arg(entry).ignore();
                    pipe.cmd("XDEL").arg(stream).arg(entry).ignore();
                }
                pipe.query_async::<()>(conn).await
            })
            .await?;
        }
        Ok(jobs)
    }

    fn stream(&self, job: &Job) -> String {
        format!(
            "{}mail:q:{}:{}",
            self.prefix,
            scope_name(job.scope),
            job.tier
        )
    }

    pub async fn ack(&self, jobs: &[Job]) -> Result<(), QueueError> {
        self.call(async |conn| {
            let mut pipe = redis::pipe();
            for job in jobs {
                let stream = self.stream(job);
                pipe.cmd("XACK")
                    .arg(&stream)
                    .arg(GROUP)
                    .arg(&job.entry)
                    .ignore();
                pipe.cmd("XDEL").arg(&stream).arg(&job.entry).ignore();
            }
            pipe.query_async::<()>(conn).await
        })
        .await
    }

    /// Acknowledges and removes `job`'s entry, together with `then`, atomically.
    async fn finish(
        &self,
        job: &Job,
        then: impl FnOnce(&mut redis::Pipeline),
    ) -> Result<(), QueueError> {
        let stream = self.stream(job);
        let mut pipe = redis::pipe();
        pipe.atomic();
        then(&mut pipe);
        pipe.cmd("XACK")
            .arg(&stream)
            .arg(GROUP)
            .arg(&job.entry)
            .ignore()
            .cmd("XDEL")
            .arg(&stream)
            .arg(&job.entry)
            .ignore();
        self.call(async |conn| pipe.query_async::<()>(conn).await)
            .await
    }

    pub async fn retry(&self, job: &Job, at: DateTime<Utc>) -> Result<(), QueueError> {
        let member = format!("{}|{}|{}", scope_name(job.scope), job.tier, job.delivery);
        self.finish(job, |pipe| {
            pipe.cmd("ZADD")
                .arg(self.key("retry"))
                .arg(at.timestamp_millis())
                .arg(member)
                .ignore();
        })
        .await
    }

    pub async fn dead(&self, job: &Job, reason: &str) -> Result<(), QueueError> {
        self.finish(job, |pipe| {
            pipe.cmd("XADD")
                .arg(self.key("dead"))
                .arg("MAXLEN")
                .arg("~")
                .arg(DEAD_KEPT)
                .arg("*")
                .arg("d")
                .arg(job.delivery.to_string())
                .arg("scope")
                .arg(scope_name(job.scope))
                .arg("reason")
                .arg(reason)
                .ignore();
        })
        .await
    }

    pub async fn promote_due(&self) -> Result<usize, QueueError> {
        let now = Utc::now().timestamp_millis();
        let moved: i64 = self
            .call(async |conn| {
                self.promote
                    .arg(&self.prefix)
                    .arg(GROUP)
                    .arg(now)
                    .invoke_async(conn)
                    .await
            })
            .await?;
        Ok(usize::try_from(moved).unwrap_or(0))
    }

    pub async fn recover(
        &self,
        consumer: &str,
        idle: Duration,
        max: usize,
    ) -> Result<Vec<Job>, QueueError> {
        let streams: Vec<String> = self
            .call(async |conn| {
                redis::cmd("SMEMBERS")
                    .arg(self.key("all"))
                    .query_async(conn)
                    .await
            })
            .await?;
        let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
        let mut jobs = Vec::new();
        for stream in streams {
            if jobs.len() >= max {
                break;
            }
            let reply: Result<StreamAutoClaimReply, QueueError> = self
                .call(async |conn| {
                    redis::cmd("XAUTOCLAIM")
                        .arg(&stream)
                        .arg(GROUP)
                        .arg(consumer)
                        .arg(idle_ms)
                        .arg("0-0")
                        .arg("COUNT")
                        .arg(max - jobs.len())
                        .query_async(conn)
                        .await
                })
                .await;
            let reply = match reply {
                Ok(reply) => reply,
                // The stream or its group is gone (Redis restarted empty): nothing to take over.
                Err(error) if error.0.contains("NOGROUP") => continue,
                Err(error) => return Err(error),
            };
            for entry in reply.claimed {
                let delivery = entry
                    .map
                    .get("d")
                    .and_then(|v| redis::from_redis_value_ref::<String>(v).ok())
                    .unwrap_or_default();
                if let Some(job) = job_of(&self.prefix, &stream, &entry.id, &delivery) {
                    jobs.push(job);
                }
            }
        }
        Ok(jobs)
    }

    pub async fn dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError> {
        let reply: StreamRangeReply = self
            .call(async |conn| {
                redis::cmd("XREVRANGE")
                    .arg(self.key("dead"))
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(max)
                    .query_async(conn)
                    .await
            })
            .await?;
        Ok(reply
            .ids
            .iter()
            .filter_map(|entry| {
                let field = |name: &str| {
                    entry
                        .map
                        .get(name)
                        .and_then(|v: &Value| redis::from_redis_value_ref::<String>(v).ok())
                };
                Some(DeadLetter {
                    delivery: field("d")?.parse().ok()?,
                    scope: parse_scope(&field("scope")?)?,
                    reason: field("reason").unwrap_or_default(),
                })
            })
            .collect())
    }
}

/// The job behind a stream entry: `<prefix>mail:q:<scope>:<tier>` and the delivery id.
fn job_of(prefix: &str, stream: &str, entry: &str, delivery: &str) -> Option<Job> {
    let rest = stream.strip_prefix(prefix)?.strip_prefix("mail:q:")?;
    let (scope, tier) = rest.rsplit_once(':')?;
    Some(Job {
        scope: parse_scope(scope)?,
        tier: tier.parse().ok()?,
        delivery: delivery.parse().ok()?,
        entry: entry.to_owned(),
    })
}
