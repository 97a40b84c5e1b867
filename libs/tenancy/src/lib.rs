//! Tenant-scoped database access, the first of the two isolation layers (PostgreSQL row-level
//! security is the second). A service gets a [`TenantDb`]; its only way to tenant data is
//! [`TenantDb::begin`], which opens a transaction and, on PostgreSQL, makes
//! `set_config('app.tenant_id', $1, true)` its first statement, so the RLS policy sees exactly
//! that office for exactly that transaction and a pooled connection never carries it further.
//!
//! On SQLite (the embedded default) there is no RLS: isolation is the application's scoping
//! alone — every repository query filters by the transaction's tenant.

pub mod sql;

use std::ops::Deref;
use std::time::Duration;

use lacznik_config::DatabaseConfig;
use lacznik_types::TenantId;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] DbErr),
    #[error(
        "refusing to start: the database role `{role}` {reason}; services must connect as a role \
         that is not a superuser, cannot bypass row-level security and owns no table \
         (lacznik_app; see database.app_url in config/lacznik.example.toml)"
    )]
    UnsafeRole { role: String, reason: &'static str },
}

/// A connection pool for services, checked at start-up to be safe for tenant data.
#[derive(Clone, Debug)]
pub struct AppDb {
    conn: DatabaseConnection,
}

impl AppDb {
    /// Connects with `url` and refuses a PostgreSQL role that could bypass row-level security.
    pub async fn connect(
        url: &SecretString,
        config: &DatabaseConfig,
    ) -> Result<Self, TenancyError> {
        Ok(Self {
            conn: connect_checked(url, config).await?,
        })
    }

    /// Tenant-scoped access, for the handlers of a service.
    pub fn tenant_db(&self) -> TenantDb {
        TenantDb {
            conn: self.conn.clone(),
        }
    }

    /// The shared platform tables (regions, tenants), which are not tenant data.
    pub fn platform_db(&self) -> PlatformDb {
        PlatformDb {
            conn: self.conn.clone(),
        }
    }

    /// Answers whether the database can be reached now.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }

    /// A readiness check for a service's `/readyz`: the database answers.
    pub fn readiness(
        &self,
    ) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>>
    + Send
    + Sync
    + 'static
    + use<> {
        let db = self.clone();
        move || {
            let db = db.clone();
            Box::pin(async move { db.ping().await.map_err(|e| e.to_string()) })
        }
    }
}

/// Opens a pool with Łącznik's settings (used for both the app and the admin connection).
pub async fn connect_pool(
    url: &SecretString,
    config: &DatabaseConfig,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.expose_secret().to_owned());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(config.connect_timeout_secs))
        .sqlx_logging(false);
    Database::connect(options).await
}

/// Opens a pool for a service role and, on PostgreSQL, refuses a role that could bypass
/// row-level security: the app role, and named cross-tenant readers such as `lacznik_stats`,
/// whose only way past the tenant policy must be the policies written for them.
pub async fn connect_checked(
    url: &SecretString,
    config: &DatabaseConfig,
) -> Result<DatabaseConnection, TenancyError> {
    let conn = connect_pool(url, config)
        .await
        .map_err(TenancyError::Connect)?;
    if conn.get_database_backend() == DbBackend::Postgres {
        refuse_unsafe_role(&conn).await?;
    }
    Ok(conn)
}

/// Refuses a role that is (or can become) a superuser, bypasses RLS, or owns a table: on such a
/// connection the policies would silently not apply.
async fn refuse_unsafe_role(conn: &DatabaseConnection) -> Result<(), TenancyError> {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            r#"
            SELECT current_user::text AS role,
              EXISTS (SELECT 1 FROM pg_roles r
                      WHERE pg_has_role(current_user, r.oid, 'MEMBER') AND r.rolsuper) AS superuser,
              EXISTS (SELECT 1 FROM pg_roles r
                      WHERE pg_has_role(current_user, r.oid, 'MEMBER') AND r.rolbypassrls) AS bypassrls,
              EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE c.relkind IN ('r', 'p')
                        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                        AND n.nspname NOT LIKE 'pg_toast%'
                        AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owner
            "#,
        ))
        .await
        .map_err(TenancyError::Connect)?
        .ok_or_else(|| TenancyError::Connect(DbErr::RecordNotFound("current role".into())))?;
    let role: String = row.try_get("", "role").map_err(TenancyError::Connect)?;
    let flag = |name: &str| row.try_get::<bool>("", name).map_err(TenancyError::Connect);
    let reason = if flag("superuser")? {
        Some("is a superuser")
    } else if flag("bypassrls")? {
        Some("has BYPASSRLS")
    } else if flag("owner")? {
        Some("owns tables (owners are exempt from row-level security)")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(TenancyError::UnsafeRole { role, reason }),
        None => Ok(()),
    }
}

