//! `lacznik user …`: accounts made from the command line — the first platform admin of a
//! deployment, and regional admins — plus the demo accounts.

use anyhow::Context;
use lacznik_auth::{Role, password};
use lacznik_config::Config;
use lacznik_identity::store::users::{self, NewUser};
use lacznik_tenancy::{AppDb, Scope};
use lacznik_types::{Email, RegionCode, TenantId};
use secrecy::SecretString;
use uuid::Uuid;

/// Creates a platform admin, or a regional admin of `region` (`Some(None)` = all voivodeships).
pub async fn create_admin(
    config: &Config,
    email: &str,
    name: &str,
    region: Option<Option<String>>,
    password: &SecretString,
) -> anyhow::Result<Uuid> {
    let email = Email::parse(email)
        .map_err(|e| anyhow::anyhow!("--email: {}", e.message))?
        .into_inner();
    if name.trim().is_empty() {
        anyhow::bail!("--name: podaj imię i nazwisko");
    }
    let region = match region {
        Some(Some(code)) => Some(Some(
            RegionCode::parse(&code)
                .map_err(|e| anyhow::anyhow!("--region: {}", e.message))?
                .as_str()
                .to_owned(),
        )),
        other => other,
    };
    let pw = secrecy::ExposeSecret::expose_secret(password);
    if pw.chars().count() < 12 {
        anyhow::bail!("hasło administratora musi mieć co najmniej 12 znaków");
    }
    let hash = password::hash(password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = app_db(config).await?;
    let platform = db.platform_db();
    if users::find_by_email(platform.conn(), &email)
        .await?
        .is_some()
    {
        anyhow::bail!("konto {email} już istnieje");
    }
    let role = if region.is_some() {
        Role::RegionalAdmin
    } else {
        Role::PlatformAdmin
    };
    Ok(users::insert_user(
        platform.conn(),
        NewUser {
            email: &email,
            display_name: name,
            password_hash: Some(hash),
            platform_role: Some(role),
            region_code: region.flatten().as_deref(),
        },
    )
    .await?)
}

/// A random password for an admin created without one: 20 characters, ~119 bits.
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

async fn app_db(config: &Config) -> anyhow::Result<AppDb> {
    let url = config.database.app_url(&config.data_dir.0)?;
    AppDb::connect(&url, &config.database)
        .await
        .context("cannot connect to the database")
}

/// One demo account, as printed for the person trying Łącznik out.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub who: String,
    pub email: String,
    /// Where to sign in: an office slug, or none for the platform address.
    pub office: Option<String>,
}

/// The password of every demo account (printed by `lacznik demo`; demo data only).
pub const DEMO_PASSWORD: &str = "Wolontariat-2026";

/// What a demo account is.
pub(crate) struct DemoUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub platform_role: Option<Role>,
    pub region: Option<&'a str>,
    /// Office role and volunteer profile.
    pub office: Option<(TenantId, Role, Option<Uuid>)>,
}

/// Creates the account if its email is free, and grants its office role (idempotent).
pub(crate) async fn ensure_demo_user(
    db: &AppDb,
    hash: &str,
    user: DemoUser<'_>,
) -> anyhow::Result<()> {
    let platform = db.platform_db();
    let id = match users::find_by_email(platform.conn(), user.email).await? {
        Some(existing) => existing.id,
        None => {
            users::insert_user(
                platform.conn(),
                NewUser {
                    email: user.email,
                    display_name: user.name,
                    password_hash: Some(hash.to_owned()),
                    platform_role: user.platform_role,
                    region_code: user.region,
                },
            )
            .await?
        }
    };
    if let Some((tenant, role, volunteer)) = user.office {
        let txn = db.scoped_db().begin(Scope::Office(tenant)).await?;
        users::grant(&*txn, tenant, id, role, volunteer, None).await?;
        txn.commit().await?;
    }
    Ok(())
}
