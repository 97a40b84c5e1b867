//! The data-protection side of a volunteer's record (RODO art. 15, 17, 20): everything the
//! office holds about them, for an export, and erasure by anonymisation — personal data
//! overwritten or deleted, while the facts statistics count (status, kinds of help, hours,
//! assignment times, checks' dates) stay, no longer tied to a person.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::entity::{
    absence, agreement, application, assignment, certificate, check, consent, guardian_request,
    hours, insurance, status_change, volunteer,
};
use super::{StoreError, to_json};

/// Reads every row of `entity` that belongs to the volunteer, as JSON.
macro_rules! rows_of {
    ($txn:expr, $module:ident, $column:ident, $id:expr) => {
        $module::Entity::find()
            .filter($module::Column::TenantId.eq($txn.tenant().as_uuid()))
            .filter($module::Column::$column.eq($id))
            .into_json()
            .all(&**$txn)
            .await?
    };
}

/// Everything held about a volunteer, table by table.
pub async fn export(txn: &TenantTxn, id: VolunteerId) -> Result<Value, StoreError> {
    let v = id.as_uuid();
    Ok(json!({
        "volunteers": rows_of!(txn, volunteer, Id, v),
        "volunteer_status_changes": rows_of!(txn, status_change, VolunteerId, v),
        "volunteer_checks": rows_of!(txn, check, VolunteerId, v),
        "volunteer_absences": rows_of!(txn, absence, VolunteerId, v),
        "volunteer_applications": rows_of!(txn, application, VolunteerId, v),
        "volunteer_consents": rows_of!(txn, consent, VolunteerId, v),
        "guardian_consent_requests": rows_of!(txn, guardian_request, VolunteerId, v),
        "volunteer_assignments": rows_of!(txn, assignment, VolunteerId, v),
        "volunteer_agreements": rows_of!(txn, agreement, VolunteerId, v),
        "volunteer_insurance": rows_of!(txn, insurance, VolunteerId, v),
        "volunteer_hours": rows_of!(txn, hours, VolunteerId, v),
        "volunteer_certificates": rows_of!(txn, certificate, VolunteerId, v),
    }))
}

/// The birth date kept after erasure: 1 July of the birth year, so age bands still count.
fn blurred(birth: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(birth.year(), 7, 1).unwrap_or(birth)
}

/// Erases a volunteer's personal data; `false` if they were anonymised already.
pub async fn anonymise(
    txn: &TenantTxn,
    model: &volunteer::Model,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if model.anonymised_at.is_some() {
        return Ok(false);
    }
    let tenant = txn.tenant().as_uuid();
    let v = model.id;
    volunteer::Entity::update(volunteer::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(v),
        first_name: Set("Anonimowy".into()),
        last_name: Set("wolontariusz".into()),
        email: Set(format!("usuniety-{v}@anonim.invalid")),
        phone: Set(None),
        birth_date: Set(blurred(model.birth_date)),
        skills: Set(to_json::<String>(&[])),
        languages: Set(to_json::<String>(&[])),
        districts: Set(to_json::<String>(&[])),
        availability: Set(to_json::<String>(&[])),
        max_hours_per_week: Set(None),
        coordinator_notes: Set(None),
        anonymised_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&**txn)
    .await?;
    status_change::Entity::update_many()
        .col_expr(status_change::Column::Reason, Option::<String>::None.into())
        .filter(status_change::Column::TenantId.eq(tenant))
        .filter(status_change::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    consent::Entity::update_many()
        .col_expr(consent::Column::GivenBy, "—".into())
        .col_expr(consent::Column::GivenByEmail, Option::<String>::None.into())
        .col_expr(consent::Column::ClientIp, Option::<String>::None.into())
        .col_expr(consent::Column::UserAgent, Option::<String>::None.into())
        .filter(consent::Column::TenantId.eq(tenant))
        .filter(consent::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    hours::Entity::update_many()
        .col_expr(hours::Column::Description, Option::<String>::None.into())
        .filter(hours::Column::TenantId.eq(tenant))
        .filter(hours::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    certificate::Entity::update_many()
        .col_expr(certificate::Column::Opinion, Option::<String>::None.into())
        .filter(certificate::Column::TenantId.eq(tenant))
        .filter(certificate::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    // Titles may name the person helped or a place; the kind of help stays.
    assignment::Entity::update_many()
        .col_expr(assignment::Column::Title, "—".into())
        .filter(assignment::Column::TenantId.eq(tenant))
        .filter(assignment::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    absence::Entity::delete_many()
        .filter(absence::Column::TenantId.eq(tenant))
        .filter(absence::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    guardian_request::Entity::delete_many()
        .filter(guardian_request::Column::TenantId.eq(tenant))
        .filter(guardian_request::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    insurance::Entity::delete_many()
        .filter(insurance::Column::TenantId.eq(tenant))
        .filter(insurance::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    application::Entity::delete_many()
        .filter(application::Column::TenantId.eq(tenant))
        .filter(application::Column::VolunteerId.eq(v))
        .exec(&**txn)
        .await?;
    Ok(true)
}

/// Ended volunteers whose end lies before `ended_before` and who still carry personal data.
pub async fn due_for_erasure(
    txn: &TenantTxn,
    ended_before: NaiveDate,
) -> Result<Vec<volunteer::Model>, StoreError> {
    Ok(volunteer::Entity::find()
        .filter(volunteer::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(volunteer::Column::Status.eq("ended"))
        .filter(volunteer::Column::EndedOn.lt(ended_before))
        .filter(volunteer::Column::AnonymisedAt.is_null())
        .all(&**txn)
        .await?)
}
