//! Needs and the history of their statuses.

use chrono::Utc;
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::entity::{need, need_status_change};
use crate::domain::NeedStatus;

/// Inserts a need (the caller fills every column but the keys and times) and its first status.
pub async fn insert(txn: &TenantTxn, mut row: need::ActiveModel) -> Result<need::Model, DbErr> {
    let now = Utc::now();
    row.tenant_id = Set(txn.tenant().as_uuid());
    row.id = Set(uuid::Uuid::now_v7());
    row.created_at = Set(now);
    row.updated_at = Set(now);
    let created = need::Entity::insert(row)
        .exec_with_returning(&**txn)
        .await?;
    record(
        txn,
        created.id,
        None,
        &created.status,
        Some(created.created_by),
        None,
    )
    .await?;
    Ok(created)
}

pub async fn get(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<need::Model>, DbErr> {
    need::Entity::find()
        .filter(need::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(need::Column::Id.eq(id))
        .one(&**txn)
        .await
}

/// Reads the need and holds it until the transaction ends, so two answers to its offers (or
/// an answer and a cancellation) take turns. SQLite has one writer at a time anyway.
pub async fn lock(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<need::Model>, DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM needs WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            [txn.tenant().as_uuid().into(), id.into()],
        ))
        .await?;
    }
    get(txn, id).await
}

/// The office's needs, newest first, optionally of one status.
pub async fn list(
    txn: &TenantTxn,
    status: Option<NeedStatus>,
    limit: u64,
) -> Result<Vec<need::Model>, DbErr> {
    let mut query = need::Entity::find().filter(need::Column::TenantId.eq(txn.tenant().as_uuid()));
    if let Some(status) = status {
        query = query.filter(need::Column::Status.eq(status.as_str()));
    }
    query
        .order_by_desc(need::Column::CreatedAt)
        .limit(limit)
        .all(&**txn)
        .await
}

/// Needs in any of `statuses`.
pub async fn in_statuses(
    txn: &TenantTxn,
    statuses: &[NeedStatus],
) -> Result<Vec<need::Model>, DbErr> {
    need::Entity::find()
        .filter(need::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(need::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .all(&**txn)
        .await
}

/// Moves the need to `to` (no-op when already there) and records who and why.
pub async fn set_status(
    txn: &TenantTxn,
    found: need::Model,
    to: NeedStatus,
    by: Option<uuid::Uuid>,
    reason: Option<String>,
) -> Result<need::Model, DbErr> {
    if found.status == to.as_str() {
        return Ok(found);
    }
    let from = found.status.clone();
    let id = found.id;
    let mut row = found.into_active_model();
    row.status = Set(to.as_str().to_owned());
    row.updated_at = Set(Utc::now());
    let updated = sea_orm::ActiveModelTrait::update(row, &**txn).await?;
    record(txn, id, Some(from), to.as_str(), by, reason).await?;
    Ok(updated)
}

async fn record(
    txn: &TenantTxn,
    need: uuid::Uuid,
    from: Option<String>,
    to: &str,
    by: Option<uuid::Uuid>,
    reason: Option<String>,
) -> Result<(), DbErr> {
    need_status_change::Entity::insert(need_status_change::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        need_id: Set(need),
        from_status: Set(from),
        to_status: Set(to.to_owned()),
        reason: Set(reason),
        changed_by: Set(by),
        changed_at: Set(Utc::now()),
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

/// The need's statuses, oldest first.
pub async fn history(
    txn: &TenantTxn,
    need: uuid::Uuid,
) -> Result<Vec<need_status_change::Model>, DbErr> {
    need_status_change::Entity::find()
        .filter(need_status_change::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(need_status_change::Column::NeedId.eq(need))
        .order_by_asc(need_status_change::Column::ChangedAt)
        .order_by_asc(need_status_change::Column::Id)
        .all(&**txn)
        .await
}
