//! The office's own catalogue entries: districts of the town (with their neighbours) and skills
//! beyond the shared list.

use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{district, office_skill};
use super::{StoreError, json_list, to_json};
use crate::domain::OfficeCatalogue;
use lacznik_tenancy::TenantTxn;

/// A district as the office defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct District {
    pub code: String,
    pub name: String,
    pub neighbours: Vec<String>,
}

pub async fn districts(txn: &TenantTxn) -> Result<Vec<District>, StoreError> {
    Ok(district::Entity::find()
        .filter(district::Column::TenantId.eq(txn.tenant().as_uuid()))
        .order_by_asc(district::Column::Name)
        .all(&**txn)
        .await?
        .into_iter()
        .map(|d| District {
            neighbours: json_list(&d.neighbours),
            code: d.code,
            name: d.name,
        })
        .collect())
}

/// Replaces the office's districts with `list`.
pub async fn replace_districts(txn: &TenantTxn, list: &[District]) -> Result<(), StoreError> {
    let tenant = txn.tenant().as_uuid();
    district::Entity::delete_many()
        .filter(district::Column::TenantId.eq(tenant))
        .exec(&**txn)
        .await?;
    for d in list {
        district::Entity::insert(district::ActiveModel {
            tenant_id: Set(tenant),
            id: Set(uuid::Uuid::now_v7()),
            code: Set(d.code.clone()),
            name: Set(d.name.clone()),
            neighbours: Set(to_json(&d.neighbours)),
        })
        .exec(&**txn)
        .await?;
    }
    Ok(())
}

/// The office's own skills as (code, name), by name.
pub async fn skills(txn: &TenantTxn) -> Result<Vec<(String, String)>, StoreError> {
    Ok(office_skill::Entity::find()
        .filter(office_skill::Column::TenantId.eq(txn.tenant().as_uuid()))
        .order_by_asc(office_skill::Column::Name)
        .all(&**txn)
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect())
}

/// Adds an office skill; `false` if the code is taken.
pub async fn add_skill(txn: &TenantTxn, code: &str, name: &str) -> Result<bool, StoreError> {
    let taken = office_skill::Entity::find()
        .filter(office_skill::Column::TenantId.eq(txn.tenant().as_uuid()))
        .filter(office_skill::Column::Code.eq(code))
        .one(&**txn)
        .await?
        .is_some();
    if taken {
        return Ok(false);
    }
    office_skill::Entity::insert(office_skill::ActiveModel {
        tenant_id: Set(txn.tenant().as_uuid()),
        id: Set(uuid::Uuid::now_v7()),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
    })
    .exec(&**txn)
    .await?;
    Ok(true)
}

/// The codes a profile is checked against.
pub async fn office_catalogue(txn: &TenantTxn) -> Result<OfficeCatalogue, StoreError> {
    Ok(OfficeCatalogue {
        skills: skills(txn).await?.into_iter().map(|(c, _)| c).collect(),
        districts: districts(txn).await?.into_iter().map(|d| d.code).collect(),
    })
}
