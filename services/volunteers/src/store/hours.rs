//! Hours of volunteer work: from completed assignments (approved at once) or reported by the
//! volunteer (approved or rejected by a coordinator).

use chrono::{NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreError;
use super::entity::hours;
use crate::events;

pub const APPROVED: &str = "approved";
pub const PENDING: &str = "pending";
pub const REJECTED: &str = "rejected";
/// Logged from a completed assignment.
pub const FROM_ASSIGNMENT: &str = "assignment";
/// Reported by the volunteer.
pub const SELF_REPORTED: &str = "self_reported";

/// Hours to log.
pub struct NewHours {
    pub assignment_id: Option<uuid::Uuid>,
    pub worked_on: NaiveDate,
    pub minutes: i32,
    pub description: Option<String>,
    pub source: &'static str,
    /// The coordinator who approved them at once, if any.
    pub approved_by: Option<uuid::Uuid>,
}

pub async fn log(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    new: NewHours,
) -> Result<hours::Model, StoreError> {
    let now = Utc::now();
    let logged = hours::Entity::insert(hours::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        assignment_id: Set(new.assignment_id),
        worked_on: Set(new.worked_on),
        minutes: Set(new.minutes),
        description: Set(new.description),
        source: Set(new.source.to_owned()),
        status: Set(if new.approved_by.is_some() {
            APPROVED
        } else {
            PENDING
        }
        .to_owned()),
        decided_by: Set(new.approved_by),
        decided_at: Set(new.approved_by.map(|_| now)),
        created_at: Set(now),
    })
    .exec_with_returning(&**txn)
    .await?;
    if logged.status == APPROVED {
        approved(txn, &logged).await?;
    }
    Ok(logged)
}

/// Tells statistics, with the kind of help of the assignment the hours came from (none for
/// hours logged or reported without one).
async fn approved(txn: &TenantTxn, entry: &hours::Model) -> Result<(), StoreError> {
    let kind = match entry.assignment_id {
        Some(id) => super::assignments::get(txn, VolunteerId::from_uuid(entry.volunteer_id), id)
            .await?
            .map(|a| a.kind),
        None => None,
    };
    events::publish(
        txn,
        events::HOURS_APPROVED,
        serde_json::json!({
            "volunteer_id": entry.volunteer_id, "entry_id": entry.id,
            "assignment_id": entry.assignment_id, "worked_on": entry.worked_on,
            "minutes": entry.minutes, "source": entry.source, "kind": kind,
        }),
    )
    .await?;
    Ok(())
}

/// A volunteer's hours between two days (inclusive; open ends allowed), in order of the day.
pub async fn list(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<hours::Model>, StoreError> {
    let mut query = hours::Entity::find()
        .filter(hours::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(hours::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(hours::Column::WorkedOn);
    if let Some(from) = from {
        query = query.filter(hours::Column::WorkedOn.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(hours::Column::WorkedOn.lte(to));
    }
    Ok(query.all(&**txn).await?)
}

/// Approves or rejects pending hours.
pub async fn decide(
    txn: &TenantTxn,
    id: uuid::Uuid,
    approved: bool,
    by: uuid::Uuid,
) -> Result<hours::Model, StoreError> {
    let decided = hours::Entity::update(hours::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(id),
        status: Set(if approved { APPROVED } else { REJECTED }.to_owned()),
        decided_by: Set(Some(by)),
        decided_at: Set(Some(Utc::now())),
        ..Default::default()
    })
    .exec(&**txn)
    .await?;
    if decided.status == APPROVED {
        self::approved(txn, &decided).await?;
    }
    Ok(decided)
}
