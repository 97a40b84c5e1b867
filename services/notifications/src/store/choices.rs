//! What people chose about their mail (per kind: each message, a daily digest, or none) and
//! the addresses mail must not go to (hard bounces, or a coordinator's decision). Addresses are
//! kept lower-case.

use chrono::{DateTime, Utc};
use lacznik_tenancy::Scope;
use lacznik_tenancy::sql::{Query, get, insert};
use lacznik_types::TenantId;
use sea_orm::ConnectionTrait;
use sea_orm::DbErr;
use uuid::Uuid;

use crate::kinds::{Category, Frequency};

/// Every choice made for `addresses`: (address, category, frequency).
pub async fn preferences_of(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    addresses: &[String],
) -> Result<Vec<(String, Category, Frequency)>, DbErr> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::new(
        "SELECT address, category, frequency FROM notification_preferences WHERE tenant_id = ",
    )
    .bind(tenant.as_uuid())
    .sql(" AND address IN");
    let rows = query.bind_list(addresses).all(conn).await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let category: String = get(&row, "category")?;
        let frequency: String = get(&row, "frequency")?;
        if let (Some(category), Some(frequency)) =
            (Category::parse(&category), Frequency::parse(&frequency))
        {
            found.push((get(&row, "address")?, category, frequency));
        }
    }
    Ok(found)
}

/// Sets how often `address` wants `category`.
pub async fn set_preference(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    address: &str,
    category: Category,
    frequency: Frequency,
    changed_by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    insert(
        Scope::Office(tenant),
        "notification_preferences",
        vec![
            ("id", Uuid::now_v7().into()),
            ("address", address.to_lowercase().into()),
            ("category", category.as_str().into()),
            ("frequency", frequency.as_str().into()),
            ("updated_at", now.into()),
            ("changed_by", changed_by.into()),
        ],
    )
    .sql(
        " ON CONFLICT (tenant_id, address, category) DO UPDATE SET \
         frequency = excluded.frequency, updated_at = excluded.updated_at, \
         changed_by = excluded.changed_by",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The suppressed ones among `addresses`.
pub async fn suppressed_among(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    addresses: &[String],
) -> Result<Vec<String>, DbErr> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::new("SELECT address FROM suppressions WHERE tenant_id = ")
        .bind(tenant.as_uuid())
        .sql(" AND address IN");
    query
        .bind_list(addresses)
        .all(conn)
        .await?
        .iter()
        .map(|row| get(row, "address"))
        .collect()
}

/// Stops mail to `address` (kept if it was already suppressed).
pub async fn suppress(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    address: &str,
    reason: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    insert(
        Scope::Office(tenant),
        "suppressions",
        vec![
            ("id", Uuid::now_v7().into()),
            ("address", address.to_lowercase().into()),
            ("reason", reason.into()),
            ("detail", detail.into()),
            ("created_at", now.into()),
        ],
    )
    .sql(" ON CONFLICT (tenant_id, address) DO NOTHING")
    .execute(conn)
    .await?;
    Ok(())
}

/// A suppressed address.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub address: String,
    pub reason: String,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// The office's suppressed addresses, newest first.
pub async fn suppressions(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    limit: u64,
) -> Result<Vec<Suppression>, DbErr> {
    Query::new("SELECT address, reason, detail, created_at FROM suppressions WHERE tenant_id = ")
        .bind(tenant.as_uuid())
        .sql(" ORDER BY created_at DESC LIMIT ")
        .bind(i64::try_from(limit).unwrap_or(100))
        .all(conn)
        .await?
        .iter()
        .map(|row| {
            Ok(Suppression {
                address: get(row, "address")?,
                reason: get(row, "reason")?,
                detail: get(row, "detail")?,
                created_at: get(row, "created_at")?,
            })
        })
        .collect()
}

/// Lets mail go to `address` again; whether it was suppressed.
pub async fn unsuppress(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    address: &str,
) -> Result<bool, DbErr> {
    let removed = Query::new("DELETE FROM suppressions WHERE tenant_id = ")
        .bind(tenant.as_uuid())
        .sql(" AND address = ")
        .bind(address.to_lowercase())
        .execute(conn)
        .await?;
    Ok(removed > 0)
}
