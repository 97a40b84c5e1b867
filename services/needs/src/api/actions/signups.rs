//! Sign-ups for a shift: a volunteer signs themself up, or a coordinator registers a volunteer
//! or someone without a profile. Places go in order of sign-up; the rest wait, and a cancelled
//! place goes to the first who waits.

use chrono::Utc;
use lacznik_http::auth::{Caller, Role};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use serde_json::json;

use super::plan::{require_action, require_shift};
use super::rules::{Person, PersonInput, check_person, day_of, is_minor};
use super::wire::{Signup, SignupCancelled, SignupInput};
use crate::Deps;
use crate::api::request_email;
use crate::domain::Schedule;
use crate::events::{SHIFT_CHECKED_IN, SHIFT_SIGNED_UP, SHIFT_SIGNUP_CANCELLED, emit};
use crate::store::actions::{self, NewSignup, SignupStatus, shift, signup};
use crate::volunteers::Contact;

/// Whom a sign-up is for.
#[derive(Clone, Copy)]
enum Who {
    /// The calling volunteer.
    Own(uuid::Uuid),
    /// A volunteer with a profile, registered by a coordinator.
    Volunteer(uuid::Uuid),
    /// Someone without a profile, registered by a coordinator.
    Person,
}

/// Names someone without a profile.
fn has_details(input: &SignupInput) -> bool {
    input.first_name.is_some() || input.last_name.is_some() || input.birth_date.is_some()
}

/// Whom the sign-up is for; only coordinators sign up anyone but themselves.
fn who(caller: &Caller, input: &SignupInput) -> Result<Who, Problem> {
    let details = has_details(input);
    match (input.volunteer_id, caller.own_volunteer()) {
        (None, Some(own)) if !details => Ok(Who::Own(own)),
        (Some(id), Some(own)) if !details && id == own => Ok(Who::Own(own)),
        (Some(id), _) => caller.require_coordinator().map(|_| Who::Volunteer(id)),
        (None, _) => caller.require_coordinator().map(|_| Who::Person),
    }
}

/// The volunteer's details from the volunteers service. Asked before the transaction: in
/// embedded mode both services share one SQLite database, whose write lock it would hold.
async fn contact(
    deps: &Deps,
    tenant: &TenantContext,
    who: Who,
) -> Result<Option<Contact>, Problem> {
    let (Who::Own(id) | Who::Volunteer(id)) = who else {
        return Ok(None);
    };
    let found = deps
        .volunteers
        .contacts(tenant, &[id])
        .await?
        .into_iter()
        .next();
    match (found, who) {
        (Some(c), _) if c.status == "active" => Ok(Some(c)),
        (None, Who::Volunteer(_)) => Err(Problem::validation(vec![lacznik_http::FieldProblem {
            field: "volunteer_id".into(),
            message: "Nie ma takiego wolontariusza w ośrodku.".into(),
        }])),
        _ => Err(Problem::conflict(
            "volunteer_not_active",
            "Na akcje mogą się zapisywać tylko aktywni wolontariusze.",
        )),
    }
}

/// What was sent about the person: a volunteer's details come from their profile.
fn person_input<'a>(
    v: &mut Validator,
    input: &'a SignupInput,
    who: Who,
    contact: Option<&'a Contact>,
) -> PersonInput<'a> {
    let guardian_name = input.guardian_name.as_deref();
    let guardian_consent = input.guardian_consent;
    match contact {
        Some(c) => {
            if matches!(who, Who::Volunteer(_)) && has_details(input) {
                v.reject(
                    "volunteer_id",
                    "Podaj albo wolontariusza, albo dane osoby spoza bazy, nie jedno i drugie.",
                );
            }
            // A minor volunteer's guardian consented when they joined the office.
            PersonInput {
                first_name: &c.first_name,
                last_name: &c.last_name,
                birth_date: Some(c.birth_date),
                guardian_name: guardian_name.or(c.guardian_name.as_deref()),
                guardian_consent: guardian_consent || c.guardian_name.is_some(),
            }
        }
        None => PersonInput {
            first_name: input.first_name.as_deref().unwrap_or_default(),
            last_name: input.last_name.as_deref().unwrap_or_default(),
            birth_date: input.birth_date,
            guardian_name,
            guardian_consent,
        },
    }
}

/// 409: a minor on an adults-only shift.
pub(super) fn adults_only() -> Problem {
    Problem::conflict(
        "adults_only",
        "Ta zmiana jest tylko dla osób pełnoletnich (18 lat w dniu zmiany).",
    )
}

