//! `lacznik stats rebuild`: recomputes offices' statistics from their event log (the outbox),
//! through the same code the event consumer runs. Safe while the platform runs: each office is
//! rebuilt in one transaction under the statistics' lock of that office.

use lacznik_config::Config;
use lacznik_identity::store;
use lacznik_tenancy::AppDb;
use lacznik_types::TenantId;

/// One office's rebuild.
pub struct OfficeRebuilt {
    pub slug: String,
    pub rebuilt: lacznik_stats::Rebuilt,
}

/// Rebuilds the statistics of `office` (a slug), or of every office.
pub async fn rebuild(config: &Config, office: Option<&str>) -> anyhow::Result<Vec<OfficeRebuilt>> {
    let url = config.database.app_url(&config.data_dir.0)?;
    let db = AppDb::connect(&url, &config.database).await?;
    let offices = match office {
        Some(slug) => vec![
            store::find_by_slug(&db.platform_db(), slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("nie ma ośrodka „{slug}”"))?,
        ],
        None => store::list_tenants(&db.platform_db()).await?,
    };
    let mut done = Vec::new();
    for office in offices {
        let rebuilt =
            lacznik_stats::rebuild_office(&db.tenant_db(), TenantId::from_uuid(office.id)).await?;
        done.push(OfficeRebuilt {
            slug: office.slug,
            rebuilt,
        });
    }
    Ok(done)
}
