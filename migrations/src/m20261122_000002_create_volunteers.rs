//! The volunteers service's first table: who a volunteer is and how to reach them.
//! No PESEL is stored; age comes from the birth date.

use sea_orm_migration::prelude::*;

use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = tenant_table("volunteers")
            .col(ColumnDef::new("first_name").string_len(100).not_null())
            .col(ColumnDef::new("last_name").string_len(100).not_null())
            .col(ColumnDef::new("email").string_len(254).not_null())
            .col(ColumnDef::new("phone").string_len(20).null())
            .col(ColumnDef::new("birth_date").date().not_null())
            .col(
                ColumnDef::new("created_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new("updated_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        create_tenant_table(manager, "volunteers", table).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_volunteers_email")
                    .table("volunteers")
                    .col("tenant_id")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tenant_table(manager, "volunteers").await
    }
}
