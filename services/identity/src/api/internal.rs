//! Internal API for the gateway: resolve a host name or slug to an office. Not routed by the
//! gateway, so clients cannot reach it; in production it listens on the cluster network only.

use lacznik_http::Problem;
use lacznik_tenancy::PlatformDb;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{OpenApi, payload::Json};

use crate::TenantRecord;
use crate::store;

pub struct InternalApi;

#[OpenApi]
impl InternalApi {
    /// Finds the office by slug, by one of its extra hosts, or by id.
    #[oai(path = "/tenants/resolve", method = "get")]
    async fn resolve(
        &self,
        db: Data<&PlatformDb>,
        slug: Query<Option<String>>,
        host: Query<Option<String>>,
        id: Query<Option<uuid::Uuid>>,
    ) -> Result<Json<TenantRecord>, Problem> {
        let found = match (slug.0, host.0, id.0) {
            (Some(slug), None, None) => store::find_by_slug(&db, &slug).await?,
            (None, Some(host), None) => store::find_by_host(&db, &host).await?,
            (None, None, Some(id)) => store::find_by_id(&db, id).await?,
            _ => {
                return Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    "Podaj dokładnie jeden z parametrów slug, host lub id",
                ));
            }
        };
        found.map(Json).ok_or_else(|| {
            Problem::new(StatusCode::NOT_FOUND, "unknown_tenant", "Nieznany ośrodek")
        })
    }

    /// All offices.
    #[oai(path = "/tenants", method = "get")]
    async fn list(&self, db: Data<&PlatformDb>) -> Result<Json<Vec<TenantRecord>>, Problem> {
        Ok(Json(store::list_tenants(&db).await?))
    }
}
