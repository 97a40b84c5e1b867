//! Starting the platform. In one process each service still gets its own loopback listener
//! and the gateway proxies to it over HTTP, exactly as when they run apart.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lacznik_auth::{SigningKeyPair, TokenSigner, TokenVerifier};
use lacznik_config::{Config, DatabaseConfig, DatabaseKind, SERVICES};
use lacznik_limits::Limits;
use lacznik_tenancy::AppDb;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Component {
    /// The gateway and every service.
    All,
    /// One service (or `gateway`) by name.
    One(String),
    /// No listener: the outbox relay, the event consumers and the mail senders only.
    Worker,
}

/// A started platform: the addresses it listens on and a way to stop it.
pub struct Running {
    /// Where the gateway listens, if it was started.
    pub gateway: Option<SocketAddr>,
    /// Where each started service listens.
    pub services: BTreeMap<String, SocketAddr>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
    /// The event pipeline (relay, consumers, senders); each ends when the shutdown is sent.
    background: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests and waits for every server to end.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.wait().await
    }

    /// Waits until every server ends (after a shutdown signal, or on a fatal error).
    pub async fn wait(self) -> anyhow::Result<()> {
        for task in self.tasks {
            task.await.context("server task panicked")??;
        }
        for task in self.background {
            task.await.context("background task panicked")?;
        }
        Ok(())
    }

    /// A handle that stops the platform when `true` is sent.
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

/// Brings the schema up to date (creating the PostgreSQL roles when needed).
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    if config.database.url.is_none() {
        std::fs::create_dir_all(&config.data_dir.0)
            .with_context(|| format!("cannot create {}", config.data_dir.0.display()))?;
    }
    let admin = config.database.admin_url(&config.data_dir.0)?;
    lacznik_migrations::migrate(&admin, &config.database)
        .await
        .context("migration failed")?;
    Ok(())
}

