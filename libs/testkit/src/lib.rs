//! Test kit. [`TestDb`] gives each test its own PostgreSQL database, cloned from a template
//! that is migrated once per schema version, so tests run in parallel against the real server
//! and the real roles. [`TestApp`] runs the whole platform on ephemeral loopback ports against
//! such a database, connected as `lacznik_app`, and talks to it through the gateway.
//!
//! The PostgreSQL server is `LACZNIK_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`),
//! reached as a role that can create databases and roles. [`smtp::SmtpServer`] is a real SMTP
//! server per test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod bench;
pub mod proxy;
pub mod smtp;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;

use figment::Figment;
use figment::providers::Serialized;
use lacznik_config::Config;
use lacznik_identity::{NewTenant, TenantRecord};
use lacznik_tenancy::AppDb;
use lacznik_types::{RegionCode, TenantId, TenantSlug};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;

/// Databases made by the kit start with this, so a run can sweep leftovers.
pub const TEST_DB_PREFIX: &str = "lacznik_test_";

/// The PostgreSQL server used by tests, without a database name.
pub fn server_url() -> String {
    std::env::var("LACZNIK_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The Redis server used by tests (`LACZNIK_TEST_REDIS`, default the local one).
pub fn redis_url() -> String {
    std::env::var("LACZNIK_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

/// The secret of the one-time link in an email request (it travels in the URL fragment).
pub fn link_secret(email: &serde_json::Value) -> String {
    let link = email["link"].as_str().expect("a link");
    link.split_once("#token=")
        .unwrap_or_else(|| panic!("no secret in {link}"))
        .1
        .to_owned()
}

/// The password of every account the kit creates.
pub const TEST_PASSWORD: &str = "Test-hasło-2026";

/// A fresh database of its own for one test, already migrated.
pub struct TestDb {
    pub name: String,
    /// The token-signing key of platforms started on this database (PEM).
    pub signing_key: SecretString,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = ensure_template().await;
        let name = format!("{TEST_DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(format!("{}/postgres", server_url()))
            .await
            .expect("cannot reach the test PostgreSQL server (is it running? see .ci/run)");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let signing_key = lacznik_auth::SigningKeyPair::generate()
            .to_pem()
            .expect("signing key");
        Self { name, signing_key }
    }

    /// The token-signing key pair (to forge tokens a real client could not).
    pub fn signing_key(&self) -> lacznik_auth::SigningKeyPair {
        lacznik_auth::SigningKeyPair::from_pem(&self.signing_key).expect("signing key")
    }

    /// Superuser connection to this database (migrations, fixtures, catalogue checks).
    pub fn admin_url(&self) -> String {
        format!("{}/{}", server_url(), self.name)
    }

    /// The services' connection: `lacznik_app`, subject to row-level security.
    pub fn app_url(&self) -> String {
        let server = server_url();
        let without_user = server
            .split_once('@')
            .map_or(server.as_str(), |(_, host)| host);
        format!("postgres://lacznik_app@{without_user}/{}", self.name)
    }

    pub async fn admin(&self) -> DatabaseConnection {
        Database::connect(self.admin_url())
            .await
            .expect("admin connection")
    }

    /// A raw connection as the app role, bypassing the kit's `TenantDb` on purpose.
    pub async fn app_raw(&self) -> DatabaseConnection {
        Database::connect(self.app_url())
            .await
            .expect("app connection")
    }

    /// The checked app pool, as services get it.
    pub async fn app(&self) -> AppDb {
        let config = Config::default();
        AppDb::connect(&SecretString::from(self.app_url()), &config.database)
            .await
            .expect("app pool")
    }

    /// Configuration pointing the platform at this database, every listener on port 0.
    pub fn config(&self) -> Config {
        self.config_with(serde_json::json!({}))
    }

    /// [`TestDb::config`] with some settings replaced, e.g. `{"limits": {"account_failures": 3}}`.
    pub fn config_with(&self, overrides: serde_json::Value) -> Config {
        use secrecy::ExposeSecret;
        // Anything written to files (mail in `.eml`, keys) goes to a directory of this test's.
        let data_dir = std::env::temp_dir().join(&self.name);
        let figment = Figment::new().merge(Serialized::defaults(serde_json::json!({
            "data_dir": data_dir,
            "auth": { "signing_key": self.signing_key.expose_secret() },
            "redis": { "url": redis_url(), "key_prefix": format!("lacznik:test:{}:", self.name) },
            "database": { "url": self.admin_url(), "max_connections": 8 },
            "gateway": { "listen": "127.0.0.1:0", "upstream_timeout_ms": 3000, "max_body_bytes": 65536 },
            "services": {
                "identity": { "listen": "127.0.0.1:0" },
                "volunteers": { "listen": "127.0.0.1:0" },
                "needs": { "listen": "127.0.0.1:0" },
                "notifications": { "listen": "127.0.0.1:0" },
                "stats": { "listen": "127.0.0.1:0" },
            },
            "needs": { "sweep_interval_secs": 0 },
            // The event pipeline runs only in tests that ask for it (`{"queue": {"in_process": true}}`).
            "queue": { "in_process": false },
            "notifications": { "link_secret": format!("links-{}", self.name) },
        })));
        let figment = figment.merge(Serialized::defaults(overrides));
        Config::from_figment(figment).expect("test configuration")
    }
}

/// Creates (once per schema version, across parallel test processes) the migrated template.
async fn ensure_template() -> String {
    let mut hasher = DefaultHasher::new();
    lacznik_migrations::migration_names().hash(&mut hasher);
    lacznik_migrations::SCHEMA_SOURCES.hash(&mut hasher);
    let template = format!(
        "lacznik_template_{:012x}",
        hasher.finish() & 0xffff_ffff_ffff
    );
    let admin = Database::connect(format!("{}/postgres", server_url()))
        .await
        .expect("cannot reach the test PostgreSQL server (is it running? see .ci/run)");
    admin
        .execute_unprepared("SELECT pg_advisory_lock(4242)")
        .await
        .expect("lock");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .expect("look up template")
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .expect("drop half-built template");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        let url = SecretString::from(format!("{}/{building}", server_url()));
        lacznik_migrations::migrate(&url, &Config::default().database)
            .await
            .expect("migrate template");
        admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("publish template");
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(4242)")
        .await
        .expect("unlock");
    admin.close().await.ok();
    template
}

/// The whole platform running against a [`TestDb`].
pub struct TestApp {
    pub db: TestDb,
    pub gateway: SocketAddr,
    pub services: std::collections::BTreeMap<String, SocketAddr>,
    pub client: reqwest::Client,
    running: Option<lacznik::Running>,
    _telemetry: lacznik_telemetry::Telemetry,
    /// Access tokens of the kit's coordinators, by office slug.
    coordinators: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(TestDb::new().await).await
    }

    pub async fn spawn_on(db: TestDb) -> Self {
        Self::spawn_with(db, lacznik_telemetry::init_for_tests()).await
    }

    /// Runs the platform with some settings replaced (see [`TestDb::config_with`]).
    pub async fn spawn_configured(overrides: serde_json::Value) -> Self {
        let db = TestDb::new().await;
        let config = db.config_with(overrides);
        Self::start(db, config, lacznik_telemetry::init_for_tests()).await
    }

    /// Runs the platform on `db` with a configuration of the caller's (benchmarks).
    pub async fn spawn_with_config(db: TestDb, config: Config) -> Self {
        Self::start(db, config, lacznik_telemetry::init_for_tests()).await
    }

    /// Runs the platform with the given telemetry (e.g. spans recorded in memory).
    pub async fn spawn_with(db: TestDb, telemetry: lacznik_telemetry::Telemetry) -> Self {
        let config = db.config();
        Self::start(db, config, telemetry).await
    }

    async fn start(db: TestDb, config: Config, telemetry: lacznik_telemetry::Telemetry) -> Self {
        let running = lacznik::start(&config, lacznik::Component::All, &telemetry)
            .await
            .expect("start platform");
        Self {
            gateway: running.gateway.expect("gateway started"),
            services: running.services.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            running: Some(running),
            db,
            _telemetry: telemetry,
            coordinators: Default::default(),
        }
    }

    /// Registers an office with the given slug (in świętokrzyskie unless `region` says otherwise).
    pub async fn create_tenant(&self, slug: &str) -> TenantRecord {
        self.create_tenant_in(slug, "26", Vec::new()).await
    }

    pub async fn create_tenant_in(
        &self,
        slug: &str,
        region: &str,
        hosts: Vec<String>,
    ) -> TenantRecord {
        let app = self.db.app().await;
        lacznik_identity::store::create_tenant(
            &app.platform_db(),
            NewTenant {
                slug: TenantSlug::parse(slug).unwrap(),
                name: format!("Ośrodek Pomocy Społecznej {slug}"),
                short_name: format!("OPS {slug}"),
                region: RegionCode::parse(region).unwrap(),
                population: 50_000,
                street_address: "ul. Przykładowa 1".into(),
                postal_code: "00-001".into(),
                city: "Przykładowo".into(),
                phone: "22 000 00 00".into(),
                email: format!("wolontariat@{slug}.example"),
                website: None,
                office_hours: "poniedziałek–piątek 8:00–16:00".into(),
                hosts,
                time_zone: "Europe/Warsaw".into(),
                locale: "pl-PL".into(),
                mail_from_name: None,
                mail_from_address: None,
                mail_reply_to: None,
            },
        )
        .await
        .expect("create tenant")
    }

    /// A request to the gateway as the office `slug` by Host header (`<slug>.localhost`).
    pub fn at(&self, slug: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("http://{}{path}", self.gateway))
            .header("host", format!("{slug}.localhost"))
    }

    /// `GET` through the gateway as the office `slug`; the JSON body, whatever the status.
    pub async fn get_json(&self, slug: &str, path: &str) -> serde_json::Value {
        self.as_coordinator(slug, reqwest::Method::GET, path)
            .await
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON body")
    }

    /// Registers a volunteer of the office `slug` through the gateway; the created record.
    pub async fn create_volunteer(&self, slug: &str, email: &str) -> serde_json::Value {
        let response = self
            .as_coordinator(slug, reqwest::Method::POST, "/api/v1/volunteers")
            .await
            .json(&serde_json::json!({
                "first_name": "Zofia", "last_name": "Wiśniewska", "email": email,
                "phone": "601 234 567", "birth_date": "1961-03-14"
            }))
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            reqwest::StatusCode::CREATED,
            "creating {email}"
        );
        response.json().await.expect("JSON body")
    }

    /// How many volunteers the office `slug` lists (up to 100).
    pub async fn volunteer_count(&self, slug: &str) -> usize {
        let page = self.get_json(slug, "/api/v1/volunteers?limit=100").await;
        page["items"].as_array().expect("items").len()
    }

    /// Creates an account with [`TEST_PASSWORD`] and gives it `role` in office `slug` (or, for
    /// platform roles, on the platform; `region` for a regional admin). Returns the user id.
    pub async fn create_user(
        &self,
        slug: Option<&str>,
        email: &str,
        role: lacznik_auth::Role,
        volunteer_id: Option<uuid::Uuid>,
        region: Option<&str>,
    ) -> uuid::Uuid {
        use lacznik_auth::Role;
        use lacznik_identity::store::users;
        let app = self.db.app().await;
        let platform = app.platform_db();
        let id = match users::find_by_email(platform.conn(), email).await.unwrap() {
            Some(user) => user.id,
            None => {
                let hash =
                    lacznik_auth::password::hash(&SecretString::from(TEST_PASSWORD)).unwrap();
                users::insert_user(
                    platform.conn(),
                    users::NewUser {
                        email,
                        display_name: "Testowa Osoba",
                        password_hash: Some(hash),
                        platform_role: matches!(role, Role::PlatformAdmin | Role::RegionalAdmin)
                            .then_some(role),
                        region_code: region,
                    },
                )
                .await
                .unwrap()
            }
        };
        if let Some(slug) = slug {
            let tenant = lacznik_identity::store::find_by_slug(&platform, slug)
                .await
                .unwrap()
                .expect("office exists");
            let tenant = TenantId::from_uuid(tenant.id);
            let txn = app.tenant_db().begin(tenant).await.unwrap();
            users::grant(&*txn, tenant, id, role, volunteer_id, None)
                .await
                .unwrap();
            txn.commit().await.unwrap();
        }
        id
    }

    /// Signs in through the gateway at office `slug` (or the platform); the whole response.
    pub async fn login_response(
        &self,
        slug: Option<&str>,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let request = match slug {
            Some(slug) => self.at(slug, reqwest::Method::POST, "/api/v1/identity/auth/login"),
            None => self.raw(reqwest::Method::POST, "/api/v1/identity/auth/login"),
        };
        request
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// Signs in with [`TEST_PASSWORD`]; the token pair.
    pub async fn login(&self, slug: Option<&str>, email: &str) -> serde_json::Value {
        let response = self.login_response(slug, email, TEST_PASSWORD).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "login of {email}"
        );
        response.json().await.expect("JSON body")
    }

    /// An access token of a coordinator of office `slug` (created on first use).
    pub async fn coordinator_token(&self, slug: &str) -> String {
        let mut tokens = self.coordinators.lock().await;
        if let Some(token) = tokens.get(slug) {
            return token.clone();
        }
        let email = format!("koordynator@{slug}.test");
        self.create_user(
            Some(slug),
            &email,
            lacznik_auth::Role::Coordinator,
            None,
            None,
        )
        .await;
        let token = self.login(Some(slug), &email).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        tokens.insert(slug.to_owned(), token.clone());
        token
    }

    /// A request to office `slug` as its coordinator, with a JSON body if given; the response.
    pub async fn send(
        &self,
        slug: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let request = self.as_coordinator(slug, method, path).await;
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
        .await
        .expect("request")
    }

    /// A request to office `slug` as its coordinator.
    pub async fn as_coordinator(
        &self,
        slug: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let token = self.coordinator_token(slug).await;
        self.at(slug, method, path).bearer_auth(token)
    }

    /// Events in the outbox of office `slug` (or of the platform): (topic, payload), oldest first.
    pub async fn outbox(&self, slug: Option<&str>) -> Vec<(String, serde_json::Value)> {
        let admin = self.db.admin().await;
        let sql = match slug {
            Some(slug) => format!(
                "SELECT topic, payload FROM outbox_events o JOIN tenants t ON t.id = o.tenant_id \
                 WHERE t.slug = '{slug}' ORDER BY o.id"
            ),
            None => "SELECT topic, payload FROM platform_outbox_events ORDER BY id".to_owned(),
        };
        let rows = admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                sql,
            ))
            .await
            .expect("read outbox");
        admin.close().await.ok();
        rows.into_iter()
            .map(|row| {
                let topic: String = row.try_get("", "topic").unwrap();
                let payload: String = row.try_get("", "payload").unwrap();
                (topic, serde_json::from_str(&payload).unwrap())
            })
            .collect()
    }

    /// The newest email request of `template` to `to` in office `slug`'s outbox.
    pub async fn newest_email(&self, slug: &str, template: &str, to: &str) -> serde_json::Value {
        self.outbox(Some(slug))
            .await
            .into_iter()
            .rev()
            .find(|(topic, p)| {
                topic == "email.requested" && p["template"] == template && p["to"] == to
            })
            .map(|(_, p)| p)
            .unwrap_or_else(|| panic!("no {template} email to {to}"))
    }

    /// The secret of the link in the newest `template` email to `to` in office `slug`.
    pub async fn link_sent(&self, slug: &str, template: &str, to: &str) -> String {
        link_secret(&self.newest_email(slug, template, to).await)
    }

    /// A request to the gateway by its bare address (for `/t/<slug>/…` and unknown hosts).
    pub fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("http://{}{path}", self.gateway))
    }

    /// Stops the platform and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("clean shutdown");
        }
    }

    /// Stops the platform and drops its database at once (benchmarks fill theirs; the sweep in
    /// `.ci/run` would only find it later).
    pub async fn stop_and_drop(self) {
        let name = self.db.name.clone();
        self.stop().await;
        let server = Database::connect(format!("{}/postgres", server_url()))
            .await
            .expect("server");
        server
            .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .expect("drop the database");
        server.close().await.ok();
    }

    /// Starts another gateway replica in front of the same services, sharing the same Redis
    /// (as a second pod would); returns its address. It runs until the test process ends.
    pub async fn spawn_gateway(&self) -> SocketAddr {
        let config = self.db.config();
        let upstreams = self
            .services
            .iter()
            .map(|(name, addr)| (name.clone(), format!("http://{addr}")))
            .collect();
        let verifier = std::sync::Arc::new(
            lacznik_auth::TokenVerifier::for_pair(&self.db.signing_key()).unwrap(),
        );
        let limits = lacznik_limits::Limits::from_config(&config.redis)
            .await
            .unwrap();
        let settings =
            lacznik_gateway::GatewaySettings::from_config(&config, upstreams, verifier, limits);
        static TELEMETRY: std::sync::OnceLock<lacznik_telemetry::Telemetry> =
            std::sync::OnceLock::new();
        let telemetry = TELEMETRY.get_or_init(lacznik_telemetry::init_for_tests);
        let endpoint = lacznik_gateway::endpoint(settings, telemetry.tracer("gateway")).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(lacznik_http::server::serve(
            listener,
            endpoint,
            std::future::pending(),
        ));
        addr
    }

    /// Where a service of the running platform listens (to aim a second gateway at it).
    pub fn service_addr(&self, name: &str) -> SocketAddr {
        self.services[name]
    }
}

