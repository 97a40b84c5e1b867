//! Actions and their shifts: what the office plans, and how full each shift is.

use chrono::Duration;
use lacznik_http::auth::{Caller, Role};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use serde_json::json;

use super::rules::day_of;
use super::wire::{Action, ActionDetail, ActionInput, OwnSignup, Shift, ShiftInput};
use crate::api::clean;
use crate::events::{ACTION_CREATED, emit};
use crate::store::actions::{self, NewAction, NewShift, SignupStatus, action, shift};

/// Most people one shift may take.
const MAX_CAPACITY: i32 = 1000;

/// Coordinators and volunteers of the office.
pub(super) fn require_reader(caller: &Caller) -> Result<(), Problem> {
    caller.require_any(&[Role::Coordinator, Role::Volunteer])
}

pub(super) async fn require_action(
    txn: &TenantTxn,
    id: uuid::Uuid,
) -> Result<action::Model, Problem> {
    actions::action(txn, id)
        .await?
        .ok_or_else(|| Problem::not_found("Akcja"))
}

/// A shift of the action; `lock` holds its places until the transaction ends.
pub(super) async fn require_shift(
    txn: &TenantTxn,
    action: uuid::Uuid,
    id: uuid::Uuid,
    lock: bool,
) -> Result<shift::Model, Problem> {
    require_action(txn, action).await?;
    actions::shift(txn, action, id, lock)
        .await?
        .ok_or_else(|| Problem::not_found("Zmiana"))
}

pub(super) async fn create(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    input: ActionInput,
) -> Result<Action, Problem> {
    caller.require_coordinator()?;
    let mut v = Validator::new();
    let title = clean(Some(&input.title));
    if title.is_none() {
        v.reject("title", "Podaj nazwę akcji.");
    }
    if input.ends_on < input.starts_on {
        v.reject("ends_on", "Koniec akcji nie może być przed jej początkiem.");
    } else if (input.ends_on - input.starts_on).num_days() > 366 {
        v.reject("ends_on", "Akcja może trwać najwyżej rok.");
    }
    let txn = db.begin(tenant.id).await?;
    if let Some(partner) = input.partner_id
        && !actions::partner_exists(&txn, partner).await?
    {
        v.reject(
            "partner_id",
            "Nie ma takiej instytucji partnerskiej w ośrodku.",
        );
    }
    v.finish()?;
    let created = actions::insert_action(
        &txn,
        NewAction {
            title: title.unwrap_or_default(),
            kind: input.kind.as_str(),
            description: clean(input.description.as_deref()),
            place: clean(input.place.as_deref()),
            partner_id: input.partner_id,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            created_by: caller.user_id(),
        },
    )
    .await?;
    emit(
        &txn,
        ACTION_CREATED,
        json!({
            "action_id": created.id,
            "kind": created.kind,
            "starts_on": created.starts_on,
            "ends_on": created.ends_on,
            "partner_id": created.partner_id,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(created.into())
}

pub(super) async fn list(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
) -> Result<Vec<Action>, Problem> {
    require_reader(caller)?;
    let txn = db.begin(tenant.id).await?;
    let list = actions::actions(&txn).await?;
    txn.commit().await?;
    Ok(list.into_iter().map(Action::from).collect())
}

pub(super) async fn detail(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<ActionDetail, Problem> {
    require_reader(caller)?;
    let txn = db.begin(tenant.id).await?;
    let action = require_action(&txn, id).await?;
    let shifts = actions::shifts(&txn, id).await?;
    let ids: Vec<uuid::Uuid> = shifts.iter().map(|s| s.id).collect();
    let counts = actions::counts(&txn, &ids).await?;
    let own = match caller.own_volunteer() {
        Some(volunteer) => actions::own_signups(&txn, &ids, volunteer).await?,
        None => Vec::new(),
    };
    txn.commit().await?;
    let shifts = shifts
        .into_iter()
        .map(|s| {
            let count = counts.get(&s.id).copied().unwrap_or_default();
            let mine = own.iter().find(|o| o.shift_id == s.id).map(|o| {
                let status = SignupStatus::parse(&o.status);
                OwnSignup {
                    id: o.id,
                    status,
                    position: (status == SignupStatus::Waitlisted).then_some(o.position),
                }
            });
            Shift {
                my_signup: mine,
                ..Shift::new(s, count.registered, count.waitlisted)
            }
        })
        .collect();
    Ok(ActionDetail {
        action: action.into(),
        shifts,
    })
}

pub(super) async fn add_shift(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
    input: ShiftInput,
) -> Result<Shift, Problem> {
    caller.require_coordinator()?;
    let txn = db.begin(tenant.id).await?;
    let action = require_action(&txn, action_id).await?;
    let mut v = Validator::new();
    let day = day_of(input.starts_at);
    if day < action.starts_on || action.ends_on < day {
        v.reject(
            "starts_at",
            "Zmiana musi zaczynać się w jednym z dni akcji.",
        );
    }
    if input.ends_at <= input.starts_at {
        v.reject("ends_at", "Koniec zmiany musi być po jej początku.");
    } else if input.ends_at - input.starts_at > Duration::hours(24) {
        v.reject("ends_at", "Zmiana może trwać najwyżej 24 godziny.");
    }
    if !(1..=MAX_CAPACITY).contains(&input.capacity) {
        v.reject("capacity", "Podaj liczbę miejsc na zmianie: od 1 do 1000.");
    }
    v.finish()?;
    let created = actions::insert_shift(
        &txn,
        NewShift {
            action_id,
            place: clean(input.place.as_deref()),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            capacity: input.capacity,
            adults_only: input.adults_only,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Shift::new(created, 0, 0))
}
