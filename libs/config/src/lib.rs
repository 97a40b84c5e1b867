//! Łącznik's configuration: one typed tree read from an optional TOML file and then from
//! `LACZNIK__SECTION__KEY` environment variables (which win). Unknown keys are rejected so a
//! typo never silently falls back to a default; secrets are wrapped so they never reach a log.
//! Every key is documented in `config/lacznik.example.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Names of the tenant-scoped services the gateway routes to, in the order they start.
pub const SERVICES: [&str; 5] = ["identity", "volunteers", "needs", "notifications", "stats"];

/// The whole configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub gateway: GatewayConfig,
    pub services: ServicesConfig,
    pub telemetry: TelemetryConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub redis: RedisConfig,
    pub volunteers: VolunteersConfig,
    pub needs: NeedsConfig,
    pub queue: QueueConfig,
    pub notifications: NotificationsConfig,
    pub stats: StatsConfig,
    pub data_dir: DataDir,
}

/// Where the embedded mode keeps its SQLite file and mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct DataDir(pub PathBuf);

impl Default for DataDir {
    fn default() -> Self {
        Self(PathBuf::from("data"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Administrative connection (migrations, role set-up). Absent → embedded SQLite.
    pub url: Option<SecretString>,
    /// How services connect. Absent on PostgreSQL → `url` with the user replaced by `lacznik_app`.
    pub app_url: Option<SecretString>,
    /// Password given to the `lacznik_app` role when migrations create it (PostgreSQL only).
    pub app_password: Option<SecretString>,
    /// How the outbox relay connects. Absent → `url` as `lacznik_relay` with `relay_password`.
    pub relay_url: Option<SecretString>,
    /// Password given to the `lacznik_relay` role when migrations create it (PostgreSQL only).
    pub relay_password: Option<SecretString>,
    /// How the statistics service reads every office's rollups for the regional comparison.
    /// Absent → `url` as `lacznik_stats` with `stats_password`.
    pub stats_url: Option<SecretString>,
    /// Password given to the `lacznik_stats` role when migrations create it (PostgreSQL only).
    pub stats_password: Option<SecretString>,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: None,
            app_url: None,
            app_password: None,
            relay_url: None,
            relay_password: None,
            stats_url: None,
            stats_password: None,
            max_connections: 16,
            connect_timeout_secs: 5,
        }
    }
}

/// The kind of database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseConfig {
    /// The administrative URL, defaulting to a SQLite file inside `data_dir`.
    pub fn admin_url(&self, data_dir: &Path) -> Result<SecretString, ConfigError> {
        match &self.url {
            Some(url) => {
                Self::kind_of(url.expose_secret())?;
                Ok(url.clone())
            }
            None => Ok(SecretString::from(format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("lacznik.db").display()
            ))),
        }
    }

    /// The URL services connect with: `app_url`, or the admin URL as `lacznik_app` on PostgreSQL.
    pub fn app_url(&self, data_dir: &Path) -> Result<SecretString, ConfigError> {
        self.role_url(
            data_dir,
            self.app_url.as_ref(),
            APP_ROLE,
            self.app_password.as_ref(),
        )
    }

    /// The URL the outbox relay connects with: `relay_url`, or the admin URL as `lacznik_relay`.
    pub fn relay_url(&self, data_dir: &Path) -> Result<SecretString, ConfigError> {
        self.role_url(
            data_dir,
            self.relay_url.as_ref(),
            RELAY_ROLE,
            self.relay_password.as_ref(),
        )
    }

    /// The URL the statistics service reads rollups of every office with: `stats_url`, or the
    /// admin URL as `lacznik_stats`.
    pub fn stats_url(&self, data_dir: &Path) -> Result<SecretString, ConfigError> {
        self.role_url(
            data_dir,
            self.stats_url.as_ref(),
            STATS_ROLE,
            self.stats_password.as_ref(),
        )
    }

    fn role_url(
        &self,
        data_dir: &Path,
        given: Option<&SecretString>,
        role: &str,
        password: Option<&SecretString>,
    ) -> Result<SecretString, ConfigError> {
        if let Some(url) = given {
            Self::kind_of(url.expose_secret())?;
            return Ok(url.clone());
        }
        let admin = self.admin_url(data_dir)?;
        if Self::kind_of(admin.expose_secret())? == DatabaseKind::Sqlite {
            return Ok(admin);
        }
        let mut url = url::Url::parse(admin.expose_secret())
            .map_err(|_| ConfigError::Invalid("database.url is not a valid URL".into()))?;
        let password = password.map(|p| p.expose_secret().to_owned());
        url.set_username(role)
            .and_then(|()| url.set_password(password.as_deref()))
            .map_err(|()| ConfigError::Invalid("database.url cannot carry a user name".into()))?;
        Ok(SecretString::from(url.to_string()))
    }

    /// The kind of database behind a URL, or an error naming the schemes we accept.
    pub fn kind_of(url: &str) -> Result<DatabaseKind, ConfigError> {
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            Err(ConfigError::Invalid(
                "database.url must start with sqlite:// or postgres://".into(),
            ))
        }
    }
}

