//! A volunteer's place in the centre's lifecycle — applicant, active, paused, ended — and the
//! history of every change: who changed it, when and why.

use sea_orm_migration::prelude::*;

use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Everyone registered so far was registered by a coordinator: active.
        manager
            .alter_table(
                Table::alter()
                    .table("volunteers")
                    .add_column(
                        ColumnDef::new("status")
                            .string_len(16)
                            .not_null()
                            .default("active"),
                    )
                    .to_owned(),
            )
            .await?;
        let changes = tenant_table("volunteer_status_changes")
            .col(ColumnDef::new("volunteer_id").uuid().not_null())
            .col(ColumnDef::new("from_status").string_len(16).null())
            .col(ColumnDef::new("to_status").string_len(16).not_null())
            .col(ColumnDef::new("reason").string_len(500).null())
            .col(ColumnDef::new("changed_by").uuid().null())
            .col(
                ColumnDef::new("changed_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_volunteer_status_changes_volunteer")
                    .from("volunteer_status_changes", ("tenant_id", "volunteer_id"))
                    .to("volunteers", ("tenant_id", "id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        create_tenant_table(manager, "volunteer_status_changes", changes).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_volunteer_status_changes_volunteer")
                    .table("volunteer_status_changes")
                    .col("tenant_id")
                    .col("volunteer_id")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tenant_table(manager, "volunteer_status_changes").await?;
        manager
            .alter_table(
                Table::alter()
                    .table("volunteers")
                    .drop_column("status")
                    .to_owned(),
            )
            .await
    }
}
