//! The office's agreement template and volunteers' agreements (porozumienia).

use chrono::{Datelike, NaiveDate, Utc};
use lacznik_tenancy::TenantTxn;
use lacznik_types::VolunteerId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entity::{agreement, agreement_template};
use super::{StoreError, json_list, to_json};
use crate::events;

/// An office's template: title, paragraphs and the termination clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub title: String,
    pub clauses: Vec<String>,
    pub termination_clause: String,
}

impl Template {
    /// The built-in template, used until an office writes its own.
    pub fn standard() -> Self {
        Self {
            title: "Porozumienie o wykonywaniu świadczeń wolontariackich".into(),
            clauses: vec![
                "Wolontariusz wykonuje świadczenia dobrowolnie i bez wynagrodzenia, w zakresie \
                 i w okresie określonych w niniejszym porozumieniu."
                    .into(),
                "Korzystający informuje wolontariusza o ryzyku dla zdrowia i bezpieczeństwa \
                 związanym z wykonywanymi świadczeniami oraz o zasadach ochrony przed \
                 zagrożeniami, zapewnia mu bezpieczne i higieniczne warunki wykonywania \
                 świadczeń oraz pokrywa koszty podróży służbowych i diet na zasadach \
                 dotyczących pracowników."
                    .into(),
                "Wolontariusz zobowiązuje się do zachowania w tajemnicy informacji, które uzyskał \
                 w związku z wykonywaniem świadczeń, w szczególności danych osobowych osób, \
                 którym pomaga."
                    .into(),
                "Korzystający zapewnia wolontariuszowi ubezpieczenie od następstw nieszczęśliwych \
                 wypadków, jeżeli porozumienie zawarto na okres nie dłuższy niż 30 dni."
                    .into(),
                "Na wniosek wolontariusza korzystający wydaje pisemne zaświadczenie o wykonaniu \
                 świadczeń, a także pisemną opinię o ich wykonywaniu."
                    .into(),
            ],
            termination_clause: "Każda ze stron może rozwiązać porozumienie z zachowaniem \
                7-dniowego okresu wypowiedzenia, a z ważnych przyczyn — ze skutkiem \
                natychmiastowym. Rozwiązanie porozumienia wymaga formy pisemnej lub \
                dokumentowej."
                .into(),
        }
    }
}

/// The office's template, or the built-in one.
pub async fn template(txn: &TenantTxn) -> Result<Template, StoreError> {
    let found = agreement_template::Entity::find()
        .filter(agreement_template::Column::TenantId.eq(txn.tenant().as_uuid()))
        .order_by_desc(agreement_template::Column::Id)
        .one(&**txn)
        .await?;
    Ok(found.map_or_else(Template::standard, |t| Template {
        title: t.title,
        clauses: json_list(&t.clauses),
        termination_clause: t.termination_clause,
    }))
}

/// Saves a new version of the office's template (earlier versions stay for the record).
pub async fn save_template(txn: &TenantTxn, template: &Template) -> Result<(), StoreError> {
    agreement_template::Entity::insert(agreement_template::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        title: Set(template.title.clone()),
        clauses: Set(to_json(&template.clauses)),
        termination_clause: Set(template.termination_clause.clone()),
        created_at: Set(Utc::now()),
    })
    .exec(&**txn)
    .await?;
    Ok(())
}

/// An agreement to draw up.
pub struct NewAgreement {
    pub template: Template,
    pub scope: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_by: uuid::Uuid,
}

/// Draws up an agreement, numbered `POR/<year>/<n>` within the office; the wording is copied
/// from the template with the termination clause last.
pub async fn create(
    txn: &TenantTxn,
    volunteer: VolunteerId,
    new: NewAgreement,
) -> Result<agreement::Model, StoreError> {
    let count = agreement::Entity::find()
        .filter(agreement::Column::TenantId.eq(txn.tenant().as_uuid()))
        .count(&**txn)
        .await?;
    let now = Utc::now();
    let mut clauses = new.template.clauses;
    clauses.push(new.template.termination_clause);
    Ok(agreement::Entity::insert(agreement::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        volunteer_id: Set(volunteer.as_uuid()),
        number: Set(format!("POR/{}/{}", now.year(), count + 1)),
        title: Set(new.template.title),
        clauses: Set(to_json(&clauses)),
        scope: Set(to_json(&new.scope)),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        signed_on: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
    })
    .exec_with_returning(&**txn)
    .await?)
}

pub async fn list(
    txn: &TenantTxn,
    volunteer: VolunteerId,
) -> Result<Vec<agreement::Model>, StoreError> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(agreement::Column::VolunteerId.eq(volunteer.as_uuid()))
        .order_by_asc(agreement::Column::Id)
        .all(&**txn)
        .await?)
}

/// Every agreement of the office, for the 30-day report.
pub async fn all(txn: &TenantTxn) -> Result<Vec<agreement::Model>, StoreError> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::TenantId.eq(txn.tenant().as_uuid()))
        .all(&**txn)
        .await?)
}

/// Records the day both sides signed (or, with `ends_on`, the day it ends early). The first
/// signature recorded is published for statistics (a corrected date is not counted again).
pub async fn update_dates(
    txn: &TenantTxn,
    found: &agreement::Model,
    signed_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
) -> Result<agreement::Model, StoreError> {
    let updated = agreement::Entity::update(agreement::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(found.id),
        signed_on: signed_on.map_or(sea_orm::ActiveValue::NotSet, |d| Set(Some(d))),
        ends_on: ends_on.map_or(sea_orm::ActiveValue::NotSet, |d| Set(Some(d))),
        ..Default::default()
    })
    .exec(&**txn)
    .await?;
    if found.signed_on.is_none()
        && let Some(day) = updated.signed_on
    {
        events::publish(
            txn,
            events::AGREEMENT_SIGNED,
            serde_json::json!({
                "agreement_id": updated.id,
                "volunteer_id": updated.volunteer_id,
                "signed_on": day,
                "scope": json_list::<String>(&updated.scope),
            }),
        )
        .await?;
    }
    Ok(updated)
}
