//! The list the office gives the insurer for accident insurance (NNW) of an action: everyone
//! with a place on one of its shifts, with their birth date, shift, class and — for a minor —
//! the guardian who consented.

use std::collections::HashMap;

use lacznik_http::auth::Caller;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;

use super::plan::require_action;
use super::rules::{day_of, is_minor, polish_key, shift_time};
use super::wire::{ActionRoster, ActionRosterLine};
use crate::store::actions::{self, SignupStatus};

pub(super) async fn roster(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
) -> Result<ActionRoster, Problem> {
    caller.require_coordinator()?;
    let txn = db.begin(tenant.id).await?;
    let action = require_action(&txn, action_id).await?;
    let shifts = actions::shifts(&txn, action.id).await?;
    let ids: Vec<uuid::Uuid> = shifts.iter().map(|s| s.id).collect();
    let signups = actions::signups(&txn, &ids).await?;
    let groups: HashMap<uuid::Uuid, String> = actions::groups(&txn, &ids)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    txn.commit().await?;
    let shifts: HashMap<uuid::Uuid, _> = shifts.into_iter().map(|s| (s.id, s)).collect();
    let mut lines: Vec<ActionRosterLine> = signups
        .into_iter()
        .filter(|s| SignupStatus::parse(&s.status).holds_place())
        .filter_map(|s| {
            let shift = shifts.get(&s.shift_id)?;
            Some(ActionRosterLine {
                signup_id: s.id,
                volunteer_id: s.volunteer_id,
                minor: is_minor(s.birth_date, day_of(shift.starts_at)),
                birth_date: s.birth_date,
                shift_id: shift.id,
                starts_at: shift.starts_at,
                ends_at: shift.ends_at,
                shift_time: shift_time(shift.starts_at, shift.ends_at),
                place: shift.place.clone().or_else(|| action.place.clone()),
                group: s.group_id.and_then(|g| groups.get(&g).cloned()),
                guardian_name: s.guardian_name,
                checked_in: s.checked_in_at.is_some(),
                first_name: s.first_name,
                last_name: s.last_name,
            })
        })
        .collect();
    lines.sort_by_cached_key(|l| {
        (
            l.starts_at,
            l.shift_id,
            polish_key(&l.last_name),
            polish_key(&l.first_name),
        )
    });
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(ActionRoster {
        action_id: action.id,
        title: action.title,
        starts_on: action.starts_on,
        ends_on: action.ends_on,
        people: count(lines.len()),
        minors: count(lines.iter().filter(|l| l.minor).count()),
        lines,
    })
}
