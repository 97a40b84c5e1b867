//! Issued certificates (zaświadczenia) and accident insurance (NNW) policies.

use chrono::{Datelike, NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entity::{certificate, insurance};
use super::{StoreError, to_json};

/// A certificate to issue.
pub struct NewCertificate {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub minutes: i32,
    pub scope: Vec<String>,
    pub opinion: Option<String>,
    pub signatory: String,
    pub issued_by: uuid::Uuid,
}

/// Issues a certificate numbered `ZW/<year>/<n>` within the office.
pub async fn issue_certificate(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    new: NewCertificate,
) -> Result<certificate::Model, StoreError> {
    let count = certificate::Entity::find()
        .filter(certificate::Column::TenantId.eq(txn.tenant().as_uuid()))
        .count(&**txn)
        .await?;
    let now = Utc::now();
    Ok(certificate::Entity::insert(certificate::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        number: Set(format!("ZW/{}/{}", now.year(), count + 1)),
        period_from: Set(new.period_from),
        period_to: Set(new.period_to),
        minutes: Set(new.minutes),
        scope: Set(to_json(&new.scope)),
        opinion: Set(new.opinion),
        signatory: Set(new.signatory),
        issued_by: Set(new.issued_by),
        issued_at: Set(now),
    })
    .exec_with_returning(&**txn)
    .await?)
}

pub async fn certificates(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<certificate::Model>, StoreError> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(certificate::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(certificate::Column::Id)
        .all(&**txn)
        .await?)
}

/// A policy to record.
pub struct NewPolicy {
    pub insurer: String,
    pub policy_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub recorded_by: uuid::Uuid,
}

pub async fn record_policy(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    new: NewPolicy,
) -> Result<insurance::Model, StoreError> {
    Ok(insurance::Entity::insert(insurance::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        insurer: Set(new.insurer),
        policy_number: Set(new.policy_number),
        valid_from: Set(new.valid_from),
        valid_until: Set(new.valid_until),
        recorded_by: Set(new.recorded_by),
        recorded_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await?)
}

pub async fn policies(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<insurance::Model>, StoreError> {
    Ok(insurance::Entity::find()
        .filter(insurance::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(insurance::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(insurance::Column::ValidFrom)
        .all(&**txn)
        .await?)
}
