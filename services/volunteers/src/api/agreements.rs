//! Agreements (porozumienia, art. 44 of the Act on public benefit activity and volunteerism):
//! the office's template with its mandatory termination clause, agreements drawn up from it as
//! printable PDFs, the recorded signature date, and the 30-day report — who is approaching or
//! past the day after which the law wants the agreement in writing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_documents::{AgreementData, Office};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::VolunteerId;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};

use super::volunteers::{open_own, parse_id, require_volunteer, store_problem, today};
use crate::domain::engagement::{
    AGREEMENT_WARNING_DAYS, AgreementSpan, WRITTEN_AGREEMENT_AFTER_DAYS, engagement_day,
};
use crate::domain::kind_names;
use crate::settings::{OfficeDetails, OfficeDirectory};
use crate::store::agreements::{self, NewAgreement, Template};
use crate::store::entity::agreement;
use crate::store::{assignments, json_list};

#[derive(Tags)]
enum Tag {
    /// Porozumienia (agreements)
    Agreements,
}

/// The office's agreement template.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct TemplateView {
    #[oai(validator(max_length = 200))]
    pub title: String,
    /// Paragraphs, printed as § 1, § 2, …
    #[oai(validator(max_items = 40))]
    pub clauses: Vec<String>,
    /// How either side ends the agreement; required, printed as the last paragraph.
    #[oai(validator(max_length = 4000))]
    pub termination_clause: String,
}

/// An agreement to draw up.
#[derive(Debug, Object)]
pub struct AgreementInput {
    pub starts_on: NaiveDate,
    /// Absent: for an indefinite period.
    pub ends_on: Option<NaiveDate>,
    /// Kinds of help it covers (catalogue codes); default: the volunteer's.
    pub scope: Option<Vec<String>>,
}

/// A volunteer's agreement.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct AgreementView {
    pub id: uuid::Uuid,
    pub number: String,
    pub title: String,
    /// The wording as drawn up, termination clause last.
    pub clauses: Vec<String>,
    /// Kinds of help, in Polish.
    pub scope: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Absent until both sides signed the printed copy.
    pub signed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<agreement::Model> for AgreementView {
    fn from(m: agreement::Model) -> Self {
        Self {
            id: m.id,
            clauses: json_list(&m.clauses),
            scope: json_list(&m.scope),
            number: m.number,
            title: m.title,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            signed_on: m.signed_on,
            created_at: m.created_at,
        }
    }
}

/// The day both sides signed, or an earlier end.
#[derive(Debug, Object)]
pub struct AgreementDates {
    pub signed_on: Option<NaiveDate>,
    /// Ends the agreement on this day (termination).
    pub ends_on: Option<NaiveDate>,
}

/// Where a volunteer stands against the 30-day rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AgreementDue {
    /// Within a week of day 30 without a signed agreement.
    Approaching,
    /// Past day 30 without a signed agreement.
    Overdue,
}

/// One line of the 30-day report.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct DueLine {
    pub volunteer_id: uuid::Uuid,
    pub name: String,
    pub engaged_since: NaiveDate,
    /// Day of the engagement the latest booked work reaches (day 1 = first day).
    pub reaches_day: i64,
    pub state: AgreementDue,
}

#[derive(ApiResponse)]
enum Drawn {
    /// Drawn up; print it with `GET …/document`, record signing with `…/dates`.
    #[oai(status = 201)]
    Created(Json<AgreementView>),
}

