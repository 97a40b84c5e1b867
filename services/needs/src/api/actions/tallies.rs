//! What an action achieved: kilograms of food collected, parcels given out, people served,
//! kilograms of bottle caps. Entries are added as shifts report; totals are their sums.

use lacznik_http::auth::Caller;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use serde_json::json;

use super::plan::{require_action, require_reader};
use super::rules::{plural, polish_number};
use super::wire::{Measure, Tallies, Tally, TallyInput, TallyTotal};
use crate::api::clean;
use crate::events::{TALLY_RECORDED, emit};
use crate::store::actions::{self, NewTally};

/// More than one entry could honestly be: a typo guard.
const MAX_AMOUNT: f64 = 1_000_000.0;

/// A total as people read it: "1 234,5 kg", "312 paczek", "1 osoba".
fn formatted(measure: Measure, amount: f64) -> String {
    let number = polish_number(amount);
    // Whole measures are recorded in whole units, so their sums are whole too.
    let whole = amount.round() as u64;
    let unit = match measure {
        Measure::Kilograms | Measure::CapsKilograms => "kg",
        Measure::Parcels => plural(whole, "paczka", "paczki", "paczek"),
        Measure::PeopleServed => plural(whole, "osoba", "osoby", "osób"),
    };
    format!("{number} {unit}")
}

pub(super) async fn record(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
    input: TallyInput,
) -> Result<Tally, Problem> {
    caller.require_coordinator()?;
    let txn = db.begin(tenant.id).await?;
    let action = require_action(&txn, action_id).await?;
    let mut v = Validator::new();
    if !input.amount.is_finite() || input.amount < 0.0 {
        v.reject("amount", "Podaj liczbę nie mniejszą niż 0.");
    } else if input.amount > MAX_AMOUNT {
        v.reject(
            "amount",
            "Ponad milion w jednym wpisie to zapewne pomyłka. Sprawdź liczbę.",
        );
    } else if input.measure.whole() && input.amount.fract() != 0.0 {
        v.reject("amount", "Paczki i osoby liczy się w całości.");
    }
    if let Some(shift) = input.shift_id
        && actions::shift(&txn, action_id, shift, false)
            .await?
            .is_none()
    {
        v.reject("shift_id", "Ta zmiana nie należy do tej akcji.");
    }
    v.finish()?;
    let recorded = actions::insert_tally(
        &txn,
        NewTally {
            action_id,
            shift_id: input.shift_id,
            measure: input.measure.as_str(),
            amount: input.amount,
            note: clean(input.note.as_deref()),
            recorded_by: caller.user_id(),
        },
    )
    .await?;
    emit(
        &txn,
        TALLY_RECORDED,
        json!({
            "action_id": action_id,
            "kind": action.kind,
            "shift_id": recorded.shift_id,
            "tally_id": recorded.id,
            "measure": recorded.measure,
            "amount": recorded.amount,
            "at": recorded.recorded_at,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(Tally::new(recorded, input.measure))
}

pub(super) async fn list(
    db: &TenantDb,
    tenant: &TenantContext,
    caller: &Caller,
    action_id: uuid::Uuid,
) -> Result<Tallies, Problem> {
    require_reader(caller)?;
    let txn = db.begin(tenant.id).await?;
    require_action(&txn, action_id).await?;
    let rows = actions::tallies(&txn, action_id).await?;
    txn.commit().await?;
    let entries: Vec<Tally> = rows
        .into_iter()
        .filter_map(|m| Measure::parse(&m.measure).map(|measure| Tally::new(m, measure)))
        .collect();
    let totals = Measure::ALL
        .into_iter()
        .filter_map(|measure| {
            let mut of = entries.iter().filter(|e| e.measure == measure).peekable();
            of.peek()?;
            let sum: f64 = of.map(|e| e.amount).sum();
            let amount = (sum * 100.0).round() / 100.0;
            Some(TallyTotal {
                measure,
                amount,
                formatted: formatted(measure, amount),
            })
        })
        .collect();
    Ok(Tallies { entries, totals })
}
