//! `lacznik tenant …`: onboarding and suspending offices from the command line, for the
//! platform operator. Input is checked here, before anything is written.

use lacznik_config::Config;
use lacznik_identity::{NewTenant, TenantRecord, TenantStatus, store};
use lacznik_tenancy::AppDb;
use lacznik_types::{Email, RegionCode, TenantSlug};

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
}

impl TenantArgs {
    /// Checks every field and reports all problems at once, in Polish.
    pub fn parse(self) -> anyhow::Result<NewTenant> {
        let mut errors = Vec::new();
        let slug = TenantSlug::parse(&self.slug)
            .map_err(|e| errors.push(format!("--slug: {}", e.message)))
            .ok();
        let region = RegionCode::parse(&self.region)
            .map_err(|e| errors.push(format!("--region: {}", e.message)))
            .ok();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.push(format!("--email: {}", e.message)))
            .ok();
        let postal_ok = self.postal_code.len() == 6
            && self
                .postal_code
                .chars()
                .enumerate()
                .all(|(i, c)| if i == 2 { c == '-' } else { c.is_ascii_digit() });
        if !postal_ok {
            errors.push("--postal-code: kod pocztowy ma postać 00-000.".into());
        }
        if self.population <= 0 {
            errors.push("--population: liczba mieszkańców musi być dodatnia.".into());
        }
        for (flag, value) in [
            ("--name", &self.name),
            ("--short-name", &self.short_name),
            ("--street-address", &self.street_address),
            ("--city", &self.city),
            ("--phone", &self.phone),
            ("--office-hours", &self.office_hours),
        ] {
            if value.trim().is_empty() {
                errors.push(format!("{flag}: pole nie może być puste."));
            }
        }
        let hosts: Vec<String> = self
            .hosts
            .iter()
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect();
        for host in &hosts {
            let valid = host.contains('.')
                && host.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !valid {
                errors.push(format!("--host {host}: to nie jest poprawna nazwa hosta."));
            }
        }
        match (slug, region, email) {
            (Some(slug), Some(region), Some(email)) if errors.is_empty() => Ok(NewTenant {
                slug,
                name: self.name.trim().to_owned(),
                short_name: self.short_name.trim().to_owned(),
                region,
                population: self.population,
                street_address: self.street_address.trim().to_owned(),
                postal_code: self.postal_code,
                city: self.city.trim().to_owned(),
                phone: self.phone.trim().to_owned(),
                email: email.into_inner(),
                website: self.website,
                office_hours: self.office_hours.trim().to_owned(),
                hosts,
            }),
            _ => anyhow::bail!("niepoprawne dane ośrodka:\n  {}", errors.join("\n  ")),
        }
    }
}

async fn platform(config: &Config) -> anyhow::Result<lacznik_tenancy::PlatformDb> {
    let url = config.database.app_url(&config.data_dir.0)?;
    Ok(AppDb::connect(&url, &config.database).await?.platform_db())
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
