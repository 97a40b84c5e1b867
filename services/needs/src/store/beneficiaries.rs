//! People helped, and the log of every read of their records.

use chrono::{DateTime, Utc};
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{beneficiary, beneficiary_read};

/// What a new record holds.
pub struct NewBeneficiary {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub street_address: Option<String>,
    pub district: Option<String>,
    pub note: Option<String>,
    pub partner_id: Option<uuid::Uuid>,
    pub created_by: uuid::Uuid,
}

pub async fn insert(txn: &TenantTxn, new: NewBeneficiary) -> Result<beneficiary::Model, DbErr> {
    let now = Utc::now();
    beneficiary::Entity::insert(beneficiary::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        phone: Set(new.phone),
        street_address: Set(new.street_address),
        district: Set(new.district),
        note: Set(new.note),
        partner_id: Set(new.partner_id),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        anonymised_at: Set(None),
    })
    .exec_with_returning(&**txn)
    .await
}

pub async fn get(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<beneficiary::Model>, DbErr> {
    beneficiary::Entity::find()
        .filter(beneficiary::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(beneficiary::Column::Id.eq(id))
        .one(&**txn)
        .await
}

/// The office's beneficiaries by surname, at most `limit`.
pub async fn list(txn: &TenantTxn, limit: u64) -> Result<Vec<beneficiary::Model>, DbErr> {
    beneficiary::Entity::find()
        .filter(beneficiary::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(beneficiary::Column::AnonymisedAt.is_null())
        .order_by_asc(beneficiary::Column::LastName)
        .order_by_asc(beneficiary::Column::FirstName)
        .limit(limit)
        .all(&**txn)
        .await
}

pub async fn update(
    txn: &TenantTxn,
    mut row: beneficiary::ActiveModel,
) -> Result<beneficiary::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    sea_orm::ActiveModelTrait::update(row, &**txn).await
}

/// One read of a record: who, in what role, why, and how much they saw.
pub struct Read<'a> {
    pub reader: uuid::Uuid,
    pub role: &'a str,
    pub purpose: &'a str,
    /// `full`, `list`, `contact` (address and phone for an assignment) or `first_name`.
    pub view: &'a str,
}

/// Records reads of `beneficiaries` (append-only).
pub async fn log_reads(
    txn: &TenantTxn,
    beneficiaries: &[uuid::Uuid],
    read: &Read<'_>,
) -> Result<(), DbErr> {
    if beneficiaries.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    beneficiary_read::Entity::insert_many(beneficiaries.iter().map(|id| {
        beneficiary_read::ActiveModel {
            tenant_id: Set(txn.tenant().as_uuid()),
            id: Set(uuid::Uuid::now_v7()),
            beneficiary_id: Set(*id),
            reader: Set(read.reader),
            role: Set(read.role.to_owned()),
            purpose: Set(read.purpose.chars().take(200).collect()),
            view: Set(read.view.to_owned()),
            read_at: Set(now),
        }
    }))
    .exec(&**txn)
    .await?;
    Ok(())
}

/// Every read of a record, oldest first.
pub async fn reads(
    txn: &TenantTxn,
    beneficiary: uuid::Uuid,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<beneficiary_read::Model>, DbErr> {
    let mut query = beneficiary_read::Entity::find()
        .filter(beneficiary_read::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(beneficiary_read::Column::BeneficiaryId.eq(beneficiary));
    if let Some(since) = since {
        query = query.filter(beneficiary_read::Column::ReadAt.gte(since));
    }
    query
        .order_by_asc(beneficiary_read::Column::ReadAt)
        .order_by_asc(beneficiary_read::Column::Id)
        .all(&**txn)
        .await
}
