//! `GET /api/v1/identity/office`: the current office's public card (name, address, hours).

use lacznik_http::Problem;
use lacznik_http::tenant::Place;
use lacznik_tenancy::PlatformDb;
use poem::web::Data;
use poem_openapi::{OpenApi, Tags, payload::Json};

use crate::TenantRecord;
use crate::store;

#[derive(Tags)]
enum Tag {
    /// Ośrodki (offices)
    Offices,
}

pub struct OfficeApi;

#[OpenApi(prefix_path = "/api/v1/identity", tag = "Tag::Offices")]
impl OfficeApi {
    /// The office this address belongs to: name, address, phone, office hours.
    #[oai(path = "/office", method = "get", operation_id = "get_current_office")]
    async fn office(
        &self,
        db: Data<&PlatformDb>,
        place: Data<&Place>,
    ) -> Result<Json<TenantRecord>, Problem> {
        let tenant = place.office()?;
        store::find_by_slug(&db, &tenant.slug)
            .await?
            .filter(|t| t.id == tenant.id.as_uuid())
            .map(Json)
            .ok_or_else(|| Problem::not_found("Ośrodek"))
    }
}
