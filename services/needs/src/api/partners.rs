//! `/api/v1/needs/partners`: institutions that work with the volunteer centre — schools,
//! parishes, NGOs, Caritas, day-care centres. They post needs through a coordinator, register
//! classes for actions, and are credited in statistics.

use chrono::{DateTime, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::{Email, PhoneNumber};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use sea_orm::ActiveValue::{NotSet, Set};

use super::clean;
use crate::store::entity::partner;
use crate::store::partners;

#[derive(Tags)]
enum Tag {
    /// Instytucje partnerskie (partners)
    Partners,
}

/// What kind of institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    School,
    Parish,
    Ngo,
    Caritas,
    DayCare,
    Other,
}

impl PartnerKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::Parish => "parish",
            Self::Ngo => "ngo",
            Self::Caritas => "caritas",
            Self::DayCare => "day_care",
            Self::Other => "other",
        }
    }

    fn parse(raw: &str) -> Self {
        [
            Self::School,
            Self::Parish,
            Self::Ngo,
            Self::Caritas,
            Self::DayCare,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
        .unwrap_or(Self::Other)
    }
}

/// A new partner.
#[derive(Debug, Object)]
pub struct PartnerInput {
    /// e.g. "Szkoła Podstawowa nr 5 w Kielcach".
    #[oai(validator(max_length = 200))]
    pub name: String,
    pub kind: PartnerKind,
    #[oai(validator(max_length = 200))]
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[oai(validator(max_length = 200))]
    pub street_address: Option<String>,
    #[oai(validator(max_length = 40))]
    pub district: Option<String>,
}

/// A partner institution.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Partner {
    pub id: uuid::Uuid,
    pub name: String,
    pub kind: PartnerKind,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub street_address: Option<String>,
    pub district: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<partner::Model> for Partner {
    fn from(m: partner::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            kind: PartnerKind::parse(&m.kind),
            contact_name: m.contact_name,
            phone: m.phone,
            email: m.email,
            street_address: m.street_address,
            district: m.district,
            created_at: m.created_at,
        }
    }
}

#[derive(ApiResponse)]
enum Created {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Partner>),
}

pub struct PartnersApi;

#[OpenApi(prefix_path = "/api/v1/needs/partners", tag = "Tag::Partners")]
impl PartnersApi {
    /// Coordinators: records a partner institution.
    #[oai(path = "/", method = "post", operation_id = "create_partner")]
    async fn create(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<PartnerInput>,
    ) -> Result<Created, Problem> {
        auth.0.require_coordinator()?;
        let input = body.0;
        let mut v = Validator::new();
        let name = clean(Some(&input.name));
        if name.is_none() {
            v.reject("name", "Podaj nazwę instytucji.");
        }
        let phone = clean(input.phone.as_deref())
            .and_then(|p| v.check(PhoneNumber::parse(&p)))
            .map(PhoneNumber::into_inner);
        let email = clean(input.email.as_deref())
            .and_then(|e| v.check(Email::parse(&e)))
            .map(|e| e.as_str().to_owned());
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let created = partners::insert(
            &txn,
            partner::ActiveModel {
                tenant_id: NotSet,
                id: NotSet,
                name: Set(name.unwrap_or_default()),
                kind: Set(input.kind.as_str().to_owned()),
                contact_name: Set(clean(input.contact_name.as_deref())),
                phone: Set(phone),
                email: Set(email),
                street_address: Set(clean(input.street_address.as_deref())),
                district: Set(clean(input.district.as_deref())),
                created_at: NotSet,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Coordinators: the office's partners by name.
    #[oai(path = "/", method = "get", operation_id = "list_partners")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Vec<Partner>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let all = partners::list(&txn).await?;
        txn.commit().await?;
        Ok(Json(all.into_iter().map(Partner::from).collect()))
    }

    /// Coordinators: one partner.
    #[oai(path = "/:id", method = "get", operation_id = "get_partner")]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Partner>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let found = partners::get(&txn, id.0)
            .await?
            .ok_or_else(|| Problem::not_found("Instytucja"))?;
        txn.commit().await?;
        Ok(Json(found.into()))
    }
}
