//! Days a volunteer is away (holidays, exams, illness): no offers for those days.

use chrono::NaiveDate;
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreError;
use super::entity::absence;

pub async fn add(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    reason: Option<String>,
) -> Result<absence::Model, StoreError> {
    Ok(absence::Entity::insert(absence::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        reason: Set(reason),
    })
    .exec_with_returning(&**txn)
    .await?)
}

/// A volunteer's absences, earliest first.
pub async fn list(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<absence::Model>, StoreError> {
    Ok(absence::Entity::find()
        .filter(absence::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(absence::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(absence::Column::StartsOn)
        .all(&**txn)
        .await?)
}

/// Removes an absence; `false` if the volunteer has none with that id.
pub async fn remove(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    id: uuid::Uuid,
) -> Result<bool, StoreError> {
    let result = absence::Entity::delete_many()
        .filter(absence::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(absence::Column::VolunteerId.eq(volunteer.as_uuid()))
        .filter(absence::Column::Id.eq(id))
        .exec(&**txn)
        .await?;
    Ok(result.rows_affected == 1)
}