#[derive(ApiResponse)]
pub(crate) enum Pdf {
    /// The document.
    #[oai(status = 200, content_type = "application/pdf")]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

pub(crate) fn document_office(details: &OfficeDetails) -> Office {
    Office {
        name: details.name.clone(),
        address: details.address(),
        phone: Some(details.phone.clone()),
        email: Some(details.email.clone()),
        city: details.city.clone(),
    }
}

pub(crate) fn pdf_problem(error: &lacznik_documents::DocumentError) -> Problem {
    Problem::new(
        poem::http::StatusCode::UNPROCESSABLE_ENTITY,
        "document_incomplete",
        "Nie można przygotować dokumentu",
    )
    .with_detail(format!("Brakuje danych do dokumentu: {error}."))
}

fn parse_template(t: TemplateView) -> Result<Template, Problem> {
    let mut v = Validator::new();
    let trim = |s: &str| s.trim().to_owned();
    if t.title.trim().is_empty() {
        v.reject("title", "Tytuł jest wymagany.");
    }
    for (i, c) in t.clauses.iter().enumerate() {
        if c.trim().is_empty() || c.len() > 4000 {
            v.reject(&format!("clauses[{i}]"), "Paragraf: od 1 do 4000 znaków.");
        }
    }
    if t.termination_clause.trim().chars().count() < 20 {
        v.reject(
            "termination_clause",
            "Porozumienie musi określać warunki jego rozwiązania (art. 44 ust. 1 ustawy).",
        );
    }
    v.finish()?;
    Ok(Template {
        title: trim(&t.title),
        clauses: t.clauses.iter().map(|c| trim(c)).collect(),
        termination_clause: trim(&t.termination_clause),
    })
}

pub struct AgreementsApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Agreements")]
impl AgreementsApi {
    /// The office's agreement template (the built-in one until the office writes its own).
    #[oai(
        path = "/agreement-template",
        method = "get",
        operation_id = "get_agreement_template"
    )]
    async fn template(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<TemplateView>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let t = agreements::template(&txn).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(TemplateView {
            title: t.title,
            clauses: t.clauses,
            termination_clause: t.termination_clause,
        }))
    }

    /// Coordinators: replaces the office's template. A termination clause is required.
    #[oai(
        path = "/agreement-template",
        method = "put",
        operation_id = "set_agreement_template"
    )]
    async fn set_template(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<TemplateView>,
    ) -> Result<Json<TemplateView>, Problem> {
        auth.0.require_coordinator()?;
        let template = parse_template(body.0)?;
        let txn = db.begin(tenant.id).await?;
        agreements::save_template(&txn, &template)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(TemplateView {
            title: template.title,
            clauses: template.clauses,
            termination_clause: template.termination_clause,
        }))
    }

    /// Coordinators: draws up an agreement from the office's template.
    #[oai(
        path = "/:id/agreements",
        method = "post",
        operation_id = "draw_up_agreement"
    )]
    async fn create(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<AgreementInput>,
    ) -> Result<Drawn, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let mut v = Validator::new();
        if body.ends_on.is_some_and(|e| e < body.starts_on) {
            v.reject("ends_on", "Koniec nie może być przed początkiem.");
        }
        if let Some(scope) = &body.scope {
            for (i, code) in scope.iter().enumerate() {
                if lacznik_types::catalogue::kind_index(code).is_none() {
                    v.reject(&format!("scope[{i}]"), "Nieznany rodzaj pomocy.");
                }
            }
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let volunteer = require_volunteer(&txn, id).await?;
        let scope_codes = body
            .scope
            .clone()
            .unwrap_or_else(|| json_list(&volunteer.kinds));
        let mut scope = kind_names(&scope_codes);
        if scope.is_empty() {
            scope.push("świadczenia na rzecz osób korzystających z pomocy ośrodka".into());
        }
        let template = agreements::template(&txn).await.map_err(store_problem)?;
        let drawn = agreements::create(
            &txn,
            id,
            NewAgreement {
                template,
                scope,
                starts_on: body.starts_on,
                ends_on: body.ends_on,
                created_by: auth.0.user_id(),
            },
        )
        .await
        .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Drawn::Created(Json(drawn.into())))
    }

    /// A volunteer's agreements (coordinators, or the volunteer).
    #[oai(
        path = "/:id/agreements",
        method = "get",
        operation_id = "list_agreements"
    )]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<AgreementView>>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let list = agreements::list(&txn, id).await.map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(list.into_iter().map(AgreementView::from).collect()))
    }

    /// Coordinators: records the day both sides signed, or ends the agreement early.
    #[oai(
        path = "/:id/agreements/:agreement/dates",
        method = "post",
        operation_id = "record_agreement_dates"
    )]
    async fn dates(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        agreement: Path<uuid::Uuid>,
        body: Json<AgreementDates>,
    ) -> Result<Json<AgreementView>, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let txn = db.begin(tenant.id).await?;
        let found = find(&txn, id, agreement.0).await?;
        let mut v = Validator::new();
        if body.signed_on.is_some_and(|d| d > today()) {
            v.reject("signed_on", "Data podpisania nie może być z przyszłości.");
        }
        if body.ends_on.is_some_and(|d| d < found.starts_on) {
            v.reject(
                "ends_on",
                "Porozumienie nie może skończyć się przed początkiem.",
            );
        }
        if body.signed_on.is_none() && body.ends_on.is_none() {
            v.reject("signed_on", "Podaj datę podpisania albo zakończenia.");
        }
        v.finish()?;
        let updated = agreements::update_dates(&txn, &found, body.signed_on, body.ends_on)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(updated.into()))
    }

    /// The agreement as a PDF to print and sign (coordinators, or the volunteer).
    #[oai(
        path = "/:id/agreements/:agreement/document",
        method = "get",
        operation_id = "agreement_document"
    )]
    async fn document(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        offices: Data<&Arc<OfficeDirectory>>,
        auth: Bearer,
        id: Path<String>,
        agreement: Path<uuid::Uuid>,
    ) -> Result<Pdf, Problem> {
        let (txn, id, volunteer) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let found = find(&txn, id, agreement.0).await?;
        let guardian = crate::store::consents::list(&txn, id)
            .await
            .map_err(store_problem)?
            .into_iter()
            .find(|c| c.kind == crate::store::consents::GUARDIAN)
            .map(|c| c.given_by);
        txn.commit().await?;
        let office = offices.get(tenant.id, &tenant.slug).await?;
        let is_minor = today().years_since(volunteer.birth_date).unwrap_or(0) < 18;
        let data = AgreementData {
            number: found.number.clone(),
            office: document_office(&office),
            office_representative: "upoważniony przedstawiciel ośrodka".into(),
            volunteer_name: format!("{} {}", volunteer.first_name, volunteer.last_name),
            volunteer_address: None,
            birth_date: volunteer.birth_date,
            guardian_name: if is_minor {
                Some(guardian.unwrap_or_else(|| "…………………………………………".into()))
            } else {
                None
            },
            title: found.title.clone(),
            clauses: json_list(&found.clauses),
            scope: json_list(&found.scope),
            starts_on: found.starts_on,
            ends_on: found.ends_on,
            signed_on: found.signed_on.unwrap_or_else(today),
        };
        let bytes = lacznik_documents::agreement_pdf(&data).map_err(|e| pdf_problem(&e))?;
        Ok(Pdf::Ok(
            Binary(bytes),
            format!(
                "inline; filename=\"porozumienie-{}.pdf\"",
                found.number.replace('/', "-")
            ),
        ))
    }

    /// Coordinators: the 30-day report — active volunteers whose booked work reaches within a
    /// week of day 30 of their engagement, or beyond it, without a signed agreement covering it.
    #[oai(
        path = "/agreements/due",
        method = "get",
        operation_id = "agreements_due"
    )]
    async fn due(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<DueLine>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let lines = due_lines(&txn).await?;
        txn.commit().await?;
        Ok(Json(lines))
    }
}

