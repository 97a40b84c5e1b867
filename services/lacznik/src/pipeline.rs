//! The event pipeline of a process: with PostgreSQL and Redis, the outbox relay (as
//! `lacznik_relay`) and one consumer-group loop per handler, each on its own Redis connection;
//! otherwise (the embedded mode) the in-process outbox poller feeding the same handlers.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lacznik_config::{Config, DatabaseConfig, DatabaseKind};
use lacznik_queue::consumer::{ConsumerOptions, Handler, StreamConsumer};
use lacznik_queue::poller::OutboxPoller;
use lacznik_queue::relay::Relay;
use lacznik_tenancy::AppDb;
use secrecy::ExposeSecret;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How events travel in this deployment.
#[derive(Clone)]
pub enum Transport {
    /// PostgreSQL outbox → relay → Redis streams → consumer groups.
    Streams {
        redis: redis::Client,
        prefix: String,
    },
    /// The outbox polled in this process.
    InProcess,
}

impl Transport {
    /// Redis streams when the database is PostgreSQL and Redis is configured.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let admin = config.database.admin_url(&config.data_dir.0)?;
        let postgres = DatabaseConfig::kind_of(admin.expose_secret())? == DatabaseKind::Postgres;
        match (&config.redis.url, postgres) {
            (Some(url), true) => Ok(Self::Streams {
                redis: redis::Client::open(url.expose_secret())
                    .context("redis.url is not a valid Redis URL")?,
                prefix: config.redis.key_prefix.clone(),
            }),
            _ => Ok(Self::InProcess),
        }
    }

    /// For logs (never the Redis URL, which may carry a password).
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Streams { .. } => "redis streams",
            Self::InProcess => "outbox polled in process",
        }
    }
}

/// A name for this process's consumers, unique among the workers of a deployment.
pub fn consumer_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "lacznik".to_owned());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Starts moving and consuming events until `stop`.
pub async fn start(
    config: &Config,
    db: &AppDb,
    transport: &Transport,
    handlers: Vec<Arc<dyn Handler>>,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let idle = Duration::from_millis(config.queue.poll_interval_ms.max(10));
    let mut tasks = Vec::new();
    match transport {
        Transport::Streams { redis, prefix } => {
            let url = config.database.relay_url(&config.data_dir.0)?;
            let relay_db = lacznik_tenancy::connect_pool(&url, &config.database)
                .await
                .context("the outbox relay cannot connect as lacznik_relay")?;
            let relay = Relay::new(relay_db, redis.clone(), prefix, config.queue.batch);
            tasks.push(until_stopped(stop.clone(), async move {
                relay.run(idle).await;
            }));
            let options = ConsumerOptions {
                batch: config.queue.batch as usize,
                claim_idle: Duration::from_secs(config.queue.claim_idle_secs.max(1)),
                ..ConsumerOptions::default()
            };
            let name = consumer_name();
            for handler in handlers {
                let consumer = StreamConsumer::new(redis.clone(), prefix, &name, options.clone());
                let stop = stop.clone();
                tasks.push(tokio::spawn(async move {
                    consumer.run(handler, stop).await;
                }));
            }
        }
        Transport::InProcess => {
            let poller = OutboxPoller::new(
                db.tenant_db(),
                db.platform_db(),
                handlers,
                config.queue.batch,
            );
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                poller.run(idle, stop).await;
            }));
        }
    }
    Ok(tasks)
}

/// Runs `work` until it ends or `stop` turns true.
pub fn until_stopped(
    mut stop: watch::Receiver<bool>,
    work: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::select! {
            () = work => {}
            _ = stop.wait_for(|stop| *stop) => {}
        }
    })
}

/// Starts the mail senders (`notifications.senders` of them) and the housekeeping loop.
pub fn start_mail(
    config: &Config,
    n: &Arc<lacznik_notifications::Notifications>,
    transport: &Transport,
    stop: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for i in 0..config.notifications.senders {
        let consumer = format!("{}-sender-{i}", consumer_name());
        tasks.push(tokio::spawn(lacznik_notifications::sender::run(
            n.clone(),
            consumer,
            stop.clone(),
        )));
    }
    if config.notifications.senders > 0 {
        tasks.push(tokio::spawn(lacznik_notifications::housekeeping::run(
            n.clone(),
            Duration::from_secs(30),
            matches!(transport, Transport::InProcess),
            stop.clone(),
        )));
    }
    tasks
}