/// The role services connect as on PostgreSQL: not owner, not superuser, NOBYPASSRLS.
pub const APP_ROLE: &str = "lacznik_app";
/// The role the outbox relay connects as: it reads and marks every office's outbox rows, and
/// nothing else.
pub const RELAY_ROLE: &str = "lacznik_relay";
/// The role the statistics service reads every office's rollups as (the regional comparison):
/// it may read the rollup table and nothing else.
pub const STATS_ROLE: &str = "lacznik_stats";
/// The role that owns the schema; migrations run as it.
pub const OWNER_ROLE: &str = "lacznik_owner";

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    pub listen: SocketAddr,
    /// Offices are reached at `<slug>.<base_domain>`.
    pub base_domain: String,
    /// How long the gateway waits for an upstream's response head before answering 504.
    pub upstream_timeout_ms: u64,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: u64,
    /// How long a tenant lookup is cached.
    pub tenant_cache_secs: u64,
    /// The address people use to reach the platform, for links in emails. An office's links
    /// put its slug in front of the host: `http://localhost:8080` → `http://kielce.localhost:8080`.
    pub public_url: String,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_domain: "localhost".into(),
            upstream_timeout_ms: 10_000,
            max_body_bytes: 1024 * 1024,
            tenant_cache_secs: 30,
            public_url: "http://localhost:8080".into(),
        }
    }
}

/// Where each service listens and where the gateway finds it.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServicesConfig {
    pub identity: ServiceConfig,
    pub volunteers: ServiceConfig,
    pub needs: ServiceConfig,
    pub notifications: ServiceConfig,
    pub stats: ServiceConfig,
}

impl Default for ServicesConfig {
    fn default() -> Self {
        Self {
            identity: ServiceConfig::on_port(8081),
            volunteers: ServiceConfig::on_port(8082),
            needs: ServiceConfig::on_port(8083),
            notifications: ServiceConfig::on_port(8084),
            stats: ServiceConfig::on_port(8085),
        }
    }
}

impl ServicesConfig {
    /// The settings of a service by name.
    pub fn get(&self, name: &str) -> Option<&ServiceConfig> {
        match name {
            "identity" => Some(&self.identity),
            "volunteers" => Some(&self.volunteers),
            "needs" => Some(&self.needs),
            "notifications" => Some(&self.notifications),
            "stats" => Some(&self.stats),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    pub listen: SocketAddr,
    /// Base URL the gateway proxies to; defaults to `http://<listen>`.
    pub url: Option<String>,
}

impl ServiceConfig {
    fn on_port(port: u16) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            url: None,
        }
    }

    /// The upstream base URL of this service.
    pub fn base_url(&self) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self::on_port(0)
    }
}

