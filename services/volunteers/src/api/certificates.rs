//! Certificates (zaświadczenia, art. 44 ust. 2–3 of the Act): on a volunteer's request the
//! office states in writing what they did and for how long, optionally with the coordinator's
//! opinion. The volunteer asks; a coordinator issues; both can download the PDF.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_documents::CertificateData;
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::agreements::{Pdf, document_office, pdf_problem};
use super::hours::polish_hours;
use super::signup::request_email;
use super::volunteers::{open_own, parse_id, require_volunteer, store_problem, today};
use crate::domain::kind_names;
use crate::settings::OfficeDirectory;
use crate::store::entity::certificate;
use crate::store::records::{self, NewCertificate};
use crate::store::{assignments, hours, json_list};

#[derive(Tags)]
enum Tag {
    /// Zaświadczenia (certificates)
    Certificates,
}

/// A certificate to issue.
#[derive(Debug, Object)]
pub struct CertificateInput {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The coordinator's opinion of the work (art. 44 ust. 3); paragraphs separated by blank
    /// lines.
    #[oai(validator(max_length = 8000))]
    pub opinion: Option<String>,
    /// Who signs, e.g. "Anna Nowak, koordynator Centrum Wolontariatu".
    #[oai(validator(max_length = 200))]
    pub signatory: String,
}

/// An issued certificate.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct CertificateView {
    pub id: uuid::Uuid,
    pub number: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// Approved hours in the period.
    pub hours: String,
    pub scope: Vec<String>,
    pub opinion: Option<String>,
    /// Who signs it.
    pub signatory: String,
    pub issued_at: DateTime<Utc>,
}

fn view(m: certificate::Model) -> CertificateView {
    CertificateView {
        id: m.id,
        number: m.number,
        period_from: m.period_from,
        period_to: m.period_to,
        hours: polish_hours(i64::from(m.minutes)),
        scope: json_list(&m.scope),
        opinion: m.opinion,
        signatory: m.signatory,
        issued_at: m.issued_at,
    }
}

#[derive(ApiResponse)]
enum Issued {
    /// Issued; download it with `GET …/document`.
    #[oai(status = 201)]
    Created(Json<CertificateView>),
}

#[derive(ApiResponse)]
enum Requested {
    /// The coordinators were told.
    #[oai(status = 202)]
    Accepted(Json<super::signup::Accepted>),
}

pub struct CertificatesApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Certificates")]
impl CertificatesApi {
    /// The volunteer asks for a certificate; the office's coordinators get an email.
    #[oai(
        path = "/:id/certificate-requests",
        method = "post",
        operation_id = "request_certificate"
    )]
    async fn request(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Requested, Problem> {
        let (txn, _, volunteer) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        crate::events::publish(
            &txn,
            crate::events::CERTIFICATE_REQUESTED,
            serde_json::json!({ "volunteer_id": volunteer.id, "requested_at": Utc::now() }),
        )
        .await?;
        txn.commit().await?;
        Ok(Requested::Accepted(Json(super::signup::Accepted {
            message: "Koordynator otrzymał prośbę o zaświadczenie.".into(),
        })))
    }

    /// Coordinators: issues a certificate for a period, with the approved hours and the kinds
    /// of work done in it, and emails the volunteer that it is ready.
    #[oai(
        path = "/:id/certificates",
        method = "post",
        operation_id = "issue_certificate"
    )]
    async fn issue(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
        body: Json<CertificateInput>,
    ) -> Result<Issued, Problem> {
        auth.0.require_coordinator()?;
        let id = parse_id(&id.0)?;
        let input = body.0;
        let mut v = Validator::new();
        if input.period_to < input.period_from {
            v.reject("period_to", "Koniec okresu nie może być przed początkiem.");
        }
        if input.period_from > today() {
            v.reject("period_from", "Okres nie może zaczynać się w przyszłości.");
        }
        if input.signatory.trim().is_empty() {
            v.reject("signatory", "Podaj, kto podpisuje zaświadczenie.");
        }
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let volunteer = require_volunteer(&txn, id).await?;
        let minutes: i64 = hours::list(&txn, id, Some(input.period_from), Some(input.period_to))
            .await
            .map_err(store_problem)?
            .iter()
            .filter(|h| h.status == hours::APPROVED)
            .map(|h| i64::from(h.minutes))
            .sum();
        let mut kinds: Vec<String> = Vec::new();
        for a in assignments::list(&txn, id).await.map_err(store_problem)? {
            let day = a.starts_at.date_naive();
            if a.status == assignments::COMPLETED
                && (input.period_from..=input.period_to).contains(&day)
                && !kinds.contains(&a.kind)
            {
                kinds.push(a.kind);
            }
        }
        if kinds.is_empty() {
            kinds = json_list(&volunteer.kinds);
        }
        let scope = kind_names(&kinds);
        let issued = records::issue_certificate(
            &txn,
            id,
            NewCertificate {
                period_from: input.period_from,
                period_to: input.period_to,
                minutes: i32::try_from(minutes).unwrap_or(i32::MAX),
                scope,
                opinion: input
                    .opinion
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty()),
                signatory: input.signatory.trim().to_owned(),
                issued_by: auth.0.user_id(),
            },
        )
        .await
        .map_err(store_problem)?;
        request_email(
            &txn,
            "certificate_ready",
            (&volunteer.email, &volunteer.first_name),
            String::new(),
            Utc::now(),
            serde_json::json!({ "certificate_id": issued.id, "number": issued.number }),
        )
        .await?;
        txn.commit().await?;
        Ok(Issued::Created(Json(view(issued))))
    }

    /// A volunteer's certificates (coordinators, or the volunteer).
    #[oai(
        path = "/:id/certificates",
        method = "get",
        operation_id = "list_certificates"
    )]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<CertificateView>>, Problem> {
        let (txn, id, _) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let list = records::certificates(&txn, id)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(list.into_iter().map(view).collect()))
    }

    /// The certificate as a PDF (coordinators, or the volunteer).
    #[oai(
        path = "/:id/certificates/:certificate/document",
        method = "get",
        operation_id = "certificate_document"
    )]
    async fn document(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        offices: Data<&Arc<OfficeDirectory>>,
        auth: Bearer,
        id: Path<String>,
        certificate: Path<uuid::Uuid>,
    ) -> Result<Pdf, Problem> {
        let (txn, id, volunteer) = open_own(&db, &tenant, &auth.0, &id.0).await?;
        let found = records::certificates(&txn, id)
            .await
            .map_err(store_problem)?
            .into_iter()
            .find(|c| c.id == certificate.0)
            .ok_or_else(|| Problem::not_found("Zaświadczenie"))?;
        txn.commit().await?;
        let office = offices.get(tenant.id, &tenant.slug).await?;
        let issued = view(found);
        let data = CertificateData {
            number: issued.number.clone(),
            office: document_office(&office),
            volunteer_name: format!("{} {}", volunteer.first_name, volunteer.last_name),
            birth_date: Some(volunteer.birth_date),
            period_from: issued.period_from,
            period_to: issued.period_to,
            scope: issued.scope,
            hours: issued.hours,
            opinion: issued.opinion,
            issued_on: issued.issued_at.date_naive(),
            signatory: issued.signatory,
        };
        let bytes = lacznik_documents::certificate_pdf(&data).map_err(|e| pdf_problem(&e))?;
        Ok(Pdf::Ok(
            poem_openapi::payload::Binary(bytes),
            format!(
                "inline; filename=\"zaswiadczenie-{}.pdf\"",
                issued.number.replace('/', "-")
            ),
        ))
    }
}