/// Binds and starts `component`. Returns once every listener accepts connections.
pub async fn start(
    config: &Config,
    component: Component,
    telemetry: &lacznik_telemetry::Telemetry,
) -> anyhow::Result<Running> {
    let (shutdown, signal) = watch::channel(false);
    let mut running = Running {
        gateway: None,
        services: BTreeMap::new(),
        shutdown,
        tasks: Vec::new(),
        background: Vec::new(),
    };
    let wanted = |name: &str| match &component {
        Component::All => true,
        Component::One(one) => one == name,
        Component::Worker => false,
    };
    let pipeline = match &component {
        Component::All => config.queue.in_process,
        Component::One(_) => false,
        Component::Worker => true,
    };
    if let Component::One(name) = &component
        && name != "gateway"
        && !SERVICES.contains(&name.as_str())
    {
        anyhow::bail!(
            "unknown service `{name}`; known: gateway, {}",
            SERVICES.join(", ")
        );
    }

    // Only identity signs; everyone else can do with the public keys.
    let keys = if wanted("identity") || config.auth.public_keys.is_empty() {
        Some(signing_key(config)?)
    } else {
        None
    };
    let verifier = Arc::new(token_verifier(config, keys.as_ref())?);
    let limits = Limits::from_config(&config.redis)
        .await
        .context("redis.url is not a valid Redis URL")?;
    if !limits.is_shared() {
        tracing::info!("rate limits and lockouts are kept in this process's memory (no redis.url)");
    }

    let mut upstreams = BTreeMap::new();
    let needs_db = pipeline || SERVICES.iter().any(|s| wanted(s));
    let db = if needs_db {
        Some(connect_app(config).await?)
    } else {
        None
    };
    // The notifications service's state, shared by its API and its senders in this process.
    let mut built: Option<Arc<lacznik_notifications::Notifications>> = None;
    for name in SERVICES {
        let Some(settings) = config.services.get(name) else {
            continue;
        };
        if !wanted(name) {
            upstreams.insert(name.to_owned(), settings.base_url());
            continue;
        }
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("{name}: cannot listen on {}", settings.listen))?;
        let addr = listener.local_addr()?;
        let db = db.clone().context("database not connected")?;
        let tracer = telemetry.tracer(name);
        let task = match name {
            "identity" => {
                let identity = Arc::new(lacznik_identity::Identity {
                    db: db.scoped_db(),
                    signer: TokenSigner::new(
                        keys.as_ref().context("identity needs the signing key")?,
                        Duration::from_secs(config.auth.access_token_ttl_secs),
                    )?,
                    limits: limits.clone(),
                    settings: lacznik_identity::IdentitySettings::from_config(config),
                });
                spawn(
                    listener,
                    lacznik_identity::endpoint(db, identity, verifier.clone(), tracer),
                    signal.clone(),
                )
            }
            "volunteers" => {
                let settings = lacznik_volunteers::settings::VolunteerSettings::from_config(config);
                let offices = Arc::new(lacznik_volunteers::settings::OfficeDirectory::new(
                    upstreams
                        .get("identity")
                        .map_or("http://127.0.0.1:8081", String::as_str),
                ));
                let every = config.volunteers.retention_interval_secs;
                if every > 0 {
                    let job = lacznik_volunteers::retention::run(
                        db.tenant_db(),
                        offices.clone(),
                        settings.clone(),
                        Duration::from_secs(every),
                    );
                    let mut stop = signal.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            () = job => {}
                            _ = stop.wait_for(|stop| *stop) => {}
                        }
                    });
                }
                spawn(
                    listener,
                    lacznik_volunteers::endpoint(db, verifier.clone(), settings, offices, tracer),
                    signal.clone(),
                )
            }
            "needs" => {
                let deps = lacznik_needs::Deps {
                    settings: lacznik_needs::settings::NeedsSettings::from_config(config),
                    volunteers: Arc::new(lacznik_needs::volunteers::VolunteersClient::new(
                        &upstream(config, &upstreams, "volunteers"),
                    )),
                    offices: Arc::new(lacznik_http::offices::OfficeDirectory::new(&upstream(
                        config, &upstreams, "identity",
                    ))),
                };
                let every = config.needs.sweep_interval_secs;
                if every > 0 {
                    let job = lacznik_needs::sweep::run(
                        db.tenant_db(),
                        deps.clone(),
                        Duration::from_secs(every),
                    );
                    let mut stop = signal.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            () = job => {}
                            _ = stop.wait_for(|stop| *stop) => {}
                        }
                    });
                }
                spawn(
                    listener,
                    lacznik_needs::endpoint(db, verifier.clone(), deps, tracer),
                    signal.clone(),
                )
            }
            "notifications" => {
                let n = notifications(config, &db, &upstreams, &mut built)?;
                spawn(
                    listener,
                    lacznik_notifications::endpoint(db, verifier.clone(), n, tracer),
                    signal.clone(),
                )
            }
            "stats" => {
                let deps = lacznik_stats::Deps {
                    offices: Arc::new(lacznik_stats::offices::OfficeRegister::new(
                        &upstream(config, &upstreams, "identity"),
                        Duration::from_secs(config.stats.office_cache_secs),
                    )),
                    regional: Arc::new(lacznik_stats::regional::Regional::new(
                        connect_regional(config, &db).await?,
                        Duration::from_secs(config.stats.comparison_cache_secs),
                    )),
                };
                spawn(
                    listener,
                    lacznik_stats::endpoint(db, verifier.clone(), deps, tracer),
                    signal.clone(),
                )
            }
            other => anyhow::bail!("service `{other}` has no implementation"),
        };
        running.tasks.push(task);
        running.services.insert(name.to_owned(), addr);
        upstreams.insert(
            name.to_owned(),
            settings
                .url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}")),
        );
        tracing::info!(service = name, %addr, "service listening");
    }

    if pipeline {
        let db = db.clone().context("database not connected")?;
        let transport = crate::pipeline::Transport::from_config(config)?;
        let n = notifications(config, &db, &upstreams, &mut built)?;
        let handlers = event_handlers(config, &db, &n);
        running.background =
            crate::pipeline::start(config, &db, &transport, handlers, &signal).await?;
        running
            .background
            .extend(crate::pipeline::start_mail(config, &n, &transport, &signal));
        tracing::info!(transport = transport.describe(), "event pipeline running");
    }

    if wanted("gateway") {
        let listener = TcpListener::bind(config.gateway.listen)
            .await
            .with_context(|| format!("gateway: cannot listen on {}", config.gateway.listen))?;
        let addr = listener.local_addr()?;
        let settings = lacznik_gateway::GatewaySettings::from_config(
            config,
            upstreams,
            verifier.clone(),
            limits.clone(),
        );
        let endpoint = lacznik_gateway::endpoint(settings, telemetry.tracer("gateway"))?;
        running
            .tasks
            .push(spawn(listener, endpoint, signal.clone()));
        running.gateway = Some(addr);
        tracing::info!(%addr, "gateway listening");
    }
    Ok(running)
}

/// Everything that consumes events in this deployment, each with a consumer group of its own.
fn event_handlers(
    _config: &Config,
    db: &AppDb,
    notifications: &Arc<lacznik_notifications::Notifications>,
) -> Vec<Arc<dyn lacznik_queue::consumer::Handler>> {
    vec![
        Arc::new(lacznik_notifications::ingest::Ingest(notifications.clone())),
        Arc::new(lacznik_stats::StatsConsumer::new(db.tenant_db())),
    ]
}

/// Where a service is reached: started in this process, or as configured.
fn upstream(config: &Config, upstreams: &BTreeMap<String, String>, name: &str) -> String {
    upstreams.get(name).cloned().unwrap_or_else(|| {
        config
            .services
            .get(name)
            .map_or_else(String::new, lacznik_config::ServiceConfig::base_url)
    })
}

