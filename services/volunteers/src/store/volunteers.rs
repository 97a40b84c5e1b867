//! Volunteer rows.

use chrono::Utc;
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};

use super::entity::{status_change, volunteer};
use chrono::Datelike;

use super::to_json;
use crate::domain::{NewVolunteer, ProfileChanges, VolunteerChanges, VolunteerStatus};
use crate::events;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a volunteer with this email already exists in the office")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

fn map_unique(error: sea_orm::DbErr) -> StoreError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::EmailTaken,
        _ => StoreError::Db(error),
    }
}

async fn email_taken(
    txn: &TenantTxn,
    email: &str,
    except: Option<VolunteerId>,
) -> Result<bool, StoreError> {
    let mut query = volunteer::Entity::find()
        .filter(volunteer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(volunteer::Column::Email.eq(email));
    if let Some(id) = except {
        query = query.filter(volunteer::Column::Id.ne(id.as_uuid()));
    }
    Ok(query.one(&**txn).await?.is_some())
}

/// Registers a volunteer in the transaction's office with a first `status`, recorded in the
/// history as done by `by`.
pub async fn insert(
    txn: &TenantTxn,
    new: NewVolunteer,
    profile: &ProfileChanges,
    status: VolunteerStatus,
    by: Option<uuid::Uuid>,
) -> Result<volunteer::Model, StoreError> {
    if email_taken(txn, new.email.as_str(), None).await? {
        return Err(StoreError::EmailTaken);
    }
    let now = Utc::now();
    let model = volunteer::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(VolunteerId::new().as_uuid()),
        first_name: Set(new.first_name.into_inner()),
        last_name: Set(new.last_name.into_inner()),
        email: Set(new.email.into_inner()),
        phone: Set(new.phone.map(|p| p.into_inner())),
        birth_date: Set(new.birth_date.date()),
        created_at: Set(now),
        updated_at: Set(now),
        status: Set(status.as_str().to_owned()),
        kinds: Set(to_json(profile.kinds.as_deref().unwrap_or_default())),
        skills: Set(to_json(profile.skills.as_deref().unwrap_or_default())),
        languages: Set(to_json(
            profile.languages.as_deref().unwrap_or(&["pl".to_owned()]),
        )),
        districts: Set(to_json(profile.districts.as_deref().unwrap_or_default())),
        availability: Set(to_json(profile.availability.as_deref().unwrap_or_default())),
        max_hours_per_week: Set(profile.max_hours_per_week.flatten().map(|h| h as i16)),
        coordinator_notes: Set(None),
        ended_on: Set(None),
        anonymised_at: Set(None),
    };
    let inserted = volunteer::Entity::insert(model)
        .exec_with_returning(&**txn)
        .await
        .map_err(map_unique)?;
    record_change(
        txn,
        VolunteerId::from_uuid(inserted.id),
        None,
        status,
        None,
        by,
        now,
    )
    .await?;
    events::publish(
        txn,
        events::REGISTERED,
        serde_json::json!({
            "volunteer_id": inserted.id,
            "status": status.as_str(),
            "birth_year": inserted.birth_date.year(),
            "kinds": super::json_list::<String>(&inserted.kinds),
            "at": now,
        }),
    )
    .await?;
    Ok(inserted)
}

