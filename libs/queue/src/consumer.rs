//! Consuming events. Every consumer (notifications, statistics) is a [`Handler`] with a group
//! name of its own, so each sees every event whatever the others do. In production events come
//! from the per-office Redis streams the [`relay`](crate::relay) fills, read with a consumer
//! group ([`StreamConsumer`]): entries are acknowledged only after the handler succeeded, and
//! entries a dead process left unacknowledged are taken over after an idle time (XAUTOCLAIM).
//! In the embedded mode (no Redis) the [`OutboxPoller`](crate::poller::OutboxPoller) reads the
//! outbox itself and hands the same events to the same handlers.
//!
//! Delivery is at least once either way: a handler must drop an event id it has already
//! applied.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lacznik_types::TenantId;
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply};
use redis::{AsyncConnectionConfig, RedisError};
use tokio::sync::watch;
use uuid::Uuid;

use crate::relay::streams_key;

/// A boxed future, so handlers can be shared as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An event as consumers receive it.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The outbox row's id (UUIDv7): the same every time this event is delivered.
    pub id: Uuid,
    /// The office; absent for platform events.
    pub tenant: Option<TenantId>,
    pub topic: String,
    pub payload: serde_json::Value,
    /// W3C trace context of the request that caused the event.
    pub traceparent: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A handler could not apply a batch; nothing of it counts as done and it comes again.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HandlerError(pub String);

impl HandlerError {
    pub fn new(error: impl std::fmt::Display) -> Self {
        Self(error.to_string())
    }
}

/// Something that reacts to events.
pub trait Handler: Send + Sync {
    /// The consumer group (and the handler's name in logs).
    fn group(&self) -> &'static str;

    /// Whether the handler cares about `topic`; other events are acknowledged unseen.
    fn wants(&self, topic: &str) -> bool;

    /// Applies a batch (events of one or several offices, oldest first within an office).
    /// Must be idempotent per event id.
    fn handle<'a>(&'a self, events: &'a [Delivered]) -> BoxFuture<'a, Result<(), HandlerError>>;
}

/// How a [`StreamConsumer`] reads.
#[derive(Clone, Debug)]
pub struct ConsumerOptions {
    /// Entries read per stream at a time.
    pub batch: usize,
    /// How long one read waits for new entries.
    pub block: Duration,
    /// Entries unacknowledged this long belong to a consumer that died and are taken over.
    pub claim_idle: Duration,
    /// How often the list of office streams is read again.
    pub refresh: Duration,
}

impl Default for ConsumerOptions {
    fn default() -> Self {
        Self {
            batch: 100,
            block: Duration::from_millis(1000),
            claim_idle: Duration::from_secs(60),
            refresh: Duration::from_secs(1),
        }
    }
}

/// Reads every office's event stream with a consumer group and feeds a [`Handler`].
pub struct StreamConsumer {
    redis: redis::Client,
    prefix: String,
    /// This consumer's name within the group (unique per process and loop).
    consumer: String,
    options: ConsumerOptions,
}

#[derive(Debug, thiserror::Error)]
enum PassError {
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
    #[error("handler: {0}")]
    Handler(#[from] HandlerError),
}

impl StreamConsumer {
    pub fn new(
        redis: redis::Client,
        prefix: &str,
        consumer: &str,
        options: ConsumerOptions,
    ) -> Self {
        Self {
            redis,
            prefix: prefix.to_owned(),
            consumer: consumer.to_owned(),
            options,
        }
    }

