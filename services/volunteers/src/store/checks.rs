//! Recorded clearances for work with children.

use chrono::{NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreError;
use super::entity::check;
use crate::domain::CheckKind;

/// A clearance to record.
pub struct NewCheck {
    pub kind: CheckKind,
    pub checked_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub checked_by: uuid::Uuid,
}

pub async fn record(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    new: NewCheck,
) -> Result<check::Model, StoreError> {
    Ok(check::Entity::insert(check::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        kind: Set(new.kind.as_str().to_owned()),
        checked_on: Set(new.checked_on),
        valid_until: Set(new.valid_until),
        checked_by: Set(new.checked_by),
        recorded_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await?)
}

/// A volunteer's clearances, newest first.
pub async fn list(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<check::Model>, StoreError> {
    Ok(check::Entity::find()
        .filter(check::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(check::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_desc(check::Column::Id)
        .all(&**txn)
        .await?)
}

/// The office's clearances whose validity ends between `from` and `until` (inclusive).
pub async fn expiring(
    txn: &TenantTxn,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<check::Model>, StoreError> {
    Ok(check::Entity::find()
        .filter(check::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(check::Column::ValidUntil.between(from, until))
        .order_by_asc(check::Column::ValidUntil)
        .all(&**txn)
        .await?)
}
