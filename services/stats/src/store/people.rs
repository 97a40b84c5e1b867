//! Distinct counts. A person counts once per period and kind of help: each such fact is a row
//! of `stats_people` whose id is a hash of the fact, so the insert that creates it is the one
//! that counts it. Minors are counted the same way, from the volunteer's birth year — also when
//! the registration arrives after the work (a redelivery out of order): registering a minor
//! counts the periods they were already active in.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use lacznik_tenancy::TenantTxn;
use lacznik_tenancy::sql::Query;
use sea_orm::DbErr;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::apply::Deltas;
use super::{MAX_PARAMS, in_list, values_rows};
use crate::domain::events::{Category, Effect};
use crate::domain::grid::ALL_KINDS;
use crate::domain::minor_in;
use crate::domain::period::{Period, PeriodKind};

/// One person counted in one period and kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Fact {
    category: Category,
    period: Period,
    kind: String,
    person: Uuid,
}

impl Fact {
    /// The row id: the same fact always gets the same id.
    fn id(&self) -> Uuid {
        let mut hash = Sha256::new();
        for part in [
            self.category.as_str(),
            self.period.kind.as_str(),
            &self.period.start.to_string(),
            &self.kind,
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hash.update(self.person.as_bytes());
        let digest = hash.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
}

/// Counts the people of the batch's [`Effect::Person`]s that were not counted yet, and the
/// minors among active volunteers (also retroactively, for volunteers registered now).
pub(super) async fn count(
    txn: &TenantTxn,
    effects: &[Effect],
    born: &HashMap<Uuid, i32>,
    deltas: &mut Deltas,
) -> Result<(), DbErr> {
    let mut facts = Vec::new();
    for effect in effects {
        let Effect::Person {
            category,
            day,
            kind,
            person,
            minor,
        } = effect
        else {
            continue;
        };
        let minor = minor.or_else(|| born.get(person).map(|y| minor_in(day.year(), *y)));
        for period in Period::all_containing(*day) {
            for kind in [kind.as_str(), ALL_KINDS] {
                let fact = |category| Fact {
                    category,
                    period,
                    kind: kind.to_owned(),
                    person: *person,
                };
                facts.push(fact(*category));
                if *category == Category::Active && minor == Some(true) {
                    facts.push(fact(Category::Minor));
                }
            }
        }
    }
    insert(txn, facts, deltas).await?;

    let registered: Vec<Uuid> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Volunteer { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let earlier = active_periods(txn, &registered).await?;
    let minors: Vec<Fact> = earlier
        .into_iter()
        .filter(|f| {
            born.get(&f.person)
                .is_some_and(|y| minor_in(f.period.start.year(), *y))
        })
        .map(|f| Fact {
            category: Category::Minor,
            ..f
        })
        .collect();
    insert(txn, minors, deltas).await
}

/// Inserts facts not recorded yet and counts each newly inserted one.
async fn insert(txn: &TenantTxn, facts: Vec<Fact>, deltas: &mut Deltas) -> Result<(), DbErr> {
    let tenant = txn.tenant().as_uuid();
    let mut unique: HashMap<Uuid, Fact> = HashMap::new();
    for fact in facts {
        unique.entry(fact.id()).or_insert(fact);
    }
    let rows: Vec<(Uuid, Fact)> = unique.into_iter().collect();
    for chunk in rows.chunks(MAX_PARAMS / 7) {
        let query = values_rows(
            Query::new(
                "INSERT INTO stats_people \
                 (tenant_id, id, category, period, period_start, kind, person) VALUES ",
            ),
            chunk,
            |(id, f)| {
                vec![
                    tenant.into(),
                    (*id).into(),
                    f.category.as_str().into(),
                    f.period.kind.as_str().into(),
                    f.period.start.into(),
                    f.kind.as_str().into(),
                    f.person.into(),
                ]
            },
        )
        .sql(" ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id");
        let inserted: HashSet<Uuid> = query
            .all(&**txn)
            .await?
            .iter()
            .map(|row| row.try_get_by_index::<Uuid>(0))
            .collect::<Result<_, _>>()?;
        for (id, fact) in chunk {
            if inserted.contains(id) {
                deltas.add(fact.period, &fact.kind, fact.category.column(), 1);
            }
        }
    }
    Ok(())
}

/// Every period and kind in which these volunteers already count as active.
async fn active_periods(txn: &TenantTxn, volunteers: &[Uuid]) -> Result<Vec<Fact>, DbErr> {
    let tenant = txn.tenant().as_uuid();
    let mut found = Vec::new();
    for chunk in volunteers.chunks(MAX_PARAMS - 2) {
        let query = Query::new(
            "SELECT period, period_start, kind, person FROM stats_people WHERE tenant_id = ",
        )
        .bind(tenant)
        .sql(" AND category = ")
        .bind(Category::Active.as_str())
        .sql(" AND person");
        for row in in_list(query, chunk).all(&**txn).await? {
            let length: String = row.try_get_by_index(0)?;
            let start: NaiveDate = row.try_get_by_index(1)?;
            let Some(period) =
                PeriodKind::parse(&length).and_then(|k| Period::starting(k, start).ok())
            else {
                continue;
            };
            found.push(Fact {
                category: Category::Active,
                period,
                kind: row.try_get_by_index(2)?,
                person: row.try_get_by_index(3)?,
            });
        }
    }
    Ok(found)
}
