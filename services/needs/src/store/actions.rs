//! Actions (collections, distributions, festivals) with their shifts, sign-ups, class
//! registrations and tallies. Places on a shift are given out under a lock on the shift's row,
//! so two sign-ups at once cannot both take its last place.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entity::partner;

pub mod action {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "actions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub title: String,
        /// `food_collection`, `parcel_distribution`, `festival`, `caps_collection` or `other`.
        pub kind: String,
        pub description: Option<String>,
        pub place: Option<String>,
        pub partner_id: Option<Uuid>,
        pub starts_on: Date,
        pub ends_on: Date,
        /// `planned` (the only status so far).
        pub status: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod shift {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "shifts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub action_id: Uuid,
        pub place: Option<String>,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub capacity: i32,
        pub adults_only: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod signup_group {
    use sea_orm::entity::prelude::*;

    /// A school class registered by its teacher.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "signup_groups")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub shift_id: Uuid,
        pub partner_id: Option<Uuid>,
        /// The class, e.g. "3b".
        pub name: String,
        pub teacher_name: String,
        pub teacher_email: Option<String>,
        pub registered_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod signup {
    use sea_orm::entity::prelude::*;

    /// One person on a shift: a volunteer with a profile, or someone without one (a pupil).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "shift_signups")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub shift_id: Uuid,
        pub volunteer_id: Option<Uuid>,
        pub group_id: Option<Uuid>,
        pub first_name: String,
        pub last_name: String,
        pub birth_date: Date,
        pub guardian_name: Option<String>,
        pub guardian_consent_at: Option<DateTimeUtc>,
        /// See [`super::SignupStatus`].
        pub status: String,
        /// Place on the waitlist (1 = next in line); 0 when not waitlisted.
        pub position: i32,
        pub checked_in_at: Option<DateTimeUtc>,
        pub registered_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tally {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "action_tallies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub action_id: Uuid,
        pub shift_id: Option<Uuid>,
        /// `kilograms`, `parcels`, `people_served` or `caps_kilograms`.
        pub measure: String,
        pub amount: f64,
        pub note: Option<String>,
        pub recorded_by: Uuid,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Where a person on a shift stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum SignupStatus {
    /// Has a place.
    Registered,
    /// Waits for a place to free up.
    Waitlisted,
    /// Has a place and came.
    CheckedIn,
    Cancelled,
}

impl SignupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Waitlisted => "waitlisted",
            Self::CheckedIn => "checked_in",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Self {
        [Self::Registered, Self::Waitlisted, Self::CheckedIn]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .unwrap_or(Self::Cancelled)
    }

    /// Takes one of the shift's places.
    pub fn holds_place(self) -> bool {
        matches!(self, Self::Registered | Self::CheckedIn)
    }
}

/// Whether the office has this partner institution.
pub async fn partner_exists(txn: &TenantTxn, id: uuid::Uuid) -> Result<bool, DbErr> {
    Ok(partner::Entity::find()
        .filter(partner::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(partner::Column::Id.eq(id))
        .one(&**txn)
        .await?
        .is_some())
}

/// A new action.
pub struct NewAction {
    pub title: String,
    pub kind: &'static str,
    pub description: Option<String>,
    pub place: Option<String>,
    pub partner_id: Option<uuid::Uuid>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_by: uuid::Uuid,
}

/// Records a planned action.
pub async fn insert_action(txn: &TenantTxn, new: NewAction) -> Result<action::Model, DbErr> {
    action::Entity::insert(action::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        title: Set(new.title),
        kind: Set(new.kind.to_owned()),
        description: Set(new.description),
        place: Set(new.place),
        partner_id: Set(new.partner_id),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        status: Set("planned".to_owned()),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await
}

/// The office's actions, latest first.
pub async fn actions(txn: &TenantTxn) -> Result<Vec<action::Model>, DbErr> {
    action::Entity::find()
        .filter(action::Column::TenantId.eq(txn.tenant().as_uuid()))
        .order_by_desc(action::Column::StartsOn)
        .order_by_desc(action::Column::Id)
        .all(&**txn)
        .await
}

/// An action of the office.
pub async fn action(txn: &TenantTxn, id: uuid::Uuid) -> Result<Option<action::Model>, DbErr> {
    action::Entity::find()
        .filter(action::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(action::Column::Id.eq(id))
        .one(&**txn)
        .await
}

/// A new shift of an action.
pub struct NewShift {
    pub action_id: uuid::Uuid,
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub adults_only: bool,
}

/// Records a shift of an action.
pub async fn insert_shift(txn: &TenantTxn, new: NewShift) -> Result<shift::Model, DbErr> {
    shift::Entity::insert(shift::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        action_id: Set(new.action_id),
        place: Set(new.place),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        capacity: Set(new.capacity),
        adults_only: Set(new.adults_only),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await
}

/// An action's shifts, earliest first.
pub async fn shifts(txn: &TenantTxn, action: uuid::Uuid) -> Result<Vec<shift::Model>, DbErr> {
    shift::Entity::find()
        .filter(shift::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(shift::Column::ActionId.eq(action))
        .order_by_asc(shift::Column::StartsAt)
        .order_by_asc(shift::Column::Id)
        .all(&**txn)
        .await
}

/// A shift of `action`, locked until `txn` ends when `lock` is set: places are counted and
/// given out one sign-up at a time. (SQLite has no row locks; its write transactions already
/// run one at a time.)
pub async fn shift(
    txn: &TenantTxn,
    action: uuid::Uuid,
    id: uuid::Uuid,
    lock: bool,
) -> Result<Option<shift::Model>, DbErr> {
    let query = shift::Entity::find()
        .filter(shift::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(shift::Column::ActionId.eq(action))
        .filter(shift::Column::Id.eq(id));
    if lock {
        query.lock_exclusive().one(&**txn).await
    } else {
        query.one(&**txn).await
    }
}

/// How many people hold a place on a shift and how many wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub registered: i64,
    pub waitlisted: i64,
}

/// [`Counts`] of each of `shifts` (a shift nobody signed up for is missing).
pub async fn counts(
    txn: &TenantTxn,
    shifts: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Counts>, DbErr> {
    if shifts.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(uuid::Uuid, String, i64)> = signup::Entity::find()
        .select_only()
        .column(signup::Column::ShiftId)
        .column(signup::Column::Status)
        .column_as(signup::Column::Id.count(), "n")
        .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup::Column::ShiftId.is_in(shifts.iter().copied()))
        .group_by(signup::Column::ShiftId)
        .group_by(signup::Column::Status)
        .into_tuple()
        .all(&**txn)
        .await?;
    let mut counts: HashMap<uuid::Uuid, Counts> = HashMap::new();
    for (shift, status, n) in rows {
        let entry = counts.entry(shift).or_default();
        match SignupStatus::parse(&status) {
            s if s.holds_place() => entry.registered += n,
            SignupStatus::Waitlisted => entry.waitlisted += n,
            _ => {}
        }
    }
    Ok(counts)
}

/// Everyone ever signed up for `shifts` (cancelled too), in the order they signed up.
pub async fn signups(txn: &TenantTxn, shifts: &[uuid::Uuid]) -> Result<Vec<signup::Model>, DbErr> {
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    signup::Entity::find()
        .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup::Column::ShiftId.is_in(shifts.iter().copied()))
        .order_by_asc(signup::Column::Id)
        .all(&**txn)
        .await
}

/// The volunteer's sign-ups for `shifts` that still stand (not cancelled).
pub async fn own_signups(
    txn: &TenantTxn,
    shifts: &[uuid::Uuid],
    volunteer: uuid::Uuid,
) -> Result<Vec<signup::Model>, DbErr> {
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    signup::Entity::find()
        .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup::Column::ShiftId.is_in(shifts.iter().copied()))
        .filter(signup::Column::VolunteerId.eq(volunteer))
        .filter(signup::Column::Status.ne(SignupStatus::Cancelled.as_str()))
        .all(&**txn)
        .await
}

/// A sign-up for `shift`.
pub async fn signup(
    txn: &TenantTxn,
    shift: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Option<signup::Model>, DbErr> {
    signup::Entity::find()
        .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup::Column::ShiftId.eq(shift))
        .filter(signup::Column::Id.eq(id))
        .one(&**txn)
        .await
}

/// A person to place on a shift.
pub struct NewSignup {
    pub volunteer_id: Option<uuid::Uuid>,
    pub group_id: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub guardian_name: Option<String>,
    pub guardian_consent_at: Option<DateTime<Utc>>,
    pub registered_by: uuid::Uuid,
}

/// Places `people` on `shift` in order: free places first, then the end of the waitlist. The
/// caller holds the shift's lock (see [`shift`]).
pub async fn place(
    txn: &TenantTxn,
    shift: &shift::Model,
    people: Vec<NewSignup>,
) -> Result<Vec<signup::Model>, DbErr> {
    let standing: Vec<(String, i32)> = signup::Entity::find()
        .select_only()
        .column(signup::Column::Status)
        .column(signup::Column::Position)
        .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup::Column::ShiftId.eq(shift.id))
        .into_tuple()
        .all(&**txn)
        .await?;
    let mut taken = standing
        .iter()
        .filter(|(status, _)| SignupStatus::parse(status).holds_place())
        .count();
    let mut last_waiting = standing
        .iter()
        .filter(|(status, _)| SignupStatus::parse(status) == SignupStatus::Waitlisted)
        .map(|(_, position)| *position)
        .max()
        .unwrap_or(0);
    let capacity = usize::try_from(shift.capacity).unwrap_or(0);
    let now = Utc::now();
    let placed: Vec<signup::Model> = people
        .into_iter()
        .map(|p| {
            let (status, position) = if taken < capacity {
                taken += 1;
                (SignupStatus::Registered, 0)
            } else {
                last_waiting += 1;
                (SignupStatus::Waitlisted, last_waiting)
            };
            signup::Model {
                tenant_id: txn.tenant().as_uuid(),
                id: uuid::Uuid::now_v7(),
                shift_id: shift.id,
                volunteer_id: p.volunteer_id,
                group_id: p.group_id,
                first_name: p.first_name,
                last_name: p.last_name,
                birth_date: p.birth_date,
                guardian_name: p.guardian_name,
                guardian_consent_at: p.guardian_consent_at,
                status: status.as_str().to_owned(),
                position,
                checked_in_at: None,
                registered_by: Some(p.registered_by),
                created_at: now,
            }
        })
        .collect();
    signup::Entity::insert_many(
        placed
            .iter()
            .map(|m| m.clone().into_active_model().reset_all()),
    )
    .exec_without_returning(&**txn)
    .await?;
    Ok(placed)
}

async fn set_status(
    txn: &TenantTxn,
    signup: &signup::Model,
    status: SignupStatus,
    checked_in_at: Option<DateTime<Utc>>,
) -> Result<signup::Model, DbErr> {
    let mut row = signup.clone().into_active_model();
    row.status = Set(status.as_str().to_owned());
    row.position = Set(0);
    row.checked_in_at = Set(checked_in_at);
    row.update(&**txn).await
}

/// Cancels a sign-up that still stands; a place it held goes to the first on the waitlist,
/// who is returned. The caller holds the shift's lock.
pub async fn cancel(
    txn: &TenantTxn,
    signup: &signup::Model,
) -> Result<(signup::Model, Option<signup::Model>), DbErr> {
    let was = SignupStatus::parse(&signup.status);
    let cancelled = set_status(txn, signup, SignupStatus::Cancelled, None).await?;
    let (gap, promoted) = if was == SignupStatus::Waitlisted {
        (signup.position, None)
    } else {
        let first = signup::Entity::find()
            .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
            .filter(signup::Column::ShiftId.eq(signup.shift_id))
            .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
            .order_by_asc(signup::Column::Position)
            .one(&**txn)
            .await?;
        match first {
            Some(first) => (
                first.position,
                Some(set_status(txn, &first, SignupStatus::Registered, None).await?),
            ),
            None => return Ok((cancelled, None)),
        }
    };
    // Everyone behind the one who left moves up.
    signup::Entity::update_many()
        .col_expr(
            signup::Column::Position,
            Expr::col(signup::Column::Position).sub(1),
        )
        .filter(signup::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup::Column::ShiftId.eq(signup.shift_id))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .filter(signup::Column::Position.gt(gap))
        .exec(&**txn)
        .await?;
    Ok((cancelled, promoted))
}

/// Notes that a person with a place came.
pub async fn check_in(
    txn: &TenantTxn,
    signup: &signup::Model,
    at: DateTime<Utc>,
) -> Result<signup::Model, DbErr> {
    set_status(txn, signup, SignupStatus::CheckedIn, Some(at)).await
}

/// A class registered for a shift.
pub struct NewGroup {
    pub shift_id: uuid::Uuid,
    pub partner_id: Option<uuid::Uuid>,
    pub name: String,
    pub teacher_name: String,
    pub teacher_email: Option<String>,
    pub registered_by: uuid::Uuid,
}

/// Records a class; its pupils are placed with [`place`].
pub async fn insert_group(txn: &TenantTxn, new: NewGroup) -> Result<signup_group::Model, DbErr> {
    signup_group::Entity::insert(signup_group::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        shift_id: Set(new.shift_id),
        partner_id: Set(new.partner_id),
        name: Set(new.name),
        teacher_name: Set(new.teacher_name),
        teacher_email: Set(new.teacher_email),
        registered_by: Set(new.registered_by),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await
}

/// The classes registered for `shifts`.
pub async fn groups(
    txn: &TenantTxn,
    shifts: &[uuid::Uuid],
) -> Result<Vec<signup_group::Model>, DbErr> {
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    signup_group::Entity::find()
        .filter(signup_group::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(signup_group::Column::ShiftId.is_in(shifts.iter().copied()))
        .all(&**txn)
        .await
}

/// One entry of an action's tally.
pub struct NewTally {
    pub action_id: uuid::Uuid,
    pub shift_id: Option<uuid::Uuid>,
    pub measure: &'static str,
    pub amount: f64,
    pub note: Option<String>,
    pub recorded_by: uuid::Uuid,
}

/// Records one entry of an action's tally.
pub async fn insert_tally(txn: &TenantTxn, new: NewTally) -> Result<tally::Model, DbErr> {
    tally::Entity::insert(tally::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        action_id: Set(new.action_id),
        shift_id: Set(new.shift_id),
        measure: Set(new.measure.to_owned()),
        amount: Set(new.amount),
        note: Set(new.note),
        recorded_by: Set(new.recorded_by),
        recorded_at: Set(Utc::now()),
    })
    .exec_with_returning(&**txn)
    .await
}

/// An action's tally entries, oldest first.
pub async fn tallies(txn: &TenantTxn, action: uuid::Uuid) -> Result<Vec<tally::Model>, DbErr> {
    tally::Entity::find()
        .filter(tally::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(tally::Column::ActionId.eq(action))
        .order_by_asc(tally::Column::Id)
        .all(&**txn)
        .await
}
