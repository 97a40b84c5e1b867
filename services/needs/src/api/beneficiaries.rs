//! `/api/v1/needs/beneficiaries`: the people the office helps. Their data is special-category
//! under RODO, so the record holds only what the help needs (no health detail, no PESEL), only
//! coordinators read it whole, and every read — whole record, list, or a volunteer's view
//! through an assignment — is logged with who, when and why. The log is what the office hands
//! over when the person asks who saw their data (art. 15 RODO).

use chrono::{DateTime, Utc};
use lacznik_http::auth::{Bearer, Caller};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::{TenantDb, TenantTxn};
use lacznik_types::{PersonName, PhoneNumber};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;

use super::clean;
use crate::store::beneficiaries::{self, NewBeneficiary, Read};
use crate::store::entity::{beneficiary, beneficiary_read};
use crate::store::partners;

#[derive(Tags)]
enum Tag {
    /// Podopieczni (beneficiaries)
    Beneficiaries,
}

/// Why a coordinator opens a record when they do not say: coordinating the help.
const DEFAULT_PURPOSE: &str = "koordynacja pomocy";

/// A person the office helps: only what the help needs.
#[derive(Debug, Object)]
pub struct BeneficiaryInput {
    #[oai(validator(max_length = 100))]
    pub first_name: String,
    #[oai(validator(max_length = 100))]
    pub last_name: String,
    pub phone: Option<String>,
    #[oai(validator(max_length = 200))]
    pub street_address: Option<String>,
    /// District code of the office's town.
    #[oai(validator(max_length = 40))]
    pub district: Option<String>,
    /// Need-to-know only, e.g. "3. piętro bez windy, słabo słyszy — dzwonić dłużej". No
    /// diagnoses.
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
    /// The institution that referred the person.
    pub partner_id: Option<uuid::Uuid>,
}

/// Changes to a record; absent fields stay as they are, `""` clears an optional one.
#[derive(Debug, Object)]
pub struct BeneficiaryPatch {
    #[oai(validator(max_length = 100))]
    pub first_name: Option<String>,
    #[oai(validator(max_length = 100))]
    pub last_name: Option<String>,
    pub phone: Option<String>,
    #[oai(validator(max_length = 200))]
    pub street_address: Option<String>,
    #[oai(validator(max_length = 40))]
    pub district: Option<String>,
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
}

/// The whole record (coordinators).
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Beneficiary {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub street_address: Option<String>,
    pub district: Option<String>,
    pub note: Option<String>,
    pub partner_id: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A line of the list: enough to pick the person.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct BeneficiaryLine {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub district: Option<String>,
}

/// One read of a record.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct AccessEntry {
    /// The user (coordinator) or volunteer profile who read it.
    pub reader: uuid::Uuid,
    /// `coordinator` or `volunteer`.
    pub role: String,
    pub purpose: String,
    /// `full`, `list`, `contact` (address and phone for an assignment) or `first_name`.
    pub view: String,
    pub read_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Beneficiary>),
}

impl From<beneficiary::Model> for Beneficiary {
    fn from(m: beneficiary::Model) -> Self {
        Self {
            id: m.id,
            first_name: m.first_name,
            last_name: m.last_name,
            phone: m.phone,
            street_address: m.street_address,
            district: m.district,
            note: m.note,
            partner_id: m.partner_id,
            created_at: m.created_at,
        }
    }
}

impl From<beneficiary_read::Model> for AccessEntry {
    fn from(m: beneficiary_read::Model) -> Self {
        Self {
            reader: m.reader,
            role: m.role,
            purpose: m.purpose,
            view: m.view,
            read_at: m.read_at,
        }
    }
}

fn name(v: &mut Validator, field: &'static str, raw: &str) -> Option<String> {
    v.check(PersonName::parse(field, raw))
        .map(PersonName::into_inner)
}

fn phone(v: &mut Validator, raw: Option<&str>) -> Option<String> {
    let raw = clean(raw)?;
    v.check(PhoneNumber::parse(&raw))
        .map(PhoneNumber::into_inner)
}

/// 404 unless the record exists in this office (an erased record reads as gone).
pub(crate) async fn require(
    txn: &TenantTxn,
    id: uuid::Uuid,
) -> Result<beneficiary::Model, Problem> {
    beneficiaries::get(txn, id)
        .await?
        .filter(|b| b.anonymised_at.is_none())
        .ok_or_else(|| Problem::not_found("Podopieczny"))
}

/// Logs that `caller` (a coordinator) read `ids` for `purpose`.
async fn log_coordinator(
    txn: &TenantTxn,
    caller: &Caller,
    ids: &[uuid::Uuid],
    purpose: Option<&str>,
    view: &str,
) -> Result<(), Problem> {
    beneficiaries::log_reads(
        txn,
        ids,
        &Read {
            reader: caller.user_id(),
            role: "coordinator",
            purpose: clean(purpose).as_deref().unwrap_or(DEFAULT_PURPOSE),
            view,
        },
    )
    .await?;
    Ok(())
}

pub struct BeneficiariesApi;