/// Tokens, sessions and one-time links.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// The token-signing key itself, as PEM (wins over `signing_key_file`).
    pub signing_key: Option<SecretString>,
    /// PEM file with the Ed25519 key that signs access tokens. Absent → `<data_dir>/keys/
    /// token-signing.pem`, created on first start.
    pub signing_key_file: Option<PathBuf>,
    /// Public keys that verify access tokens, as `<key id>=<base64url Ed25519 key>` (printed by
    /// `lacznik keys public`). A component that does not sign (gateway, services other than
    /// identity) then needs no private key; identity also trusts these (key rotation).
    pub public_keys: Vec<String>,
    /// Lifetime of an access token.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a session (its refresh tokens) without activity.
    pub refresh_token_ttl_days: u64,
    /// Lifetime of an invitation link.
    pub invitation_ttl_hours: u64,
    /// Lifetime of a password-reset link.
    pub password_reset_ttl_minutes: u64,
    /// Lifetime of a volunteer's login link.
    pub login_link_ttl_minutes: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            signing_key: None,
            signing_key_file: None,
            public_keys: Vec::new(),
            access_token_ttl_secs: 900,
            refresh_token_ttl_days: 30,
            invitation_ttl_hours: 72,
            password_reset_ttl_minutes: 30,
            login_link_ttl_minutes: 15,
        }
    }
}

impl AuthConfig {
    /// Where the token-signing key lives.
    pub fn signing_key_path(&self, data_dir: &Path) -> PathBuf {
        self.signing_key_file
            .clone()
            .unwrap_or_else(|| data_dir.join("keys").join("token-signing.pem"))
    }
}

/// Abuse limits: login and reset lockouts, per-office request rate.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Failed logins of one account within `failure_window_secs` before it is locked.
    pub account_failures: u32,
    /// Failed logins and reset requests from one client address before it is locked.
    pub address_failures: u32,
    /// Failures are counted over this many seconds.
    pub failure_window_secs: u64,
    /// The first lockout; each further failure doubles it, up to `lockout_max_secs`.
    pub lockout_base_secs: u64,
    pub lockout_max_secs: u64,
    /// Password-reset and login-link emails one account can be sent per hour.
    pub emails_per_account_hour: u32,
    /// Requests one office may make through the gateway per window; then 429.
    pub tenant_requests: u32,
    pub tenant_window_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            account_failures: 5,
            address_failures: 20,
            failure_window_secs: 900,
            lockout_base_secs: 60,
            lockout_max_secs: 3600,
            emails_per_account_hour: 3,
            tenant_requests: 2000,
            tenant_window_secs: 10,
        }
    }
}

/// The volunteers service: link lifetimes and how long ended volunteers' data is kept.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolunteersConfig {
    /// How long the link confirming a sign-up's email address works.
    pub signup_link_ttl_hours: u32,
    /// How long a guardian's consent link works.
    pub guardian_link_ttl_days: u32,
    /// Days after a volunteer ended before their personal data is erased (anonymised) by the
    /// daily retention job. Hours and statistics stay.
    pub retention_days_after_end: u32,
    /// How often the retention job looks, in seconds (0 = never; run it from the CLI).
    pub retention_interval_secs: u64,
}

impl Default for VolunteersConfig {
    fn default() -> Self {
        Self {
            signup_link_ttl_hours: 48,
            guardian_link_ttl_days: 14,
            retention_days_after_end: 1825,
            retention_interval_secs: 86_400,
        }
    }
}

/// The needs service: offers, reminders and its background sweep.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeedsConfig {
    /// How long a volunteer has to answer an offer before it times out (and, with auto-offer,
    /// passes to the next candidate).
    pub offer_ttl_hours: u32,
    /// Reminders before an assignment starts, in minutes (handed to notifications as events).
    pub reminder_leads_minutes: Vec<u32>,
    /// How often offers time out, reminders fall due and past needs expire, in seconds
    /// (0 = never; tests and the CLI run the sweep themselves).
    pub sweep_interval_secs: u64,
}

impl Default for NeedsConfig {
    fn default() -> Self {
        Self {
            offer_ttl_hours: 24,
            reminder_leads_minutes: vec![1440, 120],
            sweep_interval_secs: 60,
        }
    }
}

