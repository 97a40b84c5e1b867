//! Assignments booked for volunteers (ids are the needs service's), kept here because the rules
//! that admit them — consent, checks, double booking, the 30-day agreement — are this
//! service's.

use chrono::{DateTime, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreError;
use super::entity::assignment;

/// Booked and not cancelled.
pub const BOOKED: &str = "booked";
pub const COMPLETED: &str = "completed";
pub const CANCELLED: &str = "cancelled";

/// An assignment to book.
pub struct NewAssignment {
    pub id: uuid::Uuid,
    pub need_id: Option<uuid::Uuid>,
    pub beneficiary_id: Option<uuid::Uuid>,
    pub title: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub child_related: bool,
    pub adults_only: bool,
    pub created_by: Option<uuid::Uuid>,
}

pub async fn insert(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    new: NewAssignment,
) -> Result<assignment::Model, StoreError> {
    Ok(assignment::Entity::insert(assignment::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(new.id),
        volunteer_id: Set(volunteer.as_uuid()),
        need_id: Set(new.need_id),
        beneficiary_id: Set(new.beneficiary_id),
        title: Set(new.title),
        kind: Set(new.kind),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        child_related: Set(new.child_related),
        adults_only: Set(new.adults_only),
        status: Set(BOOKED.to_owned()),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await?)
}

/// A volunteer's assignments, earliest first.
pub async fn list(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<assignment::Model>, StoreError> {
    Ok(assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(assignment::Column::StartsAt)
        .all(&**txn)
        .await?)
}

/// Every assignment of the office that is not cancelled, for matching and the 30-day report.
pub async fn all_current(txn: &TenantTxn) -> Result<Vec<assignment::Model>, StoreError> {
    Ok(assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::Status.ne(CANCELLED))
        .all(&**txn)
        .await?)
}

pub async fn get(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    id: uuid::Uuid,
) -> Result<Option<assignment::Model>, StoreError> {
    Ok(assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::VolunteerId.eq(volunteer.as_uuid()))
        .filter(assignment::Column::Id.eq(id))
        .one(&**txn)
        .await?)
}

/// Sets the status of an assignment.
pub async fn set_status(
    txn: &TenantTxn,
    id: uuid::Uuid,
    status: &str,
) -> Result<assignment::Model, StoreError> {
    Ok(assignment::Entity::update(assignment::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(id),
        status: Set(status.to_owned()),
        ..Default::default()
    })
    .exec(&**txn)
    .await?)
}
