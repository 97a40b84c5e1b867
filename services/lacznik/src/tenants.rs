//! `lacznik tenant …`: onboarding and suspending offices from the command line, for the
//! platform operator. Input is checked here, before anything is written.

use lacznik_config::Config;
use lacznik_identity::domain::OfficeInput;
use lacznik_identity::{NewTenant, TenantRecord, TenantStatus, store};
use lacznik_tenancy::AppDb;

/// An office as typed on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct TenantArgs {
    /// Short address name: a-z, 0-9 and hyphens, e.g. `kielce`.
    #[arg(long)]
    pub slug: String,
    /// Full name, e.g. "Miejski Ośrodek Pomocy Rodzinie w Kielcach".
    #[arg(long)]
    pub name: String,
    /// Short name, e.g. "MOPR Kielce".
    #[arg(long)]
    pub short_name: String,
    /// Voivodeship as a two-digit TERYT code, e.g. 26 (świętokrzyskie).
    #[arg(long)]
    pub region: String,
    /// Inhabitants served (for per-10,000 statistics).
    #[arg(long)]
    pub population: i32,
    #[arg(long)]
    pub street_address: String,
    /// 00-000
    #[arg(long)]
    pub postal_code: String,
    #[arg(long)]
    pub city: String,
    #[arg(long)]
    pub phone: String,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub website: Option<String>,
    /// E.g. "poniedziałek–piątek 7:30–15:30".
    #[arg(long)]
    pub office_hours: String,
    /// An extra host name of the office (repeatable).
    #[arg(long = "host")]
    pub hosts: Vec<String>,
    /// Default language of the office's emails: pl-PL (default) or en-GB.
    #[arg(long)]
    pub locale: Option<String>,
    /// Sender name of the office's emails (default: the short name).
    #[arg(long)]
    pub mail_from_name: Option<String>,
    /// Sender address of the office's emails (default: --email).
    #[arg(long)]
    pub mail_from: Option<String>,
    /// Reply-To of the office's emails (default: --email).
    #[arg(long)]
    pub reply_to: Option<String>,
}

impl TenantArgs {
    /// Checks every field (the same rules as the onboarding API) and reports all problems at
    /// once, in Polish, named by their command-line flags.
    pub fn parse(self) -> anyhow::Result<NewTenant> {
        let input = OfficeInput {
            slug: self.slug,
            name: self.name,
            short_name: self.short_name,
            region_code: self.region,
            population: self.population,
            street_address: self.street_address,
            postal_code: self.postal_code,
            city: self.city,
            phone: self.phone,
            email: self.email,
            website: self.website,
            office_hours: self.office_hours,
            hosts: self.hosts,
            time_zone: None,
            locale: self.locale,
            mail_from_name: self.mail_from_name,
            mail_from_address: self.mail_from,
            mail_reply_to: self.reply_to,
        };
        input.validate().map_err(|problem| {
            let lines: Vec<String> = problem
                .errors
                .iter()
                .map(|e| format!("{}: {}", flag(&e.field), e.message))
                .collect();
            anyhow::anyhow!("niepoprawne dane ośrodka:\n  {}", lines.join("\n  "))
        })
    }
}

/// The command-line flag of an API field name.
fn flag(field: &str) -> String {
    match field {
        "region_code" => "--region".into(),
        "hosts" => "--host".into(),
        "mail_from_address" => "--mail-from".into(),
        "mail_reply_to" => "--reply-to".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Registers an office.
pub async fn create(config: &Config, args: TenantArgs) -> anyhow::Result<TenantRecord> {
    let new = args.parse()?;
    match store::create_tenant(&platform(config).await?, new).await {
        Ok(record) => Ok(record),
        Err(store::StoreError::Taken(what)) => {
            anyhow::bail!("ośrodek lub host „{what}” już istnieje")
        }
        Err(store::StoreError::Db(error)) => Err(error.into()),
    }
}

pub async fn list(config: &Config) -> anyhow::Result<Vec<TenantRecord>> {
    Ok(store::list_tenants(&platform(config).await?).await?)
}

/// Suspends (or re-activates) an office; its data stays.
pub async fn set_status(
    config: &Config,
    slug: &str,
    status: TenantStatus,
) -> anyhow::Result<TenantRecord> {
    store::set_status(&platform(config).await?, slug, status)
        .await?
        .ok_or_else(|| anyhow::anyhow!("nie ma ośrodka „{slug}”"))
}

async fn platform(config: &Config) -> anyhow::Result<lacznik_tenancy::PlatformDb> {
    let url = config.database.app_url(&config.data_dir.0)?;
    Ok(AppDb::connect(&url, &config.database).await?.platform_db())
}
