//! Checks required before work with children: that a coordinator saw a clean criminal-record
//! certificate (KRK) and consulted the sex-offender register — when, who, and until when the
//! office treats it as valid. Only clearances are recorded, never the document or its content.

use sea_orm_migration::prelude::*;

use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let checks = tenant_table("volunteer_checks")
            .col(ColumnDef::new("volunteer_id").uuid().not_null())
            .col(ColumnDef::new("kind").string_len(32).not_null())
            .col(ColumnDef::new("checked_on").date().not_null())
            .col(ColumnDef::new("valid_until").date().not_null())
            .col(ColumnDef::new("checked_by").uuid().not_null())
            .col(
                ColumnDef::new("recorded_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_volunteer_checks_volunteer")
                    .from("volunteer_checks", ("tenant_id", "volunteer_id"))
                    .to("volunteers", ("tenant_id", "id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .check(Expr::col("kind").is_in(["criminal_record", "sex_offender_register"]))
            .to_owned();
        create_tenant_table(manager, "volunteer_checks", checks).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_volunteer_checks_volunteer")
                    .table("volunteer_checks")
                    .col("tenant_id")
                    .col("volunteer_id")
                    .col("kind")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tenant_table(manager, "volunteer_checks").await
    }
}
