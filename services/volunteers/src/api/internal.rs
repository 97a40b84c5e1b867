//! Internal API for the needs service: matching, volunteers' contact details for offers, and
//! bookings made when a volunteer accepts an offer by email link (no user token to forward).
//! Like identity's internal API it is not routed by the gateway, so clients cannot reach it;
//! the office still comes from the tenant headers and every query runs in that office's
//! transaction. Bookings follow exactly the rules of the public API.

use chrono::NaiveDate;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::assignments::{Assignment, AssignmentInput, book_in, cancel_in, parse};
use super::hours::complete_in;
use super::matching::{MatchingInput, MatchingResult, rank_volunteers};
use super::volunteers::{parse_id, store_problem, today};
use crate::store::{self, consents};
use lacznik_types::VolunteerId;

/// Whom to look up.
#[derive(Debug, Object)]
pub struct ContactsInput {
    #[oai(validator(max_items = 200))]
    pub ids: Vec<uuid::Uuid>,
}

/// How to reach a volunteer, for an offer.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Contact {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub birth_date: NaiveDate,
    pub status: String,
    /// For a minor: the parent or guardian whose consent is on record (not withdrawn).
    pub guardian_name: Option<String>,
}

/// One or more bookings of a volunteer, kept all together or not at all.
#[derive(Debug, Object)]
pub struct BookingInput {
    /// The coordinator on whose behalf, if any (absent when the volunteer accepted by link).
    pub by: Option<uuid::Uuid>,
    #[oai(validator(min_items = 1, max_items = 400))]
    pub occurrences: Vec<AssignmentInput>,
}

/// Completion of a booked assignment.
#[derive(Debug, Object)]
pub struct CompletionInput {
    /// Default: the planned duration.
    pub minutes: Option<i32>,
    /// The coordinator who confirmed the work; absent → the hours wait for approval.
    pub confirmed_by: Option<uuid::Uuid>,
}

/// Whom an office's message is for: its active volunteers, optionally only those who help
/// with some kinds or in some districts.
#[derive(Debug, Object)]
pub struct AudienceInput {
    /// Kinds of help (catalogue codes); empty = any.
    #[oai(default)]
    pub kinds: Vec<String>,
    /// Districts (the office's codes); empty = any. A volunteer who named no district counts as
    /// available anywhere.
    #[oai(default)]
    pub districts: Vec<String>,
    /// Continue after this volunteer (the previous page's `next`).
    pub after: Option<uuid::Uuid>,
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub limit: u64,
}

/// A member of an audience.
#[derive(Debug, Clone, Object)]
pub struct AudienceMember {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub kinds: Vec<String>,
    pub districts: Vec<String>,
}

/// One page of an audience.
#[derive(Debug, Object)]
pub struct AudiencePage {
    pub items: Vec<AudienceMember>,
    /// Where the next page starts; absent on the last page.
    pub next: Option<uuid::Uuid>,
}

pub struct InternalApi;

#[OpenApi(prefix_path = "/internal/v1/volunteers")]
impl InternalApi {
    /// Ranked candidates for a need.
    #[oai(path = "/matching", method = "post")]
    async fn matching(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        body: Json<MatchingInput>,
    ) -> Result<Json<MatchingResult>, Problem> {
        rank_volunteers(&db, &tenant, body.0).await.map(Json)
    }

    /// The office's active volunteers matching the filter, a page at a time (broadcasts and
    /// the weekly digest of the notifications service).
    #[oai(path = "/audience", method = "post")]
    async fn audience(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        body: Json<AudienceInput>,
    ) -> Result<Json<AudiencePage>, Problem> {
        let input = body.0;
        let txn = db.begin(tenant.id).await?;
        let page = store::page(
            &txn,
            input.after,
            Some(crate::domain::VolunteerStatus::Active),
            input.limit,
        )
        .await
        .map_err(store_problem)?;
        txn.commit().await?;
        let limit = usize::try_from(input.limit).unwrap_or(1000);
        let next = (page.len() > limit).then(|| page[limit - 1].id);
        let items = page
            .into_iter()
            .take(limit)
            .map(|v| AudienceMember {
                id: v.id,
                first_name: v.first_name,
                last_name: v.last_name,
                email: v.email,
                kinds: store::json_list(&v.kinds),
                districts: store::json_list(&v.districts),
            })
            .filter(|m| {
                (input.kinds.is_empty() || m.kinds.iter().any(|k| input.kinds.contains(k)))
                    && (input.districts.is_empty()
                        || m.districts.is_empty()
                        || m.districts.iter().any(|d| input.districts.contains(d)))
            })
            .collect();
        Ok(Json(AudiencePage { items, next }))
    }

    /// Names and addresses of the given volunteers (unknown ids are left out).
    #[oai(path = "/contacts", method = "post")]
    async fn contacts(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        body: Json<ContactsInput>,
    ) -> Result<Json<Vec<Contact>>, Problem> {
        let txn = db.begin(tenant.id).await?;
        let found = store::by_ids(&txn, &body.ids)
            .await
            .map_err(store_problem)?;
        let mut contacts = Vec::with_capacity(found.len());
        for v in found {
            let minor = today().years_since(v.birth_date).unwrap_or(0) < 18;
            let guardian_name = if minor {
                consents::list(&txn, VolunteerId::from_uuid(v.id))
                    .await
                    .map_err(store_problem)?
                    .into_iter()
                    .find(|c| c.kind == consents::GUARDIAN && c.withdrawn_at.is_none())
                    .map(|c| c.given_by)
            } else {
                None
            };
            contacts.push(Contact {
                id: v.id,
                first_name: v.first_name,
                last_name: v.last_name,
                email: v.email,
                phone: v.phone,
                birth_date: v.birth_date,
                status: v.status,
                guardian_name,
            });
        }
        txn.commit().await?;
        Ok(Json(contacts))
    }

    /// Books every occurrence, or none: 409 with the first rule that refuses one.
    #[oai(path = "/:id/assignments", method = "post")]
    async fn book(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        id: Path<String>,
        body: Json<BookingInput>,
    ) -> Result<Json<Vec<Assignment>>, Problem> {
        let id = parse_id(&id.0)?;
        let BookingInput { by, occurrences } = body.0;
        for occurrence in &occurrences {
            parse(occurrence)?;
        }
        let txn = db.begin(tenant.id).await?;
        let mut booked = Vec::with_capacity(occurrences.len());
        for occurrence in occurrences {
            booked.push(book_in(&txn, id, occurrence, by).await?.into());
        }
        txn.commit().await?;
        Ok(Json(booked))
    }

    /// Cancels a booked assignment.
    #[oai(path = "/:id/assignments/:assignment/cancellation", method = "post")]
    async fn cancel(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        id: Path<String>,
        assignment: Path<uuid::Uuid>,
    ) -> Result<Json<Assignment>, Problem> {
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let cancelled = cancel_in(&txn, id, assignment.0).await?;
        txn.commit().await?;
        Ok(Json(cancelled.into()))
    }

    /// Marks an assignment done and logs its hours.
    #[oai(path = "/:id/assignments/:assignment/completion", method = "post")]
    async fn complete(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        id: Path<String>,
        assignment: Path<uuid::Uuid>,
        body: Json<CompletionInput>,
    ) -> Result<Json<Assignment>, Problem> {
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let done = complete_in(&txn, id, assignment.0, body.minutes, body.confirmed_by).await?;
        txn.commit().await?;
        Ok(Json(done.into()))
    }
}
