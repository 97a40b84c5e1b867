//! `/api/v1/volunteers`: create, list (keyset pages), read, update and delete volunteers of
//! the current office.

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::auth::{Bearer, Role, forbidden};
use lacznik_http::problem::Validator;
use lacznik_http::{Caller, Cursor, PageLimit, Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::VolunteerId;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use crate::domain::{
    NewVolunteer, ProfileChanges, RawProfile, RawVolunteer, Slot, VolunteerChanges,
    VolunteerStatus, parse_profile,
};
use crate::store::{self, StoreError, catalogue, entity::volunteer, json_list};

#[derive(Tags)]
enum Tag {
    /// Wolontariusze (volunteers)
    Volunteers,
}

/// A volunteer of the office.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Volunteer {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Normalised, e.g. `+48 601 234 567`.
    pub phone: Option<String>,
    pub birth_date: NaiveDate,
    /// Full years, from the birth date.
    pub age: u32,
    /// Where the volunteer stands: applicant, active, paused or ended.
    pub status: VolunteerStatus,
    /// Kinds of help offered (codes of the catalogue).
    pub kinds: Vec<String>,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    /// Districts of the town where the volunteer is willing to help; empty = anywhere.
    pub districts: Vec<String>,
    /// Weekly availability.
    pub availability: Vec<Slot>,
    pub max_hours_per_week: Option<u16>,
    /// Seen by coordinators only; never sent to the volunteer.
    pub coordinator_notes: Option<String>,
    /// The personal data was erased (anonymised); the record stays for statistics.
    pub anonymised: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Volunteer {
    /// The volunteer as `caller` may see them: coordinators' notes only for coordinators.
    pub(crate) fn for_caller(model: volunteer::Model, caller: &Caller) -> Self {
        let coordinator = caller.is(Role::Coordinator);
        let mut view = Self::from_model(model, today());
        if !coordinator {
            view.coordinator_notes = None;
        }
        view
    }

    fn from_model(model: volunteer::Model, today: NaiveDate) -> Self {
        Self {
            id: model.id,
            kinds: json_list(&model.kinds),
            skills: json_list(&model.skills),
            languages: json_list(&model.languages),
            districts: json_list(&model.districts),
            availability: json_list(&model.availability),
            max_hours_per_week: model.max_hours_per_week.and_then(|h| u16::try_from(h).ok()),
            coordinator_notes: model.coordinator_notes,
            anonymised: model.anonymised_at.is_some(),
            age: today.years_since(model.birth_date).unwrap_or(0),
            status: VolunteerStatus::parse(&model.status),
            first_name: model.first_name,
            last_name: model.last_name,
            email: model.email,
            phone: model.phone,
            birth_date: model.birth_date,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A new volunteer.
#[derive(Debug, Object)]
pub struct VolunteerInput {
    #[oai(validator(max_length = 100))]
    pub first_name: String,
    #[oai(validator(max_length = 100))]
    pub last_name: String,
    #[oai(validator(max_length = 254))]
    pub email: String,
    #[oai(validator(max_length = 30))]
    pub phone: Option<String>,
    /// ISO date, e.g. `1998-04-17`. The volunteer must be at least 13.
    pub birth_date: NaiveDate,
    #[oai(flatten)]
    pub profile: ProfileInput,
}

/// What a volunteer offers; every list is checked against the catalogues
/// (`GET /api/v1/volunteers/catalogue`). Absent lists stay as they are.
#[derive(Debug, Default, Object)]
pub struct ProfileInput {
    #[oai(validator(max_items = 14))]
    pub kinds: Option<Vec<String>>,
    #[oai(validator(max_items = 50))]
    pub skills: Option<Vec<String>>,
    #[oai(validator(max_items = 10))]
    pub languages: Option<Vec<String>>,
    #[oai(validator(max_items = 50))]
    pub districts: Option<Vec<String>>,
    #[oai(validator(max_items = 28))]
    pub availability: Option<Vec<Slot>>,
    /// 1–60; `null` removes the limit.
    pub max_hours_per_week: MaybeUndefined<u16>,
}

impl ProfileInput {
    fn raw(self) -> RawProfile {
        RawProfile {
            kinds: self.kinds,
            skills: self.skills,
            languages: self.languages,
            districts: self.districts,
            availability: self.availability,
            max_hours_per_week: match self.max_hours_per_week {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(h) => Some(Some(h)),
            },
        }
    }
}

/// Changes to a volunteer: absent fields stay, `phone: null` removes the phone.
#[derive(Debug, Object)]
pub struct VolunteerPatch {
    #[oai(validator(max_length = 100))]
    pub first_name: Option<String>,
    #[oai(validator(max_length = 100))]
    pub last_name: Option<String>,
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    #[oai(validator(max_length = 30))]
    pub phone: MaybeUndefined<String>,
    pub birth_date: Option<NaiveDate>,
    #[oai(flatten)]
    pub profile: ProfileInput,
    /// Coordinators only; `null` clears them.
    #[oai(validator(max_length = 4000))]
    pub coordinator_notes: MaybeUndefined<String>,
}

/// One page of volunteers.
#[derive(Debug, Object, serde::Deserialize)]
pub struct VolunteerPage {
    pub items: Vec<Volunteer>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
enum Created {
    /// The volunteer was registered.
    #[oai(status = 201)]
    Created(Json<Volunteer>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The volunteer was deleted.
    #[oai(status = 204)]
    NoContent,
}

/// Today in Poland (where every office is).
pub(crate) fn today() -> NaiveDate {
    crate::domain::local_time::warsaw(Utc::now()).date()
}

pub(crate) fn store_problem(error: StoreError) -> Problem {
    match error {
        StoreError::EmailTaken => Problem::conflict(
            "email_taken",
            "W tym ośrodku jest już wolontariusz z tym adresem e-mail.",
        ),
        StoreError::Db(db) => db.into(),
    }
}

pub(crate) fn parse_id(raw: &str) -> Result<VolunteerId, Problem> {
    raw.parse().map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "Niepoprawny identyfikator",
        )
        .with_detail("Identyfikator wolontariusza to UUID.")
    })
}

/// Parses the profile against the office's catalogue and reports its problems together with
/// those of the personal details.
pub(crate) async fn with_profile<T>(
    txn: &lacznik_tenancy::TenantTxn,
    personal: Result<T, Problem>,
    input: ProfileInput,
) -> Result<(T, ProfileChanges), Problem> {
    let office = catalogue::office_catalogue(txn)
        .await
        .map_err(store_problem)?;
    let mut v = Validator::new();
    let profile = parse_profile(&mut v, input.raw(), &office);
    Ok((v.finish_with(personal)?, profile))
}

/// 404 unless the volunteer exists in this office; returns the row.
pub(crate) async fn require_volunteer(
    txn: &lacznik_tenancy::TenantTxn,
    id: VolunteerId,
) -> Result<volunteer::Model, Problem> {
    store::get(txn, id)
        .await
        .map_err(store_problem)?
        .ok_or_else(|| Problem::not_found("Wolontariusz"))
}

/// Opens the office's transaction for a request about one volunteer that coordinators and the
/// volunteer themself may make: parses the id, checks the caller, finds the volunteer (404).
pub(crate) async fn open_own(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    raw_id: &str,
) -> Result<(lacznik_tenancy::TenantTxn, VolunteerId, volunteer::Model), Problem> {
    let id = parse_id(raw_id)?;
    may_access(caller, id)?;
    let txn = db.begin(tenant.id).await?;
    let found = require_volunteer(&txn, id).await?;
    Ok((txn, id, found))
}

/// Coordinators reach every volunteer of their office; a volunteer only their own profile.
pub(crate) fn may_access(caller: &Caller, id: VolunteerId) -> Result<(), Problem> {
    if caller.is(Role::Coordinator) || caller.own_volunteer() == Some(id.as_uuid()) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// A change of status.
#[derive(Debug, Object)]
pub struct StatusInput {
    pub status: VolunteerStatus,
    /// Why, e.g. "rozmowa odbyta 12.11, zaakceptowany" or "wyjazd na studia".
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// One change in a volunteer's history.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct StatusChangeView {
    /// Absent for the first status.
    pub from: Option<VolunteerStatus>,
    pub to: VolunteerStatus,
    pub reason: Option<String>,
    /// The coordinator who made the change.
    pub changed_by: Option<uuid::Uuid>,
    pub changed_at: DateTime<Utc>,
}

pub struct VolunteersApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Volunteers")]
impl VolunteersApi {
    /// Registers a volunteer in the office.
    #[oai(path = "/", method = "post", operation_id = "create_volunteer")]
    async fn create(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<VolunteerInput>,
    ) -> Result<Created, Problem> {
        auth.0.require_coordinator()?;
        let input = body.0;
        let new = NewVolunteer::parse(
            RawVolunteer {
                first_name: Some(&input.first_name),
                last_name: Some(&input.last_name),
                email: Some(&input.email),
                phone: Some(input.phone.as_deref()),
                birth_date: Some(input.birth_date),
            },
            today(),
        );
        let txn = db.begin(tenant.id).await?;
        let (new, profile) = with_profile(&txn, new, input.profile).await?;
        // Registered by a coordinator: active at once (public sign-up starts as an applicant).
        let model = store::insert(
            &txn,
            new,
            &profile,
            VolunteerStatus::Active,
            Some(auth.0.user_id()),
        )
        .await
        .map_err(store_problem)?;
        txn.commit().await?;
        let location = format!("/api/v1/volunteers/{}", model.id);
        Ok(Created::Created(
            Json(Volunteer::for_caller(model, &auth.0)),
            location,
        ))
    }

    /// Lists the office's volunteers, oldest registration first, a page at a time.
    #[oai(path = "/", method = "get", operation_id = "list_volunteers")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u64>>,
        /// Only volunteers in this status.
        status: Query<Option<VolunteerStatus>>,
    ) -> Result<Json<VolunteerPage>, Problem> {
        auth.0.require_coordinator()?;
        let after = cursor.0.as_deref().map(Cursor::decode).transpose()?;
        let limit = PageLimit::parse(limit.0)?.get();
        let txn = db.begin(tenant.id).await?;
        let mut rows = store::page(&txn, after.map(|c| c.0), status.0, limit)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        let next_cursor = if rows.len() as u64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|last| Cursor(last.id).encode())
        } else {
            None
        };
        Ok(Json(VolunteerPage {
            items: rows
                .into_iter()
                .map(|m| Volunteer::for_caller(m, &auth.0))
                .collect(),
            next_cursor,
        }))
    }

    /// One volunteer.
    #[oai(path = "/:id", method = "get", operation_id = "get_volunteer")]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Volunteer>, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let txn = db.begin(tenant.id).await?;
        let found = store::get(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        found
            .map(|m| Json(Volunteer::for_caller(m, &auth.0)))
            .ok_or_else(|| Problem::not_found("Wolontariusz"))
    }

    /// Changes some of a volunteer's details.
    #[oai(path = "/:id", method = "patch", operation_id = "update_volunteer")]
    async fn update(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<VolunteerPatch>,
    ) -> Result<Json<Volunteer>, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let patch = body.0;
        let changes = VolunteerChanges::parse(
            RawVolunteer {
                first_name: patch.first_name.as_deref(),
                last_name: patch.last_name.as_deref(),
                email: patch.email.as_deref(),
                phone: match &patch.phone {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(p) => Some(Some(p.as_str())),
                },
                birth_date: patch.birth_date,
            },
            today(),
        );
        let notes = match patch.coordinator_notes {
            MaybeUndefined::Undefined => None,
            _ if !auth.0.is(Role::Coordinator) => return Err(forbidden()),
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(n) => Some(Some(n.trim().to_owned()).filter(|n| !n.is_empty())),
        };
        let txn = db.begin(tenant.id).await?;
        let (changes, profile) = with_profile(&txn, changes, patch.profile).await?;
        let updated = store::update(&txn, id, changes, &profile, notes)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        updated
            .map(|m| Json(Volunteer::for_caller(m, &auth.0)))
            .ok_or_else(|| Problem::not_found("Wolontariusz"))
    }

    /// Deletes a volunteer.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_volunteer")]
    async fn delete(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Deleted, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let deleted = store::delete(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        if deleted {
            Ok(Deleted::NoContent)
        } else {
            Err(Problem::not_found("Wolontariusz"))
        }
    }

    /// Coordinators: moves a volunteer through the lifecycle — applicant → active (after the
    /// interview) → paused ↔ active → ended. Any other step is 409 `invalid_status_change`.
    #[oai(
        path = "/:id/status",
        method = "post",
        operation_id = "change_volunteer_status"
    )]
    async fn change_status(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<StatusInput>,
    ) -> Result<Json<Volunteer>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let reason = body
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let txn = db.begin(tenant.id).await?;
        let changed = store::change_status(&txn, id, body.status, reason, Some(auth.0.user_id()))
            .await
            .map_err(store_problem)?;
        match changed {
            store::StatusChanged::Changed(model) => {
                txn.commit().await?;
                Ok(Json(Volunteer::for_caller(*model, &auth.0)))
            }
            store::StatusChanged::NotAllowed(from) => Err(Problem::new(
                StatusCode::CONFLICT,
                "invalid_status_change",
                "Niedozwolona zmiana statusu",
            )
            .with_detail(format!(
                "Wolontariusz ma status „{}”; nie można go zmienić na „{}”.",
                from.label(),
                body.status.label()
            ))),
            store::StatusChanged::NoSuchVolunteer => Err(Problem::not_found("Wolontariusz")),
        }
    }

    /// The history of a volunteer's status, oldest first (coordinators, or the volunteer).
    #[oai(
        path = "/:id/history",
        method = "get",
        operation_id = "volunteer_status_history"
    )]
    async fn history(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<StatusChangeView>>, Problem> {
        let id = parse_id(&id.0)?;
        may_access(&auth.0, id)?;
        let txn = db.begin(tenant.id).await?;
        if store::get(&txn, id).await.map_err(store_problem)?.is_none() {
            return Err(Problem::not_found("Wolontariusz"));
        }
        let changes = store::history(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(
            changes
                .into_iter()
                .map(|c| StatusChangeView {
                    from: c.from,
                    to: c.to,
                    reason: c.reason,
                    changed_by: c.changed_by,
                    changed_at: c.changed_at,
                })
                .collect(),
        ))
    }
}