#[OpenApi(
    prefix_path = "/api/v1/needs/beneficiaries",
    tag = "Tag::Beneficiaries"
)]
impl BeneficiariesApi {
    /// Coordinators: records a person the office helps.
    #[oai(path = "/", method = "post", operation_id = "create_beneficiary")]
    async fn create(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<BeneficiaryInput>,
    ) -> Result<Created, Problem> {
        auth.0.require_coordinator()?;
        let input = body.0;
        let mut v = Validator::new();
        let first_name = name(&mut v, "first_name", &input.first_name);
        let last_name = name(&mut v, "last_name", &input.last_name);
        let phone = phone(&mut v, input.phone.as_deref());
        let txn = db.begin(tenant.id).await?;
        if let Some(partner) = input.partner_id
            && partners::get(&txn, partner).await?.is_none()
        {
            v.reject("partner_id", "Nieznana instytucja partnerska.");
        }
        v.finish()?;
        let (Some(first_name), Some(last_name)) = (first_name, last_name) else {
            return Err(Problem::validation(Vec::new()));
        };
        let created = beneficiaries::insert(
            &txn,
            NewBeneficiary {
                first_name,
                last_name,
                phone,
                street_address: clean(input.street_address.as_deref()),
                district: clean(input.district.as_deref()),
                note: clean(input.note.as_deref()),
                partner_id: input.partner_id,
                created_by: auth.0.user_id(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Coordinators: the office's beneficiaries (names and districts; the read is logged).
    #[oai(path = "/", method = "get", operation_id = "list_beneficiaries")]
    async fn list(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        purpose: Query<Option<String>>,
    ) -> Result<Json<Vec<BeneficiaryLine>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let found = beneficiaries::list(&txn, 500).await?;
        let ids: Vec<uuid::Uuid> = found.iter().map(|b| b.id).collect();
        log_coordinator(&txn, &auth.0, &ids, purpose.0.as_deref(), "list").await?;
        txn.commit().await?;
        Ok(Json(
            found
                .into_iter()
                .map(|b| BeneficiaryLine {
                    id: b.id,
                    first_name: b.first_name,
                    last_name: b.last_name,
                    district: b.district,
                })
                .collect(),
        ))
    }

    /// Coordinators: the whole record. Say why in `purpose` (logged; default "koordynacja
    /// pomocy").
    #[oai(path = "/:id", method = "get", operation_id = "get_beneficiary")]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        purpose: Query<Option<String>>,
    ) -> Result<Json<Beneficiary>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let found = require(&txn, id.0).await?;
        log_coordinator(&txn, &auth.0, &[found.id], purpose.0.as_deref(), "full").await?;
        txn.commit().await?;
        Ok(Json(found.into()))
    }

    /// Coordinators: corrects the record.
    #[oai(path = "/:id", method = "patch", operation_id = "update_beneficiary")]
    async fn update(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        body: Json<BeneficiaryPatch>,
    ) -> Result<Json<Beneficiary>, Problem> {
        auth.0.require_coordinator()?;
        let patch = body.0;
        let mut v = Validator::new();
        let first_name = patch
            .first_name
            .as_deref()
            .map(|n| name(&mut v, "first_name", n));
        let last_name = patch
            .last_name
            .as_deref()
            .map(|n| name(&mut v, "last_name", n));
        let phone = patch.phone.as_deref().map(|p| phone(&mut v, Some(p)));
        v.finish()?;
        let txn = db.begin(tenant.id).await?;
        let found = require(&txn, id.0).await?;
        let mut row = found.into_active_model();
        if let Some(Some(first_name)) = first_name {
            row.first_name = Set(first_name);
        }
        if let Some(Some(last_name)) = last_name {
            row.last_name = Set(last_name);
        }
        if let Some(phone) = phone {
            row.phone = Set(phone);
        }
        if let Some(address) = patch.street_address.as_deref() {
            row.street_address = Set(clean(Some(address)));
        }
        if let Some(district) = patch.district.as_deref() {
            row.district = Set(clean(Some(district)));
        }
        if let Some(note) = patch.note.as_deref() {
            row.note = Set(clean(Some(note)));
        }
        let updated = beneficiaries::update(&txn, row).await?;
        log_coordinator(
            &txn,
            &auth.0,
            &[updated.id],
            Some("aktualizacja danych"),
            "full",
        )
        .await?;
        txn.commit().await?;
        Ok(Json(updated.into()))
    }

    /// Coordinators: who read the record, when and why — for the person's access request.
    #[oai(
        path = "/:id/access-log",
        method = "get",
        operation_id = "beneficiary_access_log"
    )]
    async fn access_log(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
        since: Query<Option<DateTime<Utc>>>,
    ) -> Result<Json<Vec<AccessEntry>>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        if beneficiaries::get(&txn, id.0).await?.is_none() {
            return Err(Problem::not_found("Podopieczny"));
        }
        let reads = beneficiaries::reads(&txn, id.0, since.0).await?;
        txn.commit().await?;
        Ok(Json(reads.into_iter().map(AccessEntry::from).collect()))
    }

    /// Coordinators: erases the person's data when help has ended and the record must go
    /// (names become "—", contact and note are removed). Needs and hours stay for statistics;
    /// the access log stays as evidence.
    #[oai(
        path = "/:id/anonymisation",
        method = "post",
        operation_id = "anonymise_beneficiary"
    )]
    async fn anonymise(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Beneficiary>, Problem> {
        auth.0.require_coordinator()?;
        let txn = db.begin(tenant.id).await?;
        let found = require(&txn, id.0).await?;
        let mut row = found.into_active_model();
        row.first_name = Set("—".to_owned());
        row.last_name = Set("—".to_owned());
        row.phone = Set(None);
        row.street_address = Set(None);
        row.note = Set(None);
        row.anonymised_at = Set(Some(Utc::now()));
        let erased = beneficiaries::update(&txn, row).await?;
        txn.commit().await?;
        Ok(Json(erased.into()))
    }
}