/// Reports a new sign-up to statistics: ids, status and whether a minor — no names.
pub(super) async fn announce(
    txn: &TenantTxn,
    shift: &shift::Model,
    signup: &signup::Model,
    minor: bool,
) -> Result<(), Problem> {
    emit(
        txn,
        SHIFT_SIGNED_UP,
        json!({
            "action_id": shift.action_id,
            "shift_id": shift.id,
            "signup_id": signup.id,
            "volunteer_id": signup.volunteer_id,
            "group_id": signup.group_id,
            "status": signup.status,
            "minor": minor,
            "at": signup.created_at,
        }),
    )
    .await
}

/// The sign-ups of a shift that still stand.
pub(super) async fn standing(
    txn: &TenantTxn,
    shift: uuid::Uuid,
) -> Result<Vec<signup::Model>, Problem> {
    Ok(actions::signups(txn, &[shift])
        .await?
        .into_iter()
        .filter(|s| SignupStatus::parse(&s.status) != SignupStatus::Cancelled)
        .collect())
}

pub(super) async fn sign_up(
    db: &TenantDb,
    tenant: &TenantContext,
    deps: &Deps,
    caller: &Caller,
    action_id: uuid::Uuid,
    shift_id: uuid::Uuid,
    input: SignupInput,
) -> Result<Signup, Problem> {
    super::plan::require_reader(caller)?;
    let who = who(caller, &input)?;
    let contact = contact(deps, tenant, who).await?;
    let txn = db.begin(tenant.id).await?;
    let shift = require_shift(&txn, action_id, shift_id, true).await?;
    let day = day_of(shift.starts_at);
    let mut v = Validator::new();
    let raw = person_input(&mut v, &input, who, contact.as_ref());
    let minor = raw.birth_date.is_some_and(|b| is_minor(b, day));
    if shift.adults_only && minor {
        return Err(adults_only());
    }
    if let Who::Own(_) = who {
        // A minor signs up alone once the office holds their guardian's consent.
        if minor && contact.as_ref().is_none_or(|c| c.guardian_name.is_none()) {
            return Err(Problem::conflict(
                "guardian_consent_missing",
                "Osobę niepełnoletnią zapisuje koordynator, gdy ośrodek ma zgodę jej rodzica \
                 lub opiekuna prawnego.",
            ));
        }
        if shift.starts_at <= Utc::now() {
            return Err(Problem::conflict(
                "shift_started",
                "Ta zmiana już się zaczęła; zapisy są zamknięte.",
            ));
        }
    }
    // `check_person` has said why in `v` whenever it gives no one.
    let person = check_person(&mut v, "", &raw, day);
    let person: Person = v.finish_with(person.ok_or_else(|| Problem::validation(Vec::new())))?;
    let volunteer_id = contact.as_ref().map(|c| c.id);
    let taken = standing(&txn, shift.id).await?.into_iter().any(|s| {
        (volunteer_id.is_some() && s.volunteer_id == volunteer_id)
            || person.same_as(&s.first_name, &s.last_name, s.birth_date)
    });
    if taken {
        return Err(Problem::conflict(
            "already_signed_up",
            "Ta osoba jest już zapisana na tę zmianę.",
        ));
    }
    let placed = actions::place(
        &txn,
        &shift,
        vec![NewSignup {
            volunteer_id,
            group_id: None,
            guardian_consent_at: person.minor.then(Utc::now),
            first_name: person.first_name,
            last_name: person.last_name,
            birth_date: person.birth_date,
            guardian_name: person.guardian_name,
            registered_by: caller.user_id(),
        }],
    )
    .await?;
    let signup = placed
        .into_iter()
        .next()
        .ok_or_else(|| Problem::internal(&"a sign-up was not placed"))?;
    announce(&txn, &shift, &signup, person.minor).await?;
    if let Some(c) = &contact {
        confirm_by_email(&txn, c, &shift, &signup).await?;
    }
    txn.commit().await?;
    Ok(Signup::new(signup, &shift))
}

/// Tells a volunteer they are on the shift (with a calendar invitation) or on its waitlist.
async fn confirm_by_email(
    txn: &TenantTxn,
    c: &Contact,
    shift: &shift::Model,
    signup: &signup::Model,
) -> Result<(), Problem> {
    let Some(action) = actions::action(txn, shift.action_id).await? else {
        return Ok(());
    };
    let when = Schedule::Once {
        starts_at: shift.starts_at,
        ends_at: shift.ends_at,
    }
    .describe();
    request_email(
        txn,
        "shift_signup",
        (&c.email, &format!("{} {}", c.first_name, c.last_name)),
        String::new(),
        None,
        json!({
            "first_name": c.first_name,
            "signup_id": signup.id,
            "action_title": action.title,
            "status": signup.status,
            "when": when,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "place": shift.place.as_ref().or(action.place.as_ref()),
        }),
    )
    .await
}