    /// Consumes until `stop` turns true, finishing the batch in hand. Redis outages and
    /// handler failures are logged and retried with a growing pause (up to 30 s).
    pub async fn run(&self, handler: Arc<dyn Handler>, mut stop: watch::Receiver<bool>) {
        let mut state = LoopState::default();
        let mut pause = Duration::from_millis(200);
        while !*stop.borrow() {
            let result = tokio::select! {
                result = self.pass(&mut state, handler.as_ref()) => result,
                _ = stop.wait_for(|stop| *stop) => break,
            };
            match result {
                Ok(()) => pause = Duration::from_millis(200),
                Err(error) => {
                    tracing::warn!(group = handler.group(), %error, "event consumer: will retry");
                    if matches!(error, PassError::Redis(_)) {
                        state.forget_connection();
                    }
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        _ = stop.wait_for(|stop| *stop) => break,
                    }
                    pause = (pause * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    /// One read (or one recovery sweep), handled and acknowledged.
    async fn pass(&self, state: &mut LoopState, handler: &dyn Handler) -> Result<(), PassError> {
        let group = handler.group();
        let mut conn = match state.connection.clone() {
            Some(conn) => conn,
            None => {
                // This loop's own connection: a blocking read stalls nothing else.
                let config = AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(Duration::from_secs(2)))
                    .set_response_timeout(Some(self.options.block + Duration::from_secs(5)));
                let conn = self
                    .redis
                    .get_multiplexed_async_connection_with_config(&config)
                    .await?;
                state.connection = Some(conn.clone());
                state.refreshed = None;
                state.grouped.clear();
                conn
            }
        };
        if state
            .refreshed
            .is_none_or(|at| at.elapsed() >= self.options.refresh)
        {
            let streams: BTreeSet<String> = redis::cmd("SMEMBERS")
                .arg(streams_key(&self.prefix))
                .query_async(&mut conn)
                .await?;
            for stream in &streams {
                if !state.grouped.contains(stream) {
                    ensure_group(&mut conn, stream, group).await?;
                    state.grouped.insert(stream.clone());
                }
            }
            state.streams = streams.into_iter().collect();
            state.refreshed = Some(Instant::now());
        }
        if state.streams.is_empty() {
            tokio::time::sleep(self.options.block).await;
            return Ok(());
        }

        if state
            .claimed
            .is_none_or(|at| at.elapsed() >= self.options.claim_idle / 2)
        {
            state.claimed = Some(Instant::now());
            for stream in state.streams.clone() {
                self.recover(&mut conn, state, handler, &stream).await?;
            }
        }

        let options = StreamReadOptions::default()
            .group(group, &self.consumer)
            .count(self.options.batch)
            .block(
                self.options
                    .block
                    .as_millis()
                    .try_into()
                    .unwrap_or(usize::MAX),
            );
        let ids = vec![">"; state.streams.len()];
        let reply: Result<Option<StreamReadReply>, RedisError> = redis::cmd("XREADGROUP")
            .arg(&options)
            .arg("STREAMS")
            .arg(&state.streams)
            .arg(&ids)
            .query_async(&mut conn)
            .await;
        let reply = match reply {
            Ok(reply) => reply,
            Err(error) if error.code() == Some("NOGROUP") => {
                // Redis lost the group (restarted empty, or a stream was deleted): start over.
                state.grouped.clear();
                state.refreshed = None;
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        };
        let Some(reply) = reply else {
            return Ok(());
        };
        let batches: Vec<(String, Vec<StreamId>)> =
            reply.keys.into_iter().map(|k| (k.key, k.ids)).collect();
        self.apply(&mut conn, handler, batches).await
    }

    /// Takes over entries another consumer of the group left unacknowledged too long.
    async fn recover(
        &self,
        conn: &mut MultiplexedConnection,
        state: &mut LoopState,
        handler: &dyn Handler,
        stream: &str,
    ) -> Result<(), PassError> {
        let mut cursor = "0-0".to_owned();
        loop {
            let reply: Result<StreamAutoClaimReply, RedisError> = redis::cmd("XAUTOCLAIM")
                .arg(stream)
                .arg(handler.group())
                .arg(&self.consumer)
                .arg(u64::try_from(self.options.claim_idle.as_millis()).unwrap_or(u64::MAX))
                .arg(&cursor)
                .arg("COUNT")
                .arg(self.options.batch)
                .query_async(conn)
                .await;
            let reply = match reply {
                Ok(reply) => reply,
                Err(error) if error.code() == Some("NOGROUP") => {
                    state.grouped.remove(stream);
                    state.refreshed = None;
                    return Ok(());
                }
                Err(error) => return Err(error.into()),
            };
            if !reply.claimed.is_empty() {
                tracing::info!(
                    group = handler.group(),
                    stream,
                    entries = reply.claimed.len(),
                    "taking over events left by a stopped consumer"
                );
                self.apply(conn, handler, vec![(stream.to_owned(), reply.claimed)])
                    .await?;
            }
            if reply.next_stream_id == "0-0" {
                return Ok(());
            }
            cursor = reply.next_stream_id;
        }
    }

    /// Hands the wanted events to the handler and acknowledges every entry read.
    async fn apply(
        &self,
        conn: &mut MultiplexedConnection,
        handler: &dyn Handler,
        batches: Vec<(String, Vec<StreamId>)>,
    ) -> Result<(), PassError> {
        let mut events = Vec::new();
        for (stream, entries) in &batches {
            for entry in entries {
                match parse_entry(entry) {
                    Some(event) if handler.wants(&event.topic) => events.push(event),
                    Some(_) => {}
                    None => tracing::warn!(stream, id = entry.id, "malformed event entry skipped"),
                }
            }
        }
        if !events.is_empty() {
            handler.handle(&events).await?;
        }
        let mut pipe = redis::pipe();
        for (stream, entries) in &batches {
            if entries.is_empty() {
                continue;
            }
            pipe.cmd("XACK")
                .arg(stream)
                .arg(handler.group())
                .arg(entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>())
                .ignore();
        }
        pipe.query_async::<()>(conn).await?;
        Ok(())
    }
}

#[derive(Default)]
struct LoopState {
    connection: Option<MultiplexedConnection>,
    streams: Vec<String>,
    grouped: BTreeSet<String>,
    refreshed: Option<Instant>,
    claimed: Option<Instant>,
}

impl LoopState {
    fn forget_connection(&mut self) {
        self.connection = None;
    }
}

/// Creates the group on `stream` (from its first entry) unless it exists.
pub async fn ensure_group(
    conn: &mut MultiplexedConnection,
    stream: &str,
    group: &str,
) -> Result<(), RedisError> {
    let created: Result<(), RedisError> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(stream)
        .arg(group)
        .arg("0")
        .arg("MKSTREAM")
        .query_async(conn)
        .await;
    match created {
        Err(error) if error.code() != Some("BUSYGROUP") => Err(error),
        _ => Ok(()),
    }
}

/// An event from a stream entry written by the relay.
fn parse_entry(entry: &StreamId) -> Option<Delivered> {
    let field = |name: &str| -> Option<String> {
        entry
            .map
            .get(name)
            .and_then(|v| redis::from_redis_value_ref::<String>(v).ok())
    };
    let tenant = field("tenant").unwrap_or_default();
    let traceparent = field("traceparent").filter(|t| !t.is_empty());
    Some(Delivered {
        id: field("id")?.parse().ok()?,
        tenant: if tenant.is_empty() {
            None
        } else {
            Some(TenantId::from_uuid(tenant.parse().ok()?))
        },
        topic: field("topic")?,
        payload: serde_json::from_str(&field("payload")?).ok()?,
        traceparent,
        created_at: DateTime::parse_from_rfc3339(&field("created_at")?)
            .ok()?
            .with_timezone(&Utc),
    })
}

/// Events grouped by office, in the order they came (for handlers that work office by office).
pub fn by_office(events: &[Delivered]) -> HashMap<Option<TenantId>, Vec<&Delivered>> {
    let mut grouped: HashMap<Option<TenantId>, Vec<&Delivered>> = HashMap::new();
    for event in events {
        grouped.entry(event.tenant).or_default().push(event);
    }
    grouped
}