/// Active volunteers within a week of day 30 of their engagement (or past it) without a signed
/// agreement covering the work booked, furthest first.
pub(crate) async fn due_lines(txn: &lacznik_tenancy::TenantTxn) -> Result<Vec<DueLine>, Problem> {
    let booked = assignments::all_current(txn).await.map_err(store_problem)?;
    let signed = agreements::all(txn).await.map_err(store_problem)?;
    let mut spans: HashMap<uuid::Uuid, (NaiveDate, NaiveDate)> = HashMap::new();
    for a in &booked {
        let span = spans
            .entry(a.volunteer_id)
            .or_insert((a.starts_at.date_naive(), a.ends_at.date_naive()));
        span.0 = span.0.min(a.starts_at.date_naive());
        span.1 = span.1.max(a.ends_at.date_naive());
    }
    let today = today();
    let mut lines = Vec::new();
    for (volunteer_id, (since, last)) in spans {
        let reaches_day = engagement_day(since, last);
        let state = if reaches_day > WRITTEN_AGREEMENT_AFTER_DAYS {
            AgreementDue::Overdue
        } else if reaches_day > WRITTEN_AGREEMENT_AFTER_DAYS - AGREEMENT_WARNING_DAYS {
            AgreementDue::Approaching
        } else {
            continue;
        };
        let covered = signed.iter().any(|a| {
            a.volunteer_id == volunteer_id
                && AgreementSpan {
                    starts_on: a.starts_on,
                    ends_on: a.ends_on,
                    signed_on: a.signed_on,
                }
                .covers(today, since.max(a.starts_on), last)
        });
        if covered {
            continue;
        }
        let Some(v) = crate::store::get_active(txn, VolunteerId::from_uuid(volunteer_id))
            .await
            .map_err(store_problem)?
        else {
            continue;
        };
        lines.push(DueLine {
            volunteer_id,
            name: format!("{} {}", v.first_name, v.last_name),
            engaged_since: since,
            reaches_day,
            state,
        });
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.reaches_day));
    Ok(lines)
}

async fn find(
    txn: &lacznik_tenancy::TenantTxn,
    volunteer: VolunteerId,
    id: uuid::Uuid,
) -> Result<agreement::Model, Problem> {
    agreements::list(txn, volunteer)
        .await
        .map_err(store_problem)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| Problem::not_found("Porozumienie"))
}
