//! Sign-ups waiting for their email address to be confirmed.

use chrono::{DateTime, Utc};
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::StoreError;
use super::entity::application;

pub async fn insert(
    txn: &TenantTxn,
    email: &str,
    details: String,
    token_hash: String,
    expires_at: DateTime<Utc>,
    client_ip: Option<&str>,
) -> Result<(), StoreError> {
    application::Entity::insert(application::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        email: Set(email.to_owned()),
        details: Set(details),
        token_hash: Set(token_hash),
        expires_at: Set(expires_at),
        confirmed_at: Set(None),
        volunteer_id: Set(None),
        client_ip: Set(client_ip.map(str::to_owned)),
        created_at: Set(Utc::now()),
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

pub async fn by_token(
    txn: &TenantTxn,
    token_hash: &str,
) -> Result<Option<application::Model>, StoreError> {
    Ok(application::Entity::find()
        .filter(application::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(application::Column::TokenHash.eq(token_hash))
        .one(&**txn)
        .await?)
}

pub async fn confirm(
    txn: &TenantTxn,
    id: uuid::Uuid,
    volunteer: uuid::Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    application::Entity::update(application::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(id),
        confirmed_at: Set(Some(at)),
        volunteer_id: Set(Some(volunteer)),
        ..Default::default()
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

/// Applications that became this volunteer (for the export).
pub async fn of_volunteer(
    txn: &TenantTxn,
    volunteer: uuid::Uuid,
) -> Result<Vec<application::Model>, StoreError> {
    Ok(application::Entity::find()
        .filter(application::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(application::Column::VolunteerId.eq(volunteer))
        .all(&**txn)
        .await?)
}

/// How many sign-ups named `email` since `since` (to stop the form being used to flood
/// someone's inbox).
pub async fn recent(txn: &TenantTxn, email: &str, since: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(application::Entity::find()
        .filter(application::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(application::Column::Email.eq(email))
        .filter(application::Column::CreatedAt.gt(since))
        .count(&**txn)
        .await?)
}