/// Polls `check` until it gives a value, or fails the test after `within` naming `what`.
pub async fn eventually<T, F, Fut>(within: std::time::Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited {within:?} for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The JSON body of `response`, after checking it has `status`.
pub async fn ok_json(
    response: reqwest::Response,
    status: reqwest::StatusCode,
) -> serde_json::Value {
    let actual = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(actual, status, "{body}");
    body
}

/// The fields a validation problem names.
pub fn fields(problem: &serde_json::Value) -> std::collections::HashSet<String> {
    problem["errors"]
        .as_array()
        .expect("a validation problem lists its errors")
        .iter()
        .map(|e| e["field"].as_str().expect("a field").to_owned())
        .collect()
}

/// Checks that `response` is a well-formed problem document and returns its status and `code`.
pub async fn problem(response: reqwest::Response) -> (reqwest::StatusCode, String) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "a {status} must be a problem document"
    );
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    (status, body["code"].as_str().expect("code").to_owned())
}

/// Shortcut to a tenant id of a created record.
pub fn tenant_id(record: &TenantRecord) -> TenantId {
    TenantId::from_uuid(record.id)
}

/// The text of a PDF as `pdftotext -layout` (Debian's poppler-utils) extracts it — what a
/// person copying from the document would get. Fails the test if the tool is missing.
pub fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("lacznik-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&path, pdf).expect("write the PDF");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils) is needed; .ci/run installs it");
    std::fs::remove_file(&path).ok();
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8 text")
}