/// Events on their way from the outbox to the consumers (notifications, statistics).
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Run the outbox relay and the event consumers inside `lacznik serve` when it runs every
    /// component; `lacznik worker` runs them in any case.
    pub in_process: bool,
    /// Milliseconds the relay (or, without Redis, the outbox poller) waits when idle.
    pub poll_interval_ms: u64,
    /// Outbox rows moved (or stream entries read) at a time.
    pub batch: u32,
    /// Seconds an event or a send job may stay unacknowledged before another worker takes it
    /// over (XAUTOCLAIM); longer than the slowest send.
    pub claim_idle_secs: u64,
    /// Hours events stay in the Redis streams after they were written (for late consumers).
    pub stream_retention_hours: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            in_process: true,
            poll_interval_ms: 200,
            batch: 200,
            claim_idle_secs: 60,
            stream_retention_hours: 168,
        }
    }
}

/// Email delivery: where mail goes, how hard to try, and how fast each office may send.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// SMTP relay: `smtp://host:25` (plain, local relay), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://user:password@host:465` (implicit TLS). Absent → `.eml` files under
    /// `<data_dir>/mail`.
    pub smtp_url: Option<SecretString>,
    /// Open SMTP connections kept per process.
    pub smtp_pool: u32,
    /// Seconds to wait for the relay to answer a connection.
    pub connect_timeout_secs: u64,
    /// Seconds one whole send may take before it counts as a temporary failure.
    pub send_timeout_secs: u64,
    /// Sending loops per process (0: this process sends nothing).
    pub senders: u32,
    /// Messages one sending loop has in flight at a time.
    pub concurrency: u32,
    /// Attempts before a message is given up and dead-lettered.
    pub max_attempts: u32,
    /// The first retry waits about this long; each further one twice as long (with jitter)…
    pub retry_base_ms: u64,
    /// …up to this many seconds.
    pub retry_max_secs: u64,
    /// Messages one office may send per second (security mail is never held back)…
    pub tenant_rate_per_sec: u32,
    /// …with bursts up to this many.
    pub tenant_burst: u32,
    /// Key that signs unsubscribe links (secret). Absent → `<data_dir>/keys/links.key`,
    /// created on first start.
    pub link_secret: Option<SecretString>,
    /// Sender of platform mail (for platform and regional admins).
    pub platform_from_name: String,
    pub platform_from_address: String,
    /// Right-hand side of Message-IDs. Absent → the host of `gateway.public_url`.
    pub message_id_domain: Option<String>,
    /// Polish local hour at which daily digests go out.
    pub daily_digest_hour: u32,
    /// Polish local day (1 = Monday … 7 = Sunday) and the daily hour of the weekly digest of
    /// open needs.
    pub weekly_digest_day: u32,
    /// Days a finished message's content (its template values: names, addresses, links) is
    /// kept for resending; then only its log entry stays (at least 1).
    pub keep_content_days: u32,
    /// DKIM signing per office: `[[notifications.dkim]] office = "kielce"`, `domain`,
    /// `selector`, and `private_key_file` (PEM, RSA or Ed25519).
    pub dkim: Vec<DkimConfig>,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            smtp_pool: 16,
            connect_timeout_secs: 10,
            send_timeout_secs: 30,
            senders: 2,
            concurrency: 32,
            max_attempts: 8,
            retry_base_ms: 30_000,
            retry_max_secs: 3600,
            tenant_rate_per_sec: 50,
            tenant_burst: 200,
            link_secret: None,
            platform_from_name: "Łącznik".into(),
            platform_from_address: "powiadomienia@lacznik.example".into(),
            message_id_domain: None,
            daily_digest_hour: 7,
            weekly_digest_day: 1,
            keep_content_days: 30,
            dkim: Vec::new(),
        }
    }
}

/// One office's DKIM key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkimConfig {
    /// The office's slug.
    pub office: String,
    /// The signing domain (`d=`), the domain of the office's From address.
    pub domain: String,
    /// The selector (`s=`): the key is published at `<selector>._domainkey.<domain>`.
    pub selector: String,
    pub private_key_file: PathBuf,
}