/// Everyone on a shift: those with a place in order of sign-up, then the waitlist in order,
/// then the cancelled.
pub(super) async fn list(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
    shift_id: uuid::Uuid,
) -> Result<Vec<Signup>, Problem> {
    caller.require_coordinator()?;
    let txn = db.begin(tenant.id).await?;
    let shift = require_shift(&txn, action_id, shift_id, false).await?;
    let mut list = actions::signups(&txn, &[shift.id]).await?;
    txn.commit().await?;
    list.sort_by_key(|s| {
        let rank = match SignupStatus::parse(&s.status) {
            s if s.holds_place() => 0,
            SignupStatus::Waitlisted => 1,
            _ => 2,
        };
        (rank, s.position, s.id)
    });
    Ok(list.into_iter().map(|s| Signup::new(s, &shift)).collect())
}

/// The sign-up, if the caller may act on it: coordinators on any, a volunteer on their own.
async fn require_signup(
    txn: &TenantTxn,
    caller: &Caller,
    shift: &shift::Model,
    id: uuid::Uuid,
) -> Result<signup::Model, Problem> {
    let found = actions::signup(txn, shift.id, id).await?;
    let coordinator = caller.is(Role::Coordinator);
    found
        .filter(|s| {
            coordinator || (s.volunteer_id.is_some() && s.volunteer_id == caller.own_volunteer())
        })
        .ok_or_else(|| Problem::not_found("Zapis"))
}

pub(super) async fn cancel(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
    shift_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<SignupCancelled, Problem> {
    super::plan::require_reader(caller)?;
    let txn = db.begin(tenant.id).await?;
    let shift = require_shift(&txn, action_id, shift_id, true).await?;
    let signup = require_signup(&txn, caller, &shift, id).await?;
    match SignupStatus::parse(&signup.status) {
        SignupStatus::Cancelled => {
            return Err(Problem::conflict(
                "already_cancelled",
                "Ten zapis został już odwołany.",
            ));
        }
        SignupStatus::CheckedIn => {
            return Err(Problem::conflict(
                "already_checked_in",
                "Ta osoba już się stawiła na zmianie; zapisu nie można odwołać.",
            ));
        }
        SignupStatus::Registered | SignupStatus::Waitlisted => {}
    }
    let (cancelled, promoted) = actions::cancel(&txn, &signup).await?;
    emit(
        &txn,
        SHIFT_SIGNUP_CANCELLED,
        json!({
            "action_id": shift.action_id,
            "shift_id": shift.id,
            "signup_id": cancelled.id,
            "volunteer_id": cancelled.volunteer_id,
            "was": signup.status,
            "promoted_signup_id": promoted.as_ref().map(|p| p.id),
            "at": Utc::now(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(SignupCancelled {
        signup: Signup::new(cancelled, &shift),
        promoted_signup_id: promoted.map(|p| p.id),
    })
}

pub(super) async fn check_in(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
    shift_id: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<Signup, Problem> {
    caller.require_coordinator()?;
    let txn = db.begin(tenant.id).await?;
    let shift = require_shift(&txn, action_id, shift_id, true).await?;
    let signup = require_signup(&txn, caller, &shift, id).await?;
    match SignupStatus::parse(&signup.status) {
        SignupStatus::Registered => {}
        SignupStatus::CheckedIn => {
            return Err(Problem::conflict(
                "already_checked_in",
                "Ta osoba jest już odnotowana jako obecna.",
            ));
        }
        SignupStatus::Waitlisted | SignupStatus::Cancelled => {
            return Err(Problem::conflict(
                "not_registered",
                "Obecność można odnotować tylko osobie, która ma miejsce na tej zmianie.",
            ));
        }
    }
    let checked = actions::check_in(&txn, &signup, Utc::now()).await?;
    let action = require_action(&txn, action_id).await?;
    emit(
        &txn,
        SHIFT_CHECKED_IN,
        json!({
            "action_id": shift.action_id,
            "kind": action.kind,
            "shift_id": shift.id,
            "signup_id": checked.id,
            "volunteer_id": checked.volunteer_id,
            "minor": is_minor(checked.birth_date, day_of(shift.starts_at)),
            "at": checked.checked_in_at,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(Signup::new(checked, &shift))
}
