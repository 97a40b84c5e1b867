//! `/api/v1/volunteers/catalogue`: what a profile can say — the shared kinds of help, skills and
//! languages, and the office's own districts and skills. Reading is public (the sign-up form
//! needs it and it holds nothing personal); coordinators maintain the office's part.

use std::collections::HashSet;

use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_tenancy::TenantDb;
use lacznik_types::catalogue::{self, Entry, KINDS_OF_HELP, LANGUAGES, SHARED_SKILLS};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::volunteers::store_problem;
use crate::store::catalogue::{self as store, District};

#[derive(Tags)]
enum Tag {
    /// Katalogi (kinds of help, skills, languages, districts)
    Catalogue,
}

/// One entry: a code to send and a Polish name to show.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct CatalogueEntry {
    pub code: String,
    pub name: String,
    /// Defined by this office rather than shared by all.
    pub office: bool,
}

impl CatalogueEntry {
    fn shared(entry: &Entry) -> Self {
        Self {
            code: entry.code.to_owned(),
            name: entry.name.to_owned(),
            office: false,
        }
    }
}

/// A district of the town.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct DistrictView {
    /// e.g. `bocianek`.
    #[oai(validator(max_length = 40))]
    pub code: String,
    /// e.g. `Bocianek`.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Codes of bordering districts (distance for matching is counted in such steps).
    #[oai(validator(max_items = 30))]
    pub neighbours: Vec<String>,
}

/// Everything a profile is checked against.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Catalogue {
    pub kinds_of_help: Vec<CatalogueEntry>,
    pub skills: Vec<CatalogueEntry>,
    pub languages: Vec<CatalogueEntry>,
    pub districts: Vec<DistrictView>,
}

/// A skill of the office's own.
#[derive(Debug, Object)]
pub struct SkillInput {
    /// Lowercase letters, digits and `_`, e.g. `obsluga_wozka`.
    #[oai(validator(max_length = 40))]
    pub code: String,
    #[oai(validator(max_length = 100))]
    pub name: String,
}

#[derive(ApiResponse)]
enum SkillAdded {
    /// Added.
    #[oai(status = 201)]
    Created(Json<Catalogue>),
}

async fn load(db: &TenantDb, tenant: &TenantContext) -> Result<Catalogue, Problem> {
    let txn = db.begin(tenant.id).await?;
    let skills = store::skills(&txn).await.map_err(store_problem)?;
    let districts = store::districts(&txn).await.map_err(store_problem)?;
    txn.commit().await?;
    Ok(Catalogue {
        kinds_of_help: KINDS_OF_HELP.iter().map(CatalogueEntry::shared).collect(),
        skills: SHARED_SKILLS
            .iter()
            .map(CatalogueEntry::shared)
            .chain(skills.into_iter().map(|(code, name)| CatalogueEntry {
                code,
                name,
                office: true,
            }))
            .collect(),
        languages: LANGUAGES.iter().map(CatalogueEntry::shared).collect(),
        districts: districts
            .into_iter()
            .map(|d| DistrictView {
                code: d.code,
                name: d.name,
                neighbours: d.neighbours,
            })
            .collect(),
    })
}

fn name(v: &mut Validator, field: &str, raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        v.reject(field, "Nazwa jest wymagana.");
    }
    trimmed.to_owned()
}

/// Checks a whole list of districts: codes well formed and unique, neighbours among them.
fn parse_districts(list: Vec<DistrictView>) -> Result<Vec<District>, Problem> {
    let mut v = Validator::new();
    let codes: HashSet<&str> = list.iter().map(|d| d.code.as_str()).collect();
    let mut seen = HashSet::new();
    let mut parsed = Vec::new();
    for (i, d) in list.iter().enumerate() {
        if !catalogue::is_code(&d.code) {
            v.reject(
                &format!("[{i}].code"),
                "Kod: małe litery bez polskich znaków, cyfry i _, np. stare_miasto.",
            );
        } else if !seen.insert(d.code.as_str()) {
            v.reject(&format!("[{i}].code"), "Ten kod już jest na liście.");
        }
        for (j, n) in d.neighbours.iter().enumerate() {
            if !codes.contains(n.as_str()) || *n == d.code {
                v.reject(
                    &format!("[{i}].neighbours[{j}]"),
                    "Sąsiednia dzielnica musi być inną dzielnicą z tej listy.",
                );
            }
        }
        parsed.push(District {
            code: d.code.clone(),
            name: name(&mut v, &format!("[{i}].name"), &d.name),
            neighbours: d.neighbours.clone(),
        });
    }
    v.finish()?;
    // Neighbourhood is mutual: list each pair on both sides.
    let pairs: Vec<(String, String)> = parsed
        .iter()
        .flat_map(|d| d.neighbours.iter().map(|n| (d.code.clone(), n.clone())))
        .collect();
    for (a, b) in pairs {
        if let Some(d) = parsed.iter_mut().find(|d| d.code == b)
            && !d.neighbours.contains(&a)
        {
            d.neighbours.push(a);
        }
    }
    Ok(parsed)
}

pub struct CatalogueApi;

#[OpenApi(prefix_path = "/api/v1/volunteers/catalogue", tag = "Tag::Catalogue")]
impl CatalogueApi {
    /// Kinds of help, skills, languages and the office's districts (public).
    #[oai(path = "/", method = "get", operation_id = "get_catalogue")]
    async fn get(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
    ) -> Result<Json<Catalogue>, Problem> {
        Ok(Json(load(&db, &tenant).await?))
    }

    /// Coordinators: sets the office's districts and which of them border each other.
    #[oai(path = "/districts", method = "put", operation_id = "set_districts")]
    async fn set_districts(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<Vec<DistrictView>>,
    ) -> Result<Json<Catalogue>, Problem> {
        auth.0.require_coordinator()?;
        if body.len() > 200 {
            let mut v = Validator::new();
            v.reject("", "Najwyżej 200 dzielnic.");
            v.finish()?;
        }
        let districts = parse_districts(body.0)?;
        let txn = db.begin(tenant.id).await?;
        store::replace_districts(&txn, &districts)
            .await
            .map_err(store_problem)?;
        txn.commit().await?;
        Ok(Json(load(&db, &tenant).await?))
    }

    /// Coordinators: adds a skill of the office's own.
    #[oai(path = "/skills", method = "post", operation_id = "add_office_skill")]
    async fn add_skill(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<SkillInput>,
    ) -> Result<SkillAdded, Problem> {
        auth.0.require_coordinator()?;
        let mut v = Validator::new();
        if !catalogue::is_code(&body.code) {
            v.reject(
                "code",
                "Kod: małe litery bez polskich znaków, cyfry i _, np. obsluga_wozka.",
            );
        }
        let name = name(&mut v, "name", &body.name);
        v.finish()?;
        let taken = || {
            Problem::conflict(
                "skill_exists",
                "Umiejętność o tym kodzie jest już w katalogu.",
            )
        };
        if catalogue::is_shared_skill(&body.code) {
            return Err(taken());
        }
        let txn = db.begin(tenant.id).await?;
        if !store::add_skill(&txn, &body.code, &name)
            .await
            .map_err(store_problem)?
        {
            return Err(taken());
        }
        txn.commit().await?;
        Ok(SkillAdded::Created(Json(load(&db, &tenant).await?)))
    }
}