/// Statistics: rollups and the regional comparison.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatsConfig {
    /// Seconds the statistics service keeps the list of offices (names, voivodeships,
    /// populations) it reads from the identity service. An office it does not know yet is
    /// looked up again at once.
    pub office_cache_secs: u64,
    /// Seconds a voivodeship's protected table of a year is kept for comparisons and trends
    /// (0: read every time). Coordinators' dashboards are always read afresh.
    pub comparison_cache_secs: u64,
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self {
            office_cache_secs: 60,
            comparison_cache_secs: 30,
        }
    }
}

/// Redis, for rate limits, lockouts and revoked sessions (and later the event streams).
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// e.g. `redis://127.0.0.1:6379/0`. Absent → counters are kept in this process's memory.
    pub url: Option<SecretString>,
    /// Prefix of every key, so several deployments (or test runs) can share one server.
    pub key_prefix: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            url: None,
            key_prefix: "lacznik:".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, coloured; for a terminal.
    Pretty,
    /// One JSON object per line; for production log collection.
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    pub log_format: LogFormat,
    /// `tracing` filter directives, e.g. `info,lacznik_gateway=debug`. `RUST_LOG` wins if set.
    pub log_filter: String,
    /// OTLP/HTTP endpoint for traces, e.g. `http://127.0.0.1:4318`. Absent → no export.
    pub otlp_endpoint: Option<String>,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
            otlp_endpoint: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads the file at `path` (if given, it must exist) and then the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment(path))
    }

    /// The layered sources, exposed so tests can add their own.
    pub fn figment(path: Option<&Path>) -> Figment {
        let mut figment = Figment::new();
        if let Some(path) = path {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment.merge(Env::prefixed("LACZNIK__").split("__"))
    }

    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(Box::new)?;
        config.database.admin_url(&config.data_dir.0)?;
        Ok(config)
    }
}

#[cfg(test)]
// figment's `Jail` closures must return its own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_are_the_embedded_mode() {
        Jail::expect_with(|_| {
            let config = Config::load(None).unwrap();
            assert_eq!(config.gateway.listen.to_string(), "127.0.0.1:8080");
            let url = config.database.admin_url(&config.data_dir.0).unwrap();
            assert!(url.expose_secret().starts_with("sqlite://data/lacznik.db"));
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_file_and_derives_app_role() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "lacznik.toml",
                "[database]\nurl = \"postgres://postgres:pw@db:5432/lacznik\"\n[gateway]\nbase_domain = \"lacznik.pl\"\n",
            )?;
            jail.set_env("LACZNIK__GATEWAY__LISTEN", "0.0.0.0:9000");
            jail.set_env("LACZNIK__DATABASE__APP_PASSWORD", "s3cret");
            let config = Config::load(Some(Path::new("lacznik.toml"))).unwrap();
            assert_eq!(config.gateway.listen.port(), 9000);
            assert_eq!(config.gateway.base_domain, "lacznik.pl");
            let app = config.database.app_url(&config.data_dir.0).unwrap();
            assert_eq!(
                app.expose_secret(),
                "postgres://lacznik_app:s3cret@db:5432/lacznik"
            );
            assert!(
                !format!("{config:?}").contains("pw@"),
                "secrets must not be printed"
            );
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_rejected() {
        Jail::expect_with(|jail| {
            jail.set_env("LACZNIK__GATEWAY__LISTNE", "0.0.0.0:9000");
            let error = Config::load(None).unwrap_err().to_string();
            assert!(error.contains("listne"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn unsupported_database_is_rejected() {
        Jail::expect_with(|jail| {
            jail.set_env("LACZNIK__DATABASE__URL", "mysql://root@localhost/x");
            assert!(Config::load(None).is_err());
            Ok(())
        });
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // as above: figment's `Jail` error type
mod example_file {
    use super::*;
    use figment::Jail;

    /// The documented example must stay loadable and describe the defaults.
    #[test]
    fn the_example_file_is_valid_and_matches_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/lacznik.example.toml");
        Jail::expect_with(|_| {
            let from_file = Config::load(Some(&path)).unwrap();
            let defaults = Config::load(None).unwrap();
            assert_eq!(format!("{from_file:?}"), format!("{defaults:?}"));
            Ok(())
        });
    }
}
