//! `/api/v1/needs/actions`: one-off community events the office runs — food collections at
//! shops, parcel distributions, festivals, bottle-cap collections — with shifts of limited
//! places, sign-ups with a waitlist, school classes registered by their teachers, check-in,
//! the insurer's list and tallies of what was achieved. The routes are here; each
//! responsibility has its own file.

mod groups;
mod plan;
mod roster;
mod rules;
mod signups;
mod tallies;
mod wire;

use lacznik_http::auth::Bearer;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};
use uuid::Uuid;

use wire::{
    Action, ActionDetail, ActionInput, ActionRoster, Shift, ShiftInput, Signup, SignupCancelled,
    SignupGroupInput, SignupGroupRegistered, SignupInput, Tallies, Tally, TallyInput,
};

#[derive(Tags)]
enum Tag {
    /// Akcje (actions)
    Actions,
}

#[derive(ApiResponse)]
enum ActionCreated {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Action>),
}

#[derive(ApiResponse)]
enum ShiftAdded {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Shift>),
}

#[derive(ApiResponse)]
enum SignedUp {
    /// Signed up: with a place (`registered`) or on the waitlist (`waitlisted`).
    #[oai(status = 201)]
    Created(Json<Signup>),
}

#[derive(ApiResponse)]
enum GroupAdded {
    /// The class is registered; its pupils have places or wait.
    #[oai(status = 201)]
    Created(Json<SignupGroupRegistered>),
}

#[derive(ApiResponse)]
enum TallyAdded {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Tally>),
}

pub struct ActionsApi;

#[OpenApi(prefix_path = "/api/v1/needs/actions", tag = "Tag::Actions")]
impl ActionsApi {
    /// Coordinators: plans an action.
    #[oai(path = "/", method = "post", operation_id = "create_action")]
    async fn create(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<ActionInput>,
    ) -> Result<ActionCreated, Problem> {
        plan::create(&db, &tenant, &auth.0, body.0)
            .await
            .map(|a| ActionCreated::Created(Json(a)))
    }

    /// The office's actions, latest first (coordinators and volunteers).
    #[oai(path = "/", method = "get", operation_id = "list_actions")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<Action>>, Problem> {
        plan::list(&db, &tenant, &auth.0).await.map(Json)
    }

    /// An action with its shifts and how full each is (coordinators and volunteers; no
    /// names). A volunteer also sees their own sign-up on each shift.
    #[oai(path = "/:id", method = "get", operation_id = "get_action")]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
    ) -> Result<Json<ActionDetail>, Problem> {
        plan::detail(&db, &tenant, &auth.0, id.0).await.map(Json)
    }

    /// Coordinators: adds a shift with a number of places.
    #[oai(
        path = "/:id/shifts",
        method = "post",
        operation_id = "add_action_shift"
    )]
    async fn add_shift(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
        body: Json<ShiftInput>,
    ) -> Result<ShiftAdded, Problem> {
        plan::add_shift(&db, &tenant, &auth.0, id.0, body.0)
            .await
            .map(|s| ShiftAdded::Created(Json(s)))
    }

    /// Signs a person up for a shift: a volunteer themself (`{}`), or — by a coordinator — a
    /// volunteer or someone without a profile. Places go in order; the rest wait. Refusals:
    /// 409 `adults_only`, `already_signed_up`, `guardian_consent_missing` (a minor signing
    /// themself up before the office holds a guardian's consent), `volunteer_not_active`, `shift_started`; 422 for a person under 13 or a
    /// minor without a guardian's consent.
    #[oai(
        path = "/:id/shifts/:shift/signups",
        method = "post",
        operation_id = "sign_up_for_shift"
    )]
    #[allow(clippy::too_many_arguments)] // the route's extractors
    async fn sign_up(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        deps: Data<&crate::Deps>,
        auth: Bearer,
        id: Path<Uuid>,
        shift: Path<Uuid>,
        body: Json<SignupInput>,
    ) -> Result<SignedUp, Problem> {
        signups::sign_up(&db, &tenant, &deps, &auth.0, id.0, shift.0, body.0)
            .await
            .map(|s| SignedUp::Created(Json(s)))
    }

    /// Coordinators: everyone on a shift — with a place, waiting, cancelled.
    #[oai(
        path = "/:id/shifts/:shift/signups",
        method = "get",
        operation_id = "list_shift_signups"
    )]
    async fn list_signups(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
        shift: Path<Uuid>,
    ) -> Result<Json<Vec<Signup>>, Problem> {
        signups::list(&db, &tenant, &auth.0, id.0, shift.0)
            .await
            .map(Json)
    }

    /// Cancels a sign-up (a coordinator, or the volunteer their own); a freed place goes to
    /// the first on the waitlist.
    #[oai(
        path = "/:id/shifts/:shift/signups/:signup/cancellation",
        method = "post",
        operation_id = "cancel_shift_signup"
    )]
    async fn cancel(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
        shift: Path<Uuid>,
        signup: Path<Uuid>,
    ) -> Result<Json<SignupCancelled>, Problem> {
        signups::cancel(&db, &tenant, &auth.0, id.0, shift.0, signup.0)
            .await
            .map(Json)
    }

    /// Coordinators: notes that a person with a place came.
    #[oai(
        path = "/:id/shifts/:shift/signups/:signup/check-in",
        method = "post",
        operation_id = "check_in_shift_signup"
    )]
    async fn check_in(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
        shift: Path<Uuid>,
        signup: Path<Uuid>,
    ) -> Result<Json<Signup>, Problem> {
        signups::check_in(&db, &tenant, &auth.0, id.0, shift.0, signup.0)
            .await
            .map(Json)
    }

    /// Coordinators: registers a school class for a shift on behalf of its teacher. All or
    /// nothing; 422 lists every pupil's problems (`pupils[3].guardian_consent`).
    #[oai(
        path = "/:id/shifts/:shift/groups",
        method = "post",
        operation_id = "register_class_for_shift"
    )]
    async fn register_group(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
        shift: Path<Uuid>,
        body: Json<SignupGroupInput>,
    ) -> Result<GroupAdded, Problem> {
        groups::register(&db, &tenant, &auth.0, id.0, shift.0, body.0)
            .await
            .map(|g| GroupAdded::Created(Json(g)))
    }

    /// Coordinators: the insurer's list (NNW) — everyone with a place, by shift.
    #[oai(path = "/:id/roster", method = "get", operation_id = "action_roster")]
    async fn roster(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
    ) -> Result<Json<ActionRoster>, Problem> {
        roster::roster(&db, &tenant, &auth.0, id.0).await.map(Json)
    }

    /// Coordinators: records what a shift (or the action) achieved.
    #[oai(
        path = "/:id/tallies",
        method = "post",
        operation_id = "record_action_tally"
    )]
    async fn record_tally(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
        body: Json<TallyInput>,
    ) -> Result<TallyAdded, Problem> {
        tallies::record(&db, &tenant, &auth.0, id.0, body.0)
            .await
            .map(|t| TallyAdded::Created(Json(t)))
    }

    /// The action's tally: every entry, and the total of each measure in Polish
    /// (coordinators and volunteers).
    #[oai(
        path = "/:id/tallies",
        method = "get",
        operation_id = "list_action_tallies"
    )]
    async fn tallies(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<Uuid>,
    ) -> Result<Json<Tallies>, Problem> {
        tallies::list(&db, &tenant, &auth.0, id.0).await.map(Json)
    }
}
