//! Coordinators' broadcasts: what was said, to whom (the audience filter), by whom and when.
//! The individual emails are deliveries pointing back here.

use chrono::{DateTime, Utc};
use lacznik_tenancy::sql::{self, Query};
use lacznik_types::TenantId;
use sea_orm::ConnectionTrait;
use sea_orm::DbErr;
use uuid::Uuid;

/// A broadcast as stored.
#[derive(Clone, Debug)]
pub struct Broadcast {
    pub id: Uuid,
    pub subject: String,
    pub body: String,
    /// The audience filter, JSON.
    pub audience: String,
    pub recipients: i32,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    b: &Broadcast,
) -> Result<(), DbErr> {
    lacznik_tenancy::sql::insert(
        lacznik_tenancy::Scope::Office(tenant),
        "broadcasts",
        vec![
            ("id", b.id.into()),
            ("subject", b.subject.clone().into()),
            ("body", b.body.clone().into()),
            ("audience", b.audience.clone().into()),
            ("recipients", b.recipients.into()),
            ("created_by", b.created_by.into()),
            ("created_at", b.created_at.into()),
        ],
    )
    .execute(conn)
    .await?;
    Ok(())
}

const COLUMNS: &str = "id, subject, body, audience, recipients, created_by, created_at";

/// The office's broadcasts, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    limit: u64,
) -> Result<Vec<Broadcast>, DbErr> {
    Query::new(format!(
        "SELECT {COLUMNS} FROM broadcasts WHERE tenant_id = "
    ))
    .bind(tenant.as_uuid())
    .sql(" ORDER BY created_at DESC LIMIT ")
    .bind(i64::try_from(limit).unwrap_or(50))
    .all(conn)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// One broadcast of the office.
pub async fn find(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Broadcast>, DbErr> {
    Query::new(format!(
        "SELECT {COLUMNS} FROM broadcasts WHERE tenant_id = "
    ))
    .bind(tenant.as_uuid())
    .sql(" AND id = ")
    .bind(id)
    .one(conn)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

fn from_row(row: &sea_orm::QueryResult) -> Result<Broadcast, DbErr> {
    Ok(Broadcast {
        id: sql::get(row, "id")?,
        subject: sql::get(row, "subject")?,
        body: sql::get(row, "body")?,
        audience: sql::get(row, "audience")?,
        recipients: sql::get(row, "recipients")?,
        created_by: sql::get(row, "created_by")?,
        created_at: sql::get(row, "created_at")?,
    })
}
