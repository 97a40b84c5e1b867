//! Partner institutions: schools, parishes, NGOs, Caritas, day-care centres.

use chrono::Utc;
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::partner;

pub async fn insert(
    txn: &TenantTxn,
    mut row: partner::ActiveModel,
) -> Result<partner::Model, DbErr> {
    row.tenant_id = Set(txn.tenant().as_uuid());
    row.id = Set(uuid::Uuid::now_v7());
    row.created_at = Set(Utc::now());
    partner::Entity::insert(row)
        .exec_with_returning(&**txn)
        .await
}

pub async fn get(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<partner::Model>, DbErr> {
    partner::Entity::find()
        .filter(partner::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(partner::Column::Id.eq(id))
        .one(&**txn)
        .await
}

pub async fn list(txn: &TenantTxn) -> Result<Vec<partner::Model>, DbErr> {
    partner::Entity::find()
        .filter(partner::Column::TenantId.eq(txn.tenant().as_uuid()))
        .order_by_asc(partner::Column::Name)
        .all(&**txn)
        .await
}
