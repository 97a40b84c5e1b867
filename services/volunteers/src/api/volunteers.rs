//! `/api/v1/volunteers`: create, list (keyset pages), read, update and delete volunteers of
//! the current office.

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::auth::{Bearer, Role, forbidden};
use lacznik_http::{Caller, Cursor, PageLimit, Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::VolunteerId;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use crate::domain::{NewVolunteer, RawVolunteer, VolunteerChanges, VolunteerStatus};
use crate::store::{self, StoreError, entity::volunteer};

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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Volunteer {
    fn from_model(model: volunteer::Model, today: NaiveDate) -> Self {
        Self {
            id: model.id,
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

pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
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
        )?;
        let txn = db.begin(tenant.id).await?;
        // Registered by a coordinator: active at once (public sign-up starts as an applicant).
        let model = store::insert(&txn, new, VolunteerStatus::Active, Some(auth.0.user_id()))
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        let location = format!("/api/v1/volunteers/{}", model.id);
        Ok(Created::Created(
            Json(Volunteer::from_model(model, today())),
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
        let today = today();
        Ok(Json(VolunteerPage {
            items: rows
                .into_iter()
                .map(|m| Volunteer::from_model(m, today))
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
            .map(|m| Json(Volunteer::from_model(m, today())))
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
        )?;
        let txn = db.begin(tenant.id).await?;
        let updated = store::update(&txn, id, changes)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        updated
            .map(|m| Json(Volunteer::from_model(m, today())))
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
                Ok(Json(Volunteer::from_model(model, today())))
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
