//! The office registry.

use chrono::Utc;
use lacznik_tenancy::PlatformDb;
use lacznik_types::{RegionCode, TenantId, TenantSlug};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::entity::{tenant, tenant_host};

/// Whether an office's traffic is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "lowercase")]
#[oai(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    fn parse(raw: &str) -> Self {
        if raw == "suspended" {
            Self::Suspended
        } else {
            Self::Active
        }
    }
}

/// An office as the rest of the platform sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Object)]
pub struct TenantRecord {
    pub id: uuid::Uuid,
    pub slug: String,
    /// Full name, e.g. "Miejski Ośrodek Pomocy Rodzinie w Kielcach".
    pub name: String,
    /// Short name, e.g. "MOPR Kielce".
    pub short_name: String,
    /// TERYT code of the voivodeship.
    pub region_code: String,
    pub population: i32,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub office_hours: String,
    pub time_zone: String,
    pub locale: String,
    pub status: TenantStatus,
    /// Who the office's emails come from: display name…
    pub mail_from_name: String,
    /// …and address (defaults to the office's email).
    pub mail_from_address: String,
    /// Where replies go (defaults to the office's email).
    pub mail_reply_to: String,
    /// Extra host names the office answers on besides `<slug>.<base domain>`.
    pub hosts: Vec<String>,
}

/// What onboarding an office needs.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub slug: TenantSlug,
    pub name: String,
    pub short_name: String,
    pub region: RegionCode,
    pub population: i32,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub office_hours: String,
    pub hosts: Vec<String>,
    /// IANA time zone of the office's dates and reminders, e.g. `Europe/Warsaw`.
    pub time_zone: String,
    /// Default language of the office's emails: `pl-PL` or `en-GB`.
    pub locale: String,
    /// Sender identity of the office's emails; absent parts default to the short name and email.
    pub mail_from_name: Option<String>,
    pub mail_from_address: Option<String>,
    pub mail_reply_to: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("an office with slug or host `{0}` already exists")]
    Taken(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Registers a new office with its extra hosts, in one transaction.
pub async fn create_tenant(db: &PlatformDb, new: NewTenant) -> Result<TenantRecord, StoreError> {
    let txn = db.conn().begin().await?;
    if tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(new.slug.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(StoreError::Taken(new.slug.to_string()));
    }
    let hosts: Vec<String> = new.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
    if let Some(taken) = tenant_host::Entity::find()
        .filter(tenant_host::Column::Host.is_in(hosts.clone()))
        .one(&txn)
        .await?
    {
        return Err(StoreError::Taken(taken.host));
    }
    let id = TenantId::new();
    tenant::Entity::insert(tenant::ActiveModel {
        id: Set(id.as_uuid()),
        slug: Set(new.slug.to_string()),
        name: Set(new.name),
        short_name: Set(new.short_name),
        region_code: Set(new.region.as_str().to_owned()),
        population: Set(new.population),
        street_address: Set(new.street_address),
        postal_code: Set(new.postal_code),
        city: Set(new.city),
        phone: Set(new.phone),
        email: Set(new.email),
        website: Set(new.website),
        office_hours: Set(new.office_hours),
        time_zone: Set(new.time_zone),
        locale: Set(new.locale),
        status: Set(TenantStatus::Active.as_str().into()),
        created_at: Set(Utc::now()),
        mail_from_name: Set(new.mail_from_name),
        mail_from_address: Set(new.mail_from_address),
        mail_reply_to: Set(new.mail_reply_to),
    })
    .exec(&txn)
    .await?;
    for host in &hosts {
        tenant_host::Entity::insert(tenant_host::ActiveModel {
            host: Set(host.clone()),
            tenant_id: Set(id.as_uuid()),
        })
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    find_by_slug(db, new.slug.as_str())
        .await?
        .ok_or_else(|| StoreError::Db(sea_orm::DbErr::RecordNotFound(new.slug.to_string())))
}

pub async fn find_by_slug(
    db: &PlatformDb,
    slug: &str,
) -> Result<Option<TenantRecord>, sea_orm::DbErr> {
    let found = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(db.conn())
        .await?;
    match found {
        Some(model) => Ok(Some(with_hosts(db, model).await?)),
        None => Ok(None),
    }
}

/// The office with this id.
pub async fn find_by_id(
    db: &PlatformDb,
    id: uuid::Uuid,
) -> Result<Option<TenantRecord>, sea_orm::DbErr> {
    match tenant::Entity::find_by_id(id).one(db.conn()).await? {
        Some(model) => Ok(Some(with_hosts(db, model).await?)),
        None => Ok(None),
    }
}

pub async fn find_by_host(
    db: &PlatformDb,
    host: &str,
) -> Result<Option<TenantRecord>, sea_orm::DbErr> {
    let Some(entry) = tenant_host::Entity::find_by_id(host.to_ascii_lowercase())
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    match tenant::Entity::find_by_id(entry.tenant_id)
        .one(db.conn())
        .await?
    {
        Some(model) => Ok(Some(with_hosts(db, model).await?)),
        None => Ok(None),
    }
}

pub async fn list_tenants(db: &PlatformDb) -> Result<Vec<TenantRecord>, sea_orm::DbErr> {
    let models = tenant::Entity::find()
        .order_by_asc(tenant::Column::Slug)
        .all(db.conn())
        .await?;
    let mut records = Vec::with_capacity(models.len());
    for model in models {
        records.push(with_hosts(db, model).await?);
    }
    Ok(records)
}

async fn with_hosts(db: &PlatformDb, model: tenant::Model) -> Result<TenantRecord, sea_orm::DbErr> {
    let hosts = tenant_host::Entity::find()
        .filter(tenant_host::Column::TenantId.eq(model.id))
        .order_by_asc(tenant_host::Column::Host)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|h| h.host)
        .collect();
    let mail_from_name = model
        .mail_from_name
        .unwrap_or_else(|| model.short_name.clone());
    let mail_from_address = model
        .mail_from_address
        .unwrap_or_else(|| model.email.clone());
    let mail_reply_to = model.mail_reply_to.unwrap_or_else(|| model.email.clone());
    Ok(TenantRecord {
        id: model.id,
        slug: model.slug,
        name: model.name,
        short_name: model.short_name,
        region_code: model.region_code,
        population: model.population,
        street_address: model.street_address,
        postal_code: model.postal_code,
        city: model.city,
        phone: model.phone,
        email: model.email,
        website: model.website,
        office_hours: model.office_hours,
        time_zone: model.time_zone,
        locale: model.locale,
        status: TenantStatus::parse(&model.status),
        mail_from_name,
        mail_from_address,
        mail_reply_to,
        hosts,
    })
}

/// Suspends or re-activates an office; its data stays. `None` if there is no such office.
pub async fn set_status(
    db: &PlatformDb,
    slug: &str,
    status: TenantStatus,
) -> Result<Option<TenantRecord>, sea_orm::DbErr> {
    let result = tenant::Entity::update_many()
        .col_expr(
            tenant::Column::Status,
            sea_orm::sea_query::Expr::value(status.as_str()),
        )
        .filter(tenant::Column::Slug.eq(slug))
        .exec(db.conn())
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find_by_slug(db, slug).await
}
