//! The one way to create a tenant table. Keys are Citus-ready: `tenant_id` leads the primary
//! key and every foreign key, and on PostgreSQL the table gets row-level security, enabled and
//! forced, with the single policy of DESIGN.md for both reading (USING) and writing (WITH CHECK).

use lacznik_config::APP_ROLE;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

/// The policy expression: the row's office is the one this transaction was bound to. With no
/// tenant set, `NULLIF(…, '')` is NULL, the comparison is NULL, and no row passes.
pub const TENANT_PREDICATE: &str =
    "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid";

/// Starts a tenant table: `tenant_id uuid not null` first, then `id uuid not null`.
pub fn tenant_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(ColumnDef::new("tenant_id").uuid().not_null())
        .col(ColumnDef::new("id").uuid().not_null())
        .to_owned()
}

/// Finishes and creates a table started with [`tenant_table`]: primary key `(tenant_id, id)`,
/// a foreign key to `tenants`, RLS with the tenant policy, and the app role's grants.
pub async fn create_tenant_table(
    manager: &SchemaManager<'_>,
    name: &'static str,
    mut table: TableCreateStatement,
) -> Result<(), DbErr> {
    table
        .primary_key(Index::create().col("tenant_id").col("id"))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_tenant"))
                .from(name, "tenant_id")
                .to("tenants", "id")
                .on_delete(ForeignKeyAction::Restrict),
        );
    manager.create_table(table).await?;
    let db = manager.get_connection();
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;
             ALTER TABLE {name} FORCE ROW LEVEL SECURITY;
             CREATE POLICY tenant_isolation ON {name}
               USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE});
             GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {APP_ROLE};"
        ))
        .await?;
    }
    Ok(())
}

/// Drops a tenant table (its policy goes with it).
pub async fn drop_tenant_table(
    manager: &SchemaManager<'_>,
    name: &'static str,
) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(name).to_owned())
        .await
}
