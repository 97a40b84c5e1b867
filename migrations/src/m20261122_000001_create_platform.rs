//! Platform tables, shared by all offices and belonging to none: the 16 voivodeships (a small
//! reference table keyed by TERYT code), the offices (tenants) and the host names they answer on.

use lacznik_config::APP_ROLE;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The voivodeships by TERYT code, with their names as the Central Statistical Office writes them.
const VOIVODESHIPS: [(&str, &str); 16] = [
    ("02", "dolnośląskie"),
    ("04", "kujawsko-pomorskie"),
    ("06", "lubelskie"),
    ("08", "lubuskie"),
    ("10", "łódzkie"),
    ("12", "małopolskie"),
    ("14", "mazowieckie"),
    ("16", "opolskie"),
    ("18", "podkarpackie"),
    ("20", "podlaskie"),
    ("22", "pomorskie"),
    ("24", "śląskie"),
    ("26", "świętokrzyskie"),
    ("28", "warmińsko-mazurskie"),
    ("30", "wielkopolskie"),
    ("32", "zachodniopomorskie"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("regions")
                    .col(ColumnDef::new("code").char_len(2).not_null().primary_key())
                    .col(ColumnDef::new("name").string_len(40).not_null())
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table("regions").columns(["code", "name"]);
        for (code, name) in VOIVODESHIPS {
            insert.values_panic([code.into(), name.into()]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("tenants")
                    .col(ColumnDef::new("id").uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new("slug")
                            .string_len(63)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new("name").string_len(200).not_null())
                    .col(ColumnDef::new("short_name").string_len(60).not_null())
                    .col(ColumnDef::new("region_code").char_len(2).not_null())
                    .col(ColumnDef::new("population").integer().not_null())
                    .col(ColumnDef::new("street_address").string_len(200).not_null())
                    .col(ColumnDef::new("postal_code").string_len(6).not_null())
                    .col(ColumnDef::new("city").string_len(100).not_null())
                    .col(ColumnDef::new("phone").string_len(40).not_null())
                    .col(ColumnDef::new("email").string_len(254).not_null())
                    .col(ColumnDef::new("website").string_len(300).null())
                    .col(ColumnDef::new("office_hours").string_len(300).not_null())
                    .col(
                        ColumnDef::new("time_zone")
                            .string_len(64)
                            .not_null()
                            .default("Europe/Warsaw"),
                    )
                    .col(
                        ColumnDef::new("locale")
                            .string_len(10)
                            .not_null()
                            .default("pl-PL"),
                    )
                    .col(
                        ColumnDef::new("status")
                            .string_len(16)
                            .not_null()
                            .default("active"),
                    )
                    .col(
                        ColumnDef::new("created_at")
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenants_region")
                            .from("tenants", "region_code")
                            .to("regions", "code"),
                    )
                    .check(Expr::col("status").is_in(["active", "suspended"]))
                    .to_owned(),
            )
            .await?;

        // Looked up before any tenant is known (that is how the gateway finds the tenant), so
        // this is a platform table even though it names a tenant.
        manager
            .create_table(
                Table::create()
                    .table("tenant_hosts")
                    .col(
                        ColumnDef::new("host")
                            .string_len(253)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new("tenant_id").uuid().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenant_hosts_tenant")
                            .from("tenant_hosts", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tenant_hosts_tenant")
                    .table("tenant_hosts")
                    .col("tenant_id")
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "GRANT SELECT ON regions TO {APP_ROLE};
                 GRANT SELECT, INSERT, UPDATE ON tenants, tenant_hosts TO {APP_ROLE};
                 GRANT DELETE ON tenant_hosts TO {APP_ROLE};
                 GRANT SELECT ON seaql_migrations TO {APP_ROLE};"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["tenant_hosts", "tenants", "regions"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
