//! One office's pool of candidates for matching, read in a handful of office-wide queries (one
//! per table, not one per volunteer) so ranking thousands of volunteers stays fast.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use lacznik_tenancy::TenantTxn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entity::{absence, assignment, check, consent, volunteer};
use super::{StoreError, assignments, consents};
use crate::domain::VolunteerStatus;

/// Everything matching reads, grouped by volunteer.
pub struct Pool {
    pub volunteers: Vec<volunteer::Model>,
    pub assignments: HashMap<uuid::Uuid, Vec<assignment::Model>>,
    pub checks: HashMap<uuid::Uuid, Vec<check::Model>>,
    pub absences: HashMap<uuid::Uuid, Vec<absence::Model>>,
    pub guardian_consent: HashSet<uuid::Uuid>,
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> uuid::Uuid) -> HashMap<uuid::Uuid, Vec<T>> {
    let mut map: HashMap<uuid::Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

/// The office's active volunteers with what matching needs to know about them, for a need
/// starting on `from` (absences and checks that ended before are left out) for `beneficiary`.
pub async fn load(
    txn: &TenantTxn,
    from: NaiveDate,
    beneficiary: Option<uuid::Uuid>,
) -> Result<Pool, StoreError> {
    let tenant = txn.tenant().as_uuid();
    let volunteers = volunteer::Entity::find()
        .filter(volunteer::Column::TenantId.eq(tenant))
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active.as_str()))
        .filter(volunteer::Column::AnonymisedAt.is_null())
        .all(&**txn)
        .await?;
    // Work around the need's dates counts for overlap and load; older work only for
    // continuity with the person helped, so years of history are not read for every need.
    let week_before = from
        .checked_sub_days(chrono::Days::new(7))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let mut recent = assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(tenant))
        .filter(assignment::Column::Status.ne(assignments::CANCELLED));
    if let Some(since) = week_before {
        let continuity = match beneficiary {
            Some(b) => sea_orm::Condition::any()
                .add(assignment::Column::EndsAt.gte(since))
                .add(assignment::Column::BeneficiaryId.eq(b)),
            None => sea_orm::Condition::all().add(assignment::Column::EndsAt.gte(since)),
        };
        recent = recent.filter(continuity);
    }
    let assignments = recent.all(&**txn).await?;
    let checks = check::Entity::find()
        .filter(check::Column::TenantId.eq(tenant))
        .filter(check::Column::ValidUntil.gte(from))
        .all(&**txn)
        .await?;
    let absences = absence::Entity::find()
        .filter(absence::Column::TenantId.eq(tenant))
        .filter(absence::Column::EndsOn.gte(from))
        .all(&**txn)
        .await?;
    let guardian_consent = consent::Entity::find()
        .filter(consent::Column::TenantId.eq(tenant))
        .filter(consent::Column::Kind.eq(consents::GUARDIAN))
        .filter(consent::Column::WithdrawnAt.is_null())
        .all(&**txn)
        .await?
        .into_iter()
        .map(|c| c.volunteer_id)
        .collect();
    Ok(Pool {
        volunteers,
        assignments: group(assignments, |a| a.volunteer_id),
        checks: group(checks, |c| c.volunteer_id),
        absences: group(absences, |a| a.volunteer_id),
        guardian_consent,
    })
}
