//! Volunteers' parts in needs, and the visits of long-term pairings.

use chrono::{DateTime, Utc};
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{assignment, visit};
use crate::domain::AssignmentStatus;

/// A new confirmed assignment.
pub struct NewAssignment {
    pub id: uuid::Uuid,
    pub need_id: uuid::Uuid,
    pub volunteer_id: uuid::Uuid,
    pub offer_id: Option<uuid::Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

pub async fn insert(txn: &TenantTxn, new: NewAssignment) -> Result<assignment::Model, DbErr> {
    let now = Utc::now();
    assignment::Entity::insert(assignment::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(new.id),
        need_id: Set(new.need_id),
        volunteer_id: Set(new.volunteer_id),
        offer_id: Set(new.offer_id),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        status: Set(AssignmentStatus::Confirmed.as_str().to_owned()),
        checked_in_at: Set(None),
        checked_out_at: Set(None),
        minutes: Set(None),
        completed_by: Set(None),
        volunteer_rating: Set(None),
        volunteer_feedback: Set(None),
        beneficiary_rating: Set(None),
        beneficiary_feedback: Set(None),
        end_reason: Set(None),
        reminders: Set("[]".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**txn)
    .await
}

pub async fn get(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<assignment::Model>, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::Id.eq(id))
        .one(&**txn)
        .await
}

/// A need's assignments, oldest first.
pub async fn for_need(txn: &TenantTxn, need: uuid::Uuid) -> Result<Vec<assignment::Model>, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::NeedId.eq(need))
        .order_by_asc(assignment::Column::CreatedAt)
        .all(&**txn)
        .await
}

/// A volunteer's assignments, soonest first.
pub async fn for_volunteer(
    txn: &TenantTxn,
    volunteer: uuid::Uuid,
) -> Result<Vec<assignment::Model>, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::VolunteerId.eq(volunteer))
        .order_by_asc(assignment::Column::StartsAt)
        .all(&**txn)
        .await
}

/// Confirmed assignments starting between `from` and `until`.
pub async fn starting_between(
    txn: &TenantTxn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<assignment::Model>, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(assignment::Column::Status.eq(AssignmentStatus::Confirmed.as_str()))
        .filter(assignment::Column::StartsAt.gt(from))
        .filter(assignment::Column::StartsAt.lte(until))
        .all(&**txn)
        .await
}

pub async fn save(
    txn: &TenantTxn,
    mut row: assignment::ActiveModel,
) -> Result<assignment::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    sea_orm::ActiveModelTrait::update(row, &**txn).await
}

/// Plans the visits of a pairing; each id is also the visit's booking id.
pub async fn plan_visits(
    txn: &TenantTxn,
    assignment: uuid::Uuid,
    visits: &[(uuid::Uuid, DateTime<Utc>, DateTime<Utc>)],
) -> Result<(), DbErr> {
    if visits.is_empty() {
        return Ok(());
    }
    visit::Entity::insert_many(
        visits
            .iter()
            .map(|(id, starts_at, ends_at)| visit::ActiveModel {
                tenant_id: Set(txn.tenant().as_uuid()),
                id: Set(*id),
                assignment_id: Set(assignment),
                starts_at: Set(*starts_at),
                ends_at: Set(*ends_at),
                status: Set("planned".to_owned()),
                minutes: Set(None),
                note: Set(None),
                concern: Set(false),
                recorded_by: Set(None),
                recorded_at: Set(None),
                reminders: Set("[]".to_owned()),
            }),
    )
    .exec(&**txn)
    .await?;
    Ok(())
}

/// A pairing's visits, earliest first.
pub async fn visits(txn: &TenantTxn, assignment: uuid::Uuid) -> Result<Vec<visit::Model>, DbErr> {
    visit::Entity::find()
        .filter(visit::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(visit::Column::AssignmentId.eq(assignment))
        .order_by_asc(visit::Column::StartsAt)
        .all(&**txn)
        .await
}

/// Planned visits starting between `from` and `until`.
pub async fn visits_starting_between(
    txn: &TenantTxn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<visit::Model>, DbErr> {
    visit::Entity::find()
        .filter(visit::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(visit::Column::Status.eq("planned"))
        .filter(visit::Column::StartsAt.gt(from))
        .filter(visit::Column::StartsAt.lte(until))
        .all(&**txn)
        .await
}

pub async fn save_visit(txn: &TenantTxn, row: visit::ActiveModel) -> Result<visit::Model, DbErr> {
    sea_orm::ActiveModelTrait::update(row, &**txn).await
}
