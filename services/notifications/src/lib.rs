//! Notifications service: turns events into emails people can rely on. `email.requested`
//! events (and coordinators' broadcasts, and the digests) become delivery records in the
//! database — one per event and recipient — and send jobs on a fair queue; senders claim a
//! record, render it in the recipient's language with the office's branding, send it through
//! lettre and record what happened, retrying temporary failures with backoff and dead-lettering
//! what cannot be delivered. Coordinators read the delivery log and resend; people choose what
//! mail they want and unsubscribe with one click.

pub mod api;
pub mod digest;
pub mod housekeeping;
pub mod ingest;
pub mod kinds;
pub mod links;
pub mod queue;
pub mod render;
pub mod sender;
pub mod settings;
pub mod store;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lacznik_http::auth::TokenVerifier;
use lacznik_http::offices::OfficeDirectory;
use lacznik_http::server::service_endpoint;
use lacznik_mail::Mailer;
use lacznik_tenancy::{AppDb, Scope, ScopedDb};
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;

use crate::links::LinkKey;
use crate::queue::{NewJob, Queue};
use crate::render::Dkim;
use crate::settings::NotificationSettings;

/// The service's name in routes (`/api/v1/notifications/…`) and configuration.
pub const SERVICE: &str = "notifications";

/// The consumer group of the service's event handler.
pub const GROUP: &str = "notifications";

/// The public API description, also merged by the gateway.
pub fn openapi() -> OpenApiService<api::Apis, ()> {
    OpenApiService::new(
        api::APIS,
        "Łącznik — powiadomienia",
        env!("CARGO_PKG_VERSION"),
    )
}

/// Everything the pipeline and the API share.
pub struct Notifications {
    pub db: ScopedDb,
    pub settings: NotificationSettings,
    pub queue: Queue,
    pub mailer: Mailer,
    pub offices: Arc<OfficeDirectory>,
    pub links: LinkKey,
    /// DKIM keys by office slug.
    pub dkim: HashMap<String, Dkim>,
    /// The volunteers service (audiences of broadcasts and digests, a volunteer's address).
    pub volunteers_url: String,
    /// The needs service (open needs for the weekly digest).
    pub needs_url: String,
    pub http: reqwest::Client,
}

impl Notifications {
    /// Queues jobs; when the queue is down the deliveries wait in the database and the
    /// reconciler queues them later.
    pub async fn enqueue(&self, scope: Scope, queued: &[(uuid::Uuid, u8)]) {
        let jobs: Vec<NewJob> = queued
            .iter()
            .map(|(delivery, tier)| NewJob {
                scope,
                tier: *tier,
                delivery: *delivery,
            })
            .collect();
        if let Err(error) = self.queue.push(&jobs).await {
            tracing::warn!(%error, count = jobs.len(), "send jobs wait in the database");
        }
    }

    /// A client for calls to other services.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default()
    }
}

/// Where the other services are, for the calls this one makes.
#[derive(Clone, Debug)]
pub struct Upstreams {
    pub identity: String,
    pub volunteers: String,
    pub needs: String,
}

/// Builds the service's shared state from configuration: the mail transport (SMTP, or `.eml`
/// files under `<data_dir>/mail`), the queue (Redis when given, else memory), the link key and
/// the offices' DKIM keys.
pub fn build(
    config: &lacznik_config::Config,
    db: &AppDb,
    upstreams: &Upstreams,
    redis: Option<(redis::Client, String)>,
) -> anyhow::Result<Arc<Notifications>> {
    use anyhow::Context;
    use secrecy::ExposeSecret;
    let settings = NotificationSettings::from_config(config);
    let n = &config.notifications;
    let mailer = match &n.smtp_url {
        Some(url) => Mailer::smtp(
            url.expose_secret(),
            n.smtp_pool,
            Duration::from_secs(n.connect_timeout_secs.max(1)),
        )
        .context("notifications.smtp_url")?,
        None => Mailer::files(config.data_dir.0.join("mail")).context("the mail directory")?,
    };
    let queue = match redis {
        Some((client, prefix)) => {
            Queue::Redis(queue::RedisQueue::new(client, &prefix, settings.fairness))
        }
        None => Queue::Memory(queue::MemoryQueue::new(settings.fairness)),
    };
    let secret = match &n.link_secret {
        Some(secret) => secret.clone(),
        None => links::key_file(&config.data_dir.0.join("keys").join("links.key"))?,
    };
    let links =
        LinkKey::new(&secret).map_err(|_| anyhow::anyhow!("notifications.link_secret is empty"))?;
    let mut dkim = HashMap::new();
    for entry in &n.dkim {
        let key = std::fs::read_to_string(&entry.private_key_file).with_context(|| {
            format!(
                "DKIM key of {}: {}",
                entry.office,
                entry.private_key_file.display()
            )
        })?;
        dkim.insert(
            entry.office.clone(),
            Dkim::new(&entry.domain, &entry.selector, &key)?,
        );
    }
    Ok(Arc::new(Notifications {
        db: db.scoped_db(),
        settings,
        queue,
        mailer,
        offices: Arc::new(OfficeDirectory::new(&upstreams.identity)),
        links,
        dkim,
        volunteers_url: upstreams.volunteers.trim_end_matches('/').to_owned(),
        needs_url: upstreams.needs.trim_end_matches('/').to_owned(),
        http: Notifications::client(),
    }))
}

/// The whole service as one endpoint: API, OpenAPI document, health, tracing.
pub fn endpoint(
    db: AppDb,
    verifier: Arc<TokenVerifier>,
    notifications: Arc<Notifications>,
    tracer: lacznik_telemetry::SdkTracer,
) -> impl Endpoint<Output = Response> {
    let spec = openapi();
    let spec_json = spec.spec_endpoint();
    let routes = Route::new()
        .nest_no_strip(
            "/api/v1/notifications",
            spec.with(lacznik_http::tenant::RequireTenant),
        )
        .at("/openapi.json", spec_json)
        .data(db.tenant_db())
        .data(verifier)
        .data(notifications);
    service_endpoint(SERVICE, routes, tracer, db.readiness())
}
