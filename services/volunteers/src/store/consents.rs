//! Consents as given (the volunteer's own and a legal guardian's for a minor) and the pending
//! requests for a guardian's confirmation.

use chrono::{DateTime, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreError;
use super::entity::{consent, guardian_request};

/// Consent to processing the volunteer's data for the centre's work.
pub const DATA_PROCESSING: &str = "data_processing";
/// A legal guardian's consent to a minor's volunteering.
pub const GUARDIAN: &str = "guardian";
/// Version of the wording the person agreed to.
pub const WORDING: &str = "2026-11";

/// Who consented and from where.
pub struct Given<'a> {
    pub kind: &'static str,
    pub by: &'a str,
    pub by_email: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn record(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    given: Given<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    consent::Entity::insert(consent::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        kind: Set(given.kind.to_owned()),
        wording: Set(WORDING.to_owned()),
        given_by: Set(given.by.to_owned()),
        given_by_email: Set(given.by_email.map(str::to_owned)),
        given_at: Set(at),
        client_ip: Set(given.client_ip.map(str::to_owned)),
        user_agent: Set(given.user_agent.map(|u| u.chars().take(300).collect())),
        withdrawn_at: Set(None),
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

pub async fn list(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<consent::Model>, StoreError> {
    Ok(consent::Entity::find()
        .filter(consent::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(consent::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(consent::Column::Id)
        .all(&**txn)
        .await?)
}

/// Whether a guardian's consent is on record and not withdrawn.
pub async fn has_guardian_consent(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<bool, StoreError> {
    Ok(list(txn, volunteer)
        .await?
        .iter()
        .any(|c| c.kind == GUARDIAN && c.withdrawn_at.is_none()))
}

/// Asks a guardian to confirm; only the secret's hash is kept.
pub async fn request_guardian(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    name: &str,
    email: &str,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    guardian_request::Entity::insert(guardian_request::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        guardian_name: Set(name.to_owned()),
        guardian_email: Set(email.to_owned()),
        token_hash: Set(token_hash),
        expires_at: Set(expires_at),
        confirmed_at: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

/// The request a secret belongs to, if any.
pub async fn guardian_request(
    txn: &TenantTxn,
    token_hash: &str,
) -> Result<Option<guardian_request::Model>, StoreError> {
    Ok(guardian_request::Entity::find()
        .filter(guardian_request::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(guardian_request::Column::TokenHash.eq(token_hash))
        .one(&**txn)
        .await?)
}

/// Marks a request as used.
pub async fn confirm_request(
    txn: &TenantTxn,
    id: uuid::Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    guardian_request::Entity::update(guardian_request::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(id),
        confirmed_at: Set(Some(at)),
        ..Default::default()
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

/// A volunteer's guardian requests (for the export).
pub async fn guardian_requests(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<guardian_request::Model>, StoreError> {
    Ok(guardian_request::Entity::find()
        .filter(guardian_request::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(guardian_request::Column::VolunteerId.eq(volunteer.as_uuid()))
        .all(&**txn)
        .await?)
}