/// One page of volunteers in creation order (only those in `status`, if given), after `after`
/// if given. Returns up to `limit + 1`
/// rows so the caller can tell whether another page follows.
pub async fn page(
    txn: &TenantTxn,
    after: Option<uuid::Uuid>,
    status: Option<VolunteerStatus>,
    limit: u64,
) -> Result<Vec<volunteer::Model>, StoreError> {
    let mut query = volunteer::Entity::find()
        .filter(volunteer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .order_by_asc(volunteer::Column::Id)
        .limit(limit + 1);
    if let Some(status) = status {
        query = query.filter(volunteer::Column::Status.eq(status.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(volunteer::Column::Id.gt(after));
    }
    Ok(query.all(&**txn).await?)
}

pub async fn get(txn: &TenantTxn, id: VolunteerId) -> Result<Option<volunteer::Model>, StoreError> {
    Ok(
        volunteer::Entity::find_by_id((txn.tenant().as_uuid(), id.as_uuid()))
            .filter(volunteer::Column::TenantId.eq(txn.tenant().as_uuid()))
            .one(&**txn)
            .await?,
    )
}

/// The volunteer, if they are active now (notices and due lists leave the others out).
pub async fn get_active(
    txn: &TenantTxn,
    id: VolunteerId,
) -> Result<Option<volunteer::Model>, StoreError> {
    Ok(get(txn, id)
        .await?
        .filter(|v| VolunteerStatus::parse(&v.status) == VolunteerStatus::Active))
}

/// The office's volunteers among `ids`.
pub async fn by_ids(
    txn: &TenantTxn,
    ids: &[uuid::Uuid],
) -> Result<Vec<volunteer::Model>, StoreError> {
    Ok(volunteer::Entity::find()
        .filter(volunteer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(volunteer::Column::Id.is_in(ids.iter().copied()))
        .all(&**txn)
        .await?)
}

/// Applies `changes`, the profile changes and, if given, new coordinator notes; `None` if there
/// is no such volunteer in this office.
pub async fn update(
    txn: &TenantTxn,
    id: VolunteerId,
    changes: VolunteerChanges,
    profile: &ProfileChanges,
    notes: Option<Option<String>>,
) -> Result<Option<volunteer::Model>, StoreError> {
    if get(txn, id).await?.is_none() {
        return Ok(None);
    }
    if let Some(email) = &changes.email
        && email_taken(txn, email.as_str(), Some(id)).await?
    {
        return Err(StoreError::EmailTaken);
    }
    let set_or_keep = |value: Option<String>| value.map_or(NotSet, Set);
    let model = volunteer::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(id.as_uuid()),
        first_name: set_or_keep(changes.first_name.map(|n| n.into_inner())),
        last_name: set_or_keep(changes.last_name.map(|n| n.into_inner())),
        email: set_or_keep(changes.email.map(|e| e.into_inner())),
        phone: changes
            .phone
            .map_or(NotSet, |p| Set(p.map(|p| p.into_inner()))),
        birth_date: changes.birth_date.map_or(NotSet, |b| Set(b.date())),
        created_at: NotSet,
        updated_at: Set(Utc::now()),
        status: NotSet,
        kinds: profile.kinds.as_deref().map_or(NotSet, |l| Set(to_json(l))),
        skills: profile
            .skills
            .as_deref()
            .map_or(NotSet, |l| Set(to_json(l))),
        languages: profile
            .languages
            .as_deref()
            .map_or(NotSet, |l| Set(to_json(l))),
        districts: profile
            .districts
            .as_deref()
            .map_or(NotSet, |l| Set(to_json(l))),
        availability: profile
            .availability
            .as_deref()
            .map_or(NotSet, |l| Set(to_json(l))),
        max_hours_per_week: profile
            .max_hours_per_week
            .map_or(NotSet, |h| Set(h.map(|h| h as i16))),
        coordinator_notes: notes.map_or(NotSet, Set),
        ended_on: NotSet,
        anonymised_at: NotSet,
    };
    // The primary key (tenant_id, id) scopes this update to the transaction's office.
    volunteer::Entity::update(model)
        .exec(&**txn)
        .await
        .map(Some)
        .map_err(map_unique)
}

/// Deletes a volunteer; `false` if there was none in this office.
pub async fn delete(txn: &TenantTxn, id: VolunteerId) -> Result<bool, StoreError> {
    let result = volunteer::Entity::delete_many()
        .filter(volunteer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(volunteer::Column::Id.eq(id.as_uuid()))
        .exec(&**txn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One change of a volunteer's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub from: Option<VolunteerStatus>,
    pub to: VolunteerStatus,
    pub reason: Option<String>,
    pub changed_by: Option<uuid::Uuid>,
    pub changed_at: chrono::DateTime<Utc>,
}

async fn record_change(
    txn: &TenantTxn,
    id: VolunteerId,
    from: Option<VolunteerStatus>,
    to: VolunteerStatus,
    reason: Option<&str>,
    by: Option<uuid::Uuid>,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    status_change::Entity::insert(status_change::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(id.as_uuid()),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        reason: Set(reason.map(str::to_owned)),
        changed_by: Set(by),
        changed_at: Set(now),
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

/// What changing a status led to.
pub enum StatusChanged {
    Changed(Box<volunteer::Model>),
    /// The lifecycle does not allow it from the current status.
    NotAllowed(VolunteerStatus),
    NoSuchVolunteer,
}

/// Moves a volunteer to `to`, if the lifecycle allows it from where they are.
pub async fn change_status(
    txn: &TenantTxn,
    id: VolunteerId,
    to: VolunteerStatus,
    reason: Option<&str>,
    by: Option<uuid::Uuid>,
) -> Result<StatusChanged, StoreError> {
    let Some(current) = get(txn, id).await? else {
        return Ok(StatusChanged::NoSuchVolunteer);
    };
    let from = VolunteerStatus::parse(&current.status);
    if !from.may_become(to) {
        return Ok(StatusChanged::NotAllowed(from));
    }
    let now = Utc::now();
    let model = volunteer::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(id.as_uuid()),
        status: Set(to.as_str().to_owned()),
        updated_at: Set(now),
        ended_on: if to == VolunteerStatus::Ended {
            Set(Some(now.date_naive()))
        } else {
            NotSet
        },
        ..Default::default()
    };
    let updated = volunteer::Entity::update(model).exec(&**txn).await?;
    record_change(txn, id, Some(from), to, reason, by, now).await?;
    events::publish(
        txn,
        events::STATUS_CHANGED,
        serde_json::json!({
            "volunteer_id": id.as_uuid(), "from": from.as_str(), "to": to.as_str(), "at": now,
            "kinds": super::json_list::<String>(&current.kinds),
        }),
    )
    .await?;
    Ok(StatusChanged::Changed(Box::new(updated)))
}

/// A volunteer's status history, oldest first.
pub async fn history(txn: &TenantTxn, id: VolunteerId) -> Result<Vec<StatusChange>, StoreError> {
    Ok(status_change::Entity::find()
        .filter(status_change::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(status_change::Column::VolunteerId.eq(id.as_uuid()))
        .order_by_asc(status_change::Column::Id)
        .all(&**txn)
        .await?
        .into_iter()
        .map(|c| StatusChange {
            from: c.from_status.as_deref().map(VolunteerStatus::parse),
            to: VolunteerStatus::parse(&c.to_status),
            reason: c.reason,
            changed_by: c.changed_by,
            changed_at: c.changed_at,
        })
        .collect())
}

/// Locks the volunteer's row until the transaction ends (PostgreSQL; SQLite writers are
/// serialised already), so decisions about one volunteer are taken one at a time.
pub async fn lock(txn: &TenantTxn, id: VolunteerId) -> Result<(), StoreError> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM volunteers WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            [txn.tenant().as_uuid().into(), id.as_uuid().into()],
        ))
        .await?;
    }
    Ok(())
}