/// The notifications service's state, built once per process.
fn notifications(
    config: &Config,
    db: &AppDb,
    upstreams: &BTreeMap<String, String>,
    built: &mut Option<Arc<lacznik_notifications::Notifications>>,
) -> anyhow::Result<Arc<lacznik_notifications::Notifications>> {
    if let Some(n) = built {
        return Ok(n.clone());
    }
    let redis = match crate::pipeline::Transport::from_config(config)? {
        crate::pipeline::Transport::Streams { redis, prefix } => Some((redis, prefix)),
        crate::pipeline::Transport::InProcess => None,
    };
    let n = lacznik_notifications::build(
        config,
        db,
        &lacznik_notifications::Upstreams {
            identity: upstream(config, upstreams, "identity"),
            volunteers: upstream(config, upstreams, "volunteers"),
            needs: upstream(config, upstreams, "needs"),
        },
        redis,
    )?;
    *built = Some(n.clone());
    Ok(n)
}

/// The statistics' cross-office reader: `lacznik_stats` on PostgreSQL (refused, like the app
/// role, if it could bypass row-level security); the app's own SQLite file when embedded.
async fn connect_regional(
    config: &Config,
    db: &AppDb,
) -> anyhow::Result<lacznik_stats::RegionalDb> {
    let url = config.database.stats_url(&config.data_dir.0)?;
    let kind = DatabaseConfig::kind_of(secrecy::ExposeSecret::expose_secret(&url))?;
    if kind == DatabaseKind::Sqlite {
        return Ok(lacznik_stats::RegionalDb(db.platform_db().conn().clone()));
    }
    let conn = lacznik_tenancy::connect_checked(&url, &config.database)
        .await
        .context("the statistics service cannot connect as lacznik_stats")?;
    Ok(lacznik_stats::RegionalDb(conn))
}

/// The services' connection: SQLite file, or PostgreSQL as the non-owner app role.
async fn connect_app(config: &Config) -> anyhow::Result<AppDb> {
    let url = config.database.app_url(&config.data_dir.0)?;
    let kind = DatabaseConfig::kind_of(secrecy::ExposeSecret::expose_secret(&url))?;
    if kind == DatabaseKind::Sqlite {
        std::fs::create_dir_all(&config.data_dir.0)?;
    }
    let db = AppDb::connect(&url, &config.database).await?;
    let pending = lacznik_migrations::pending(db.platform_db().conn())
        .await
        .context("cannot read the schema version")?;
    if let Some(first) = pending.first() {
        anyhow::bail!(
            "refusing to start: the database schema is not up to date ({} migration(s) pending, \
             starting with {first}); run `lacznik migrate` first",
            pending.len()
        );
    }
    Ok(db)
}

fn spawn<E>(
    listener: TcpListener,
    endpoint: E,
    mut signal: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>>
where
    E: poem::Endpoint + 'static,
{
    tokio::spawn(lacznik_http::server::serve(
        listener,
        endpoint,
        async move {
            let _ = signal.wait_for(|stop| *stop).await;
        },
    ))
}

/// Trusts the signing key's public half (when loaded) and every configured public key.
fn token_verifier(config: &Config, keys: Option<&SigningKeyPair>) -> anyhow::Result<TokenVerifier> {
    let mut trusted: Vec<(String, String)> = keys
        .map(|k| (k.key_id(), k.public_key()))
        .into_iter()
        .collect();
    for entry in &config.auth.public_keys {
        let (kid, key) = entry
            .split_once('=')
            .with_context(|| format!("auth.public_keys: `{entry}` is not <key id>=<public key>"))?;
        trusted.push((kid.trim().to_owned(), key.trim().to_owned()));
    }
    TokenVerifier::new(&trusted).map_err(|e| anyhow::anyhow!("auth.public_keys: {e}"))
}

/// `<key id>=<public key>` of the signing key, for `auth.public_keys` of other components.
pub fn public_key_entry(config: &Config) -> anyhow::Result<String> {
    let keys = signing_key(config)?;
    Ok(format!("{}={}", keys.key_id(), keys.public_key()))
}

/// The token-signing key: inline PEM, the configured file, or — in the embedded default — a
/// file under the data directory created on first start (readable by its owner only).
pub fn signing_key(config: &Config) -> anyhow::Result<SigningKeyPair> {
    if let Some(pem) = &config.auth.signing_key {
        return SigningKeyPair::from_pem(pem).context("auth.signing_key is not an Ed25519 PEM key");
    }
    let path = config.auth.signing_key_path(&config.data_dir.0);
    match std::fs::read_to_string(&path) {
        Ok(pem) => SigningKeyPair::from_pem(&SecretString::from(pem))
            .with_context(|| format!("{} is not an Ed25519 PEM key", path.display())),
        Err(error)
            if error.kind() == std::io::ErrorKind::NotFound
                && config.auth.signing_key_file.is_none() =>
        {
            let pair = SigningKeyPair::generate();
            let pem = pair.to_pem()?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            write_private(&path, secrecy::ExposeSecret::expose_secret(&pem))
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "created a token-signing key");
            Ok(pair)
        }
        Err(error) => {
            Err(error).with_context(|| format!("cannot read the signing key {}", path.display()))
        }
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
