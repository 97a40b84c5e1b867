//! Offers of a need to volunteers, and their answers.

use chrono::{DateTime, Utc};
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entity::offer;
use crate::domain::OfferStatus;

/// A new pending offer.
pub struct NewOffer {
    pub need_id: uuid::Uuid,
    pub volunteer_id: uuid::Uuid,
    pub token_hash: String,
    pub automatic: bool,
    pub expires_at: DateTime<Utc>,
    pub offered_by: Option<uuid::Uuid>,
}

pub async fn insert(txn: &TenantTxn, new: NewOffer) -> Result<offer::Model, DbErr> {
    offer::Entity::insert(offer::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        need_id: Set(new.need_id),
        volunteer_id: Set(new.volunteer_id),
        token_hash: Set(new.token_hash),
        status: Set(OfferStatus::Pending.as_str().to_owned()),
        automatic: Set(new.automatic),
        expires_at: Set(new.expires_at),
        offered_by: Set(new.offered_by),
        offered_at: Set(Utc::now()),
        answered_at: Set(None),
    })
    .exec_with_returning(&**txn)
    .await
}

pub async fn get(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<offer::Model>, DbErr> {
    offer::Entity::find()
        .filter(offer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(offer::Column::Id.eq(id))
        .one(&**txn)
        .await
}

pub async fn by_token(txn: &TenantTxn, token_hash: &str) -> Result<Option<offer::Model>, DbErr> {
    offer::Entity::find()
        .filter(offer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(offer::Column::TokenHash.eq(token_hash))
        .one(&**txn)
        .await
}

/// A need's offers, oldest first.
pub async fn for_need(txn: &TenantTxn, need: uuid::Uuid) -> Result<Vec<offer::Model>, DbErr> {
    offer::Entity::find()
        .filter(offer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(offer::Column::NeedId.eq(need))
        .order_by_asc(offer::Column::OfferedAt)
        .order_by_asc(offer::Column::Id)
        .all(&**txn)
        .await
}

/// A volunteer's offers, newest first.
pub async fn for_volunteer(
    txn: &TenantTxn,
    volunteer: uuid::Uuid,
) -> Result<Vec<offer::Model>, DbErr> {
    offer::Entity::find()
        .filter(offer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(offer::Column::VolunteerId.eq(volunteer))
        .order_by_desc(offer::Column::OfferedAt)
        .all(&**txn)
        .await
}

/// Pending offers whose time to answer has run out.
pub async fn overdue(txn: &TenantTxn, now: DateTime<Utc>) -> Result<Vec<offer::Model>, DbErr> {
    offer::Entity::find()
        .filter(offer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(offer::Column::Status.eq(OfferStatus::Pending.as_str()))
        .filter(offer::Column::ExpiresAt.lte(now))
        .all(&**txn)
        .await
}

/// Records the answer (or the office's decision) on an offer.
pub async fn set_status(
    txn: &TenantTxn,
    found: offer::Model,
    to: OfferStatus,
) -> Result<offer::Model, DbErr> {
    let mut row = found.into_active_model();
    row.status = Set(to.as_str().to_owned());
    row.answered_at = Set(Some(Utc::now()));
    sea_orm::ActiveModelTrait::update(row, &**txn).await
}

/// Replaces the secret of the offer's link.
pub async fn set_token(
    txn: &TenantTxn,
    found: offer::Model,
    token_hash: String,
) -> Result<offer::Model, DbErr> {
    let mut row = found.into_active_model();
    row.token_hash = Set(token_hash);
    sea_orm::ActiveModelTrait::update(row, &**txn).await
}