/// Tenant-scoped access. Cloning is cheap (a pool handle).
#[derive(Clone, Debug)]
pub struct TenantDb {
    conn: DatabaseConnection,
}

impl TenantDb {
    /// Opens a transaction bound to `tenant`. On PostgreSQL its first statement sets
    /// `app.tenant_id` for this transaction only (`is_local = true`).
    #[tracing::instrument(skip_all, fields(tenant = %tenant))]
    pub async fn begin(&self, tenant: TenantId) -> Result<TenantTxn, DbErr> {
        let txn = begin_writable(&self.conn).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config('app.tenant_id', $1, true)",
                [tenant.to_string().into()],
            ))
            .await?;
        }
        Ok(TenantTxn { txn, tenant })
    }
}

/// Begins a transaction that may write. SQLite allows one writer: a deferred transaction that
/// reads and then writes fails at once with "database is locked" when another writer got there
/// first; an immediate one takes the write lock up front and waits its turn (busy timeout).
async fn begin_writable(conn: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match conn.get_database_backend() {
        DbBackend::Sqlite => {
            conn.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
        }
        _ => conn.begin().await,
    }
}

/// A transaction bound to one office. Repository functions take it, read the tenant from it,
/// and filter by it; on PostgreSQL, RLS enforces the same bound underneath.
pub struct TenantTxn {
    txn: DatabaseTransaction,
    tenant: TenantId,
}

impl TenantTxn {
    /// The office this transaction is bound to.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl Deref for TenantTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

/// Access to platform tables (regions, tenants), which belong to no office.
#[derive(Clone, Debug)]
pub struct PlatformDb {
    conn: DatabaseConnection,
}

impl PlatformDb {
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

impl PlatformDb {
    /// Opens a transaction on platform tables (no office bound: tenant tables show no rows).
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        begin_writable(&self.conn).await
    }
}

/// Whose tables a piece of shared machinery (sessions, audit log, outbox) writes to: one
/// office's tenant tables, or the platform's twins of them (`platform_…`) for people who act
/// for the whole platform — platform and regional admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Office(TenantId),
    Platform,
}

impl Scope {
    /// The office, if any.
    pub fn tenant(self) -> Option<TenantId> {
        match self {
            Self::Office(tenant) => Some(tenant),
            Self::Platform => None,
        }
    }

    /// The table holding `base` rows in this scope: `sessions` or `platform_sessions`.
    pub fn table(self, base: &str) -> String {
        match self {
            Self::Office(_) => base.to_owned(),
            Self::Platform => format!("platform_{base}"),
        }
    }
}

/// Both ways in, for a service that serves offices and the platform (identity).
#[derive(Clone, Debug)]
pub struct ScopedDb {
    pub tenants: TenantDb,
    pub platform: PlatformDb,
}

impl AppDb {
    pub fn scoped_db(&self) -> ScopedDb {
        ScopedDb {
            tenants: self.tenant_db(),
            platform: self.platform_db(),
        }
    }
}

impl ScopedDb {
    /// A transaction in `scope`: bound to the office, or on platform tables.
    pub async fn begin(&self, scope: Scope) -> Result<ScopedTxn, DbErr> {
        let txn = match scope {
            Scope::Office(tenant) => self.tenants.begin(tenant).await?.txn,
            Scope::Platform => self.platform.begin().await?,
        };
        Ok(ScopedTxn { txn, scope })
    }
}

/// A transaction in one [`Scope`].
pub struct ScopedTxn {
    txn: DatabaseTransaction,
    scope: Scope,
}

impl ScopedTxn {
    pub fn scope(&self) -> Scope {
        self.scope
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl Deref for ScopedTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}
