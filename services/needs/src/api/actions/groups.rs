//! A school class registered for a shift by its teacher (through a coordinator). All or
//! nothing: every pupil is checked first and every problem is reported at once, by the pupil's
//! place on the list (`pupils[3].guardian_consent`); nothing is written while any remain.

use chrono::Utc;
use lacznik_http::auth::Caller;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::Email;

use super::plan::require_shift;
use super::rules::{Person, PersonInput, check_person, day_of, is_minor};
use super::signups::{adults_only, announce, standing};
use super::wire::{Signup, SignupGroupInput, SignupGroupRegistered};
use crate::api::clean;
use crate::store::actions::{self, NewGroup, NewSignup, SignupStatus};

/// The most pupils one registration may bring.
const MAX_PUPILS: usize = 40;

pub(super) async fn register(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
    shift_id: uuid::Uuid,
    input: SignupGroupInput,
) -> Result<SignupGroupRegistered, Problem> {
    caller.require_coordinator()?;
    let txn = db.begin(tenant.id).await?;
    let shift = require_shift(&txn, action_id, shift_id, true).await?;
    let day = day_of(shift.starts_at);
    if shift.adults_only && input.pupils.iter().any(|p| is_minor(p.birth_date, day)) {
        return Err(adults_only());
    }
    let mut v = Validator::new();
    let name = clean(Some(&input.name));
    if name.is_none() {
        v.reject("name", "Podaj klasę, np. „3b”.");
    }
    let teacher_name = clean(Some(&input.teacher_name));
    if teacher_name.is_none() {
        v.reject("teacher_name", "Podaj imię i nazwisko nauczyciela.");
    }
    let teacher_email = match clean(input.teacher_email.as_deref()).map(|e| Email::parse(&e)) {
        Some(Ok(email)) => Some(email.into_inner()),
        Some(Err(e)) => {
            v.reject("teacher_email", e.message);
            None
        }
        None => None,
    };
    if let Some(partner) = input.partner_id
        && !actions::partner_exists(&txn, partner).await?
    {
        v.reject(
            "partner_id",
            "Nie ma takiej instytucji partnerskiej w ośrodku.",
        );
    }
    if input.pupils.is_empty() {
        v.reject("pupils", "Dodaj co najmniej jednego ucznia.");
    } else if input.pupils.len() > MAX_PUPILS {
        v.reject(
            "pupils",
            "Jednym zgłoszeniem można zapisać najwyżej 40 uczniów.",
        );
    }
    let already = standing(&txn, shift.id).await?;
    let mut pupils: Vec<(usize, Person)> = Vec::with_capacity(input.pupils.len());
    for (i, pupil) in input.pupils.iter().enumerate() {
        let raw = PersonInput {
            first_name: &pupil.first_name,
            last_name: &pupil.last_name,
            birth_date: Some(pupil.birth_date),
            guardian_name: pupil.guardian_name.as_deref(),
            guardian_consent: pupil.guardian_consent,
        };
        let Some(person) = check_person(&mut v, &format!("pupils[{i}]."), &raw, day) else {
            continue;
        };
        let twin = pupils
            .iter()
            .find(|(_, p)| p.same_as(&person.first_name, &person.last_name, person.birth_date));
        if let Some((j, _)) = twin {
            v.reject(
                &format!("pupils[{i}]"),
                &format!("Ten uczeń jest już na liście (pupils[{j}])."),
            );
        } else if already
            .iter()
            .any(|s| person.same_as(&s.first_name, &s.last_name, s.birth_date))
        {
            v.reject(
                &format!("pupils[{i}]"),
                "Ten uczeń jest już zapisany na tę zmianę.",
            );
        }
        pupils.push((i, person));
    }
    v.finish()?;
    let group = actions::insert_group(
        &txn,
        NewGroup {
            shift_id: shift.id,
            partner_id: input.partner_id,
            name: name.unwrap_or_default(),
            teacher_name: teacher_name.unwrap_or_default(),
            teacher_email,
            registered_by: caller.user_id(),
        },
    )
    .await?;
    let now = Utc::now();
    let placed = actions::place(
        &txn,
        &shift,
        pupils
            .into_iter()
            .map(|(_, p)| NewSignup {
                volunteer_id: None,
                group_id: Some(group.id),
                guardian_consent_at: p.minor.then_some(now),
                first_name: p.first_name,
                last_name: p.last_name,
                birth_date: p.birth_date,
                guardian_name: p.guardian_name,
                registered_by: caller.user_id(),
            })
            .collect(),
    )
    .await?;
    for signup in &placed {
        announce(&txn, &shift, signup, is_minor(signup.birth_date, day)).await?;
    }
    txn.commit().await?;
    let count = |status: SignupStatus| {
        let n = placed
            .iter()
            .filter(|s| s.status == status.as_str())
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    Ok(SignupGroupRegistered {
        registered: count(SignupStatus::Registered),
        waitlisted: count(SignupStatus::Waitlisted),
        group: group.into(),
        signups: placed.into_iter().map(|s| Signup::new(s, &shift)).collect(),
    })
}
