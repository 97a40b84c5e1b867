//! What a volunteer offers: kinds of help, skills, languages, districts of the town and weekly
//! availability (lists of catalogue codes, kept on the volunteer's row as JSON text so that
//! matching reads one row per volunteer), a weekly hours limit, notes only coordinators see,
//! and absences. Offices keep their own districts (with neighbours, for distance) and skills.

use sea_orm_migration::prelude::*;

use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Profile columns added to `volunteers` (SQLite takes one column per ALTER).
const PROFILE_COLUMNS: [&str; 9] = [
    "kinds",
    "skills",
    "languages",
    "districts",
    "availability",
    "max_hours_per_week",
    "coordinator_notes",
    "ended_on",
    "anonymised_at",
];

fn profile_column(name: &'static str) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    match name {
        "max_hours_per_week" => column.small_integer().null(),
        "coordinator_notes" => column.text().null(),
        "ended_on" => column.date().null(),
        "anonymised_at" => column.timestamp_with_time_zone().null(),
        // Lists of codes, as JSON arrays.
        _ => column.text().not_null().default("[]"),
    };
    column
}

/// A foreign key from `table.volunteer_id` to the volunteer, in the same office.
pub(crate) fn volunteer_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_volunteer"))
        .from(table, ("tenant_id", "volunteer_id"))
        .to("volunteers", ("tenant_id", "id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A unique index on `(tenant_id, column)`.
pub(crate) fn unique_in_office(table: &'static str, column: &'static str) -> IndexCreateStatement {
    Index::create()
        .name(format!("ux_{table}_{column}"))
        .table(table)
        .col("tenant_id")
        .col(column)
        .unique()
        .to_owned()
}

/// An index on `(tenant_id, volunteer_id)`.
pub(crate) fn by_volunteer(table: &'static str) -> IndexCreateStatement {
    Index::create()
        .name(format!("ix_{table}_volunteer"))
        .table(table)
        .col("tenant_id")
        .col("volunteer_id")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in PROFILE_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("volunteers")
                        .add_column(profile_column(name))
                        .to_owned(),
                )
                .await?;
        }

        let districts = tenant_table("districts")
            .col(ColumnDef::new("code").string_len(40).not_null())
            .col(ColumnDef::new("name").string_len(100).not_null())
            // JSON array of the codes of bordering districts.
            .col(ColumnDef::new("neighbours").text().not_null().default("[]"))
            .to_owned();
        create_tenant_table(manager, "districts", districts).await?;
        manager
            .create_index(unique_in_office("districts", "code"))
            .await?;

        let skills = tenant_table("office_skills")
            .col(ColumnDef::new("code").string_len(40).not_null())
            .col(ColumnDef::new("name").string_len(100).not_null())
            .to_owned();
        create_tenant_table(manager, "office_skills", skills).await?;
        manager
            .create_index(unique_in_office("office_skills", "code"))
            .await?;

        let absences = tenant_table("volunteer_absences")
            .col(ColumnDef::new("volunteer_id").uuid().not_null())
            .col(ColumnDef::new("starts_on").date().not_null())
            .col(ColumnDef::new("ends_on").date().not_null())
            .col(ColumnDef::new("reason").string_len(200).null())
            .foreign_key(&mut volunteer_fk("volunteer_absences"))
            .check(Expr::col("ends_on").gte(Expr::col("starts_on")))
            .to_owned();
        create_tenant_table(manager, "volunteer_absences", absences).await?;
        manager
            .create_index(by_volunteer("volunteer_absences"))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["volunteer_absences", "office_skills", "districts"] {
            drop_tenant_table(manager, table).await?;
        }
        for name in PROFILE_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("volunteers")
                        .drop_column(name)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
