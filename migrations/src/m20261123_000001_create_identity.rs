//! Identity: people (`users`, a platform table — one person may work for several offices), their
//! roles in an office (`memberships`), invitations, sessions with rotating refresh tokens,
//! one-time links (password reset, volunteers' login links), the security audit log and the
//! transactional outbox. Sessions, links, audit log and outbox exist twice with the same shape:
//! as tenant tables for office work, and as `platform_…` tables for platform and regional
//! admins, who act for no office. Offices also get the sender identity of their emails.

use lacznik_config::APP_ROLE;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn timestamp(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn timestamp_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// The tables that exist once per office and once for the platform, and how each is shaped.
/// Adds a scoped table's own columns.
type Columns = fn(TableCreateStatement) -> TableCreateStatement;

fn scoped_tables() -> [(&'static str, &'static str, Columns); 5] {
    [
        ("sessions", "platform_sessions", |mut t| {
            t.col(ColumnDef::new("user_id").uuid().not_null())
                .col(timestamp("created_at"))
                .col(timestamp("last_used_at"))
                .col(timestamp("authenticated_at"))
                .col(timestamp("expires_at"))
                .col(timestamp_null("revoked_at"))
                .col(ColumnDef::new("revoked_reason").string_len(40).null())
                .col(ColumnDef::new("client_ip").string_len(45).null())
                .col(ColumnDef::new("user_agent").string_len(300).null())
                .to_owned()
        }),
        ("refresh_tokens", "platform_refresh_tokens", |mut t| {
            t.col(ColumnDef::new("session_id").uuid().not_null())
                .col(ColumnDef::new("token_hash").char_len(64).not_null())
                .col(timestamp("issued_at"))
                .col(timestamp_null("used_at"))
                .to_owned()
        }),
        ("one_time_tokens", "platform_one_time_tokens", |mut t| {
            t.col(ColumnDef::new("user_id").uuid().not_null())
                .col(ColumnDef::new("purpose").string_len(20).not_null())
                .col(ColumnDef::new("token_hash").char_len(64).not_null())
                .col(timestamp("created_at"))
                .col(timestamp("expires_at"))
                .col(timestamp_null("used_at"))
                .check(Expr::col("purpose").is_in(["password_reset", "login_link"]))
                .to_owned()
        }),
        ("security_events", "platform_security_events", |mut t| {
            t.col(timestamp("occurred_at"))
                .col(ColumnDef::new("kind").string_len(40).not_null())
                .col(ColumnDef::new("user_id").uuid().null())
                .col(ColumnDef::new("actor_id").uuid().null())
                .col(ColumnDef::new("client_ip").string_len(45).null())
                .col(ColumnDef::new("detail").text().not_null())
                .to_owned()
        }),
        ("outbox_events", "platform_outbox_events", |mut t| {
            t.col(ColumnDef::new("topic").string_len(100).not_null())
                .col(ColumnDef::new("payload").text().not_null())
                .col(ColumnDef::new("traceparent").string_len(55).null())
                .col(timestamp("created_at"))
                .col(timestamp_null("published_at"))
                .col(ColumnDef::new("attempts").integer().not_null().default(0))
                .to_owned()
        }),
    ]
}

/// Foreign keys and unique indexes of a scoped table, leading with `tenant_id` in the office copy.
async fn finish_scoped(
    manager: &SchemaManager<'_>,
    base: &'static str,
    name: &'static str,
    tenant: bool,
) -> Result<(), DbErr> {
    let lead: &[&str] = if tenant { &["tenant_id"] } else { &[] };
    let unique_hash = |cols: &[&'static str]| {
        let mut index = Index::create();
        index
            .name(format!("ux_{name}_token_hash"))
            .table(name)
            .unique();
        for col in lead.iter().chain(cols) {
            index.col(*col);
        }
        index.to_owned()
    };
    match base {
        "refresh_tokens" | "one_time_tokens" => {
            manager.create_index(unique_hash(&["token_hash"])).await?;
        }
        _ => {}
    }
    let by = |index_name: String, cols: &[&'static str]| {
        let mut index = Index::create();
        index.name(index_name).table(name);
        for col in lead.iter().chain(cols) {
            index.col(*col);
        }
        index.to_owned()
    };
    match base {
        "sessions" => {
            manager
                .create_index(by(format!("ix_{name}_user"), &["user_id"]))
                .await?
        }
        "refresh_tokens" => {
            manager
                .create_index(by(format!("ix_{name}_session"), &["session_id"]))
                .await?;
        }
        "security_events" => {
            manager
                .create_index(by(format!("ix_{name}_occurred"), &["occurred_at"]))
                .await?;
        }
        "outbox_events" => {
            manager
                .create_index(by(
                    format!("ix_{name}_unpublished"),
                    &["published_at", "id"],
                ))
                .await?;
        }
        _ => {}
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Who an office's emails come from. SQLite alters one column at a time.
        for column in ["mail_from_name", "mail_from_address", "mail_reply_to"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenants")
                        .add_column(ColumnDef::new(column).string_len(254).null())
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(ColumnDef::new("id").uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new("email")
                            .string_len(254)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new("display_name").string_len(200).not_null())
                    .col(ColumnDef::new("password_hash").string_len(200).null())
                    .col(ColumnDef::new("platform_role").string_len(20).null())
                    .col(ColumnDef::new("region_code").char_len(2).null())
                    .col(
                        ColumnDef::new("status")
                            .string_len(16)
                            .not_null()
                            .default("active"),
                    )
                    .col(timestamp("created_at"))
                    .col(timestamp_null("password_changed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_region")
                            .from("users", "region_code")
                            .to("regions", "code"),
                    )
                    .check(
                        Expr::col("platform_role")
                            .is_null()
                            .or(Expr::col("platform_role")
                                .is_in(["platform_admin", "regional_admin"])),
                    )
                    .check(Expr::col("status").is_in(["active", "disabled"]))
                    .to_owned(),
            )
            .await?;

        let memberships = tenant_table("memberships")
            .col(ColumnDef::new("user_id").uuid().not_null())
            .col(ColumnDef::new("role").string_len(20).not_null())
            .col(ColumnDef::new("volunteer_id").uuid().null())
            .col(timestamp("created_at"))
            .col(ColumnDef::new("created_by").uuid().null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_memberships_user")
                    .from("memberships", "user_id")
                    .to("users", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .check(Expr::col("role").is_in(["coordinator", "volunteer"]))
            .to_owned();
        create_tenant_table(manager, "memberships", memberships).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_memberships_user_role")
                    .table("memberships")
                    .col("tenant_id")
                    .col("user_id")
                    .col("role")
                    .unique()
                    .to_owned(),
            )
            .await?;

        let invitations = tenant_table("invitations")
            .col(ColumnDef::new("email").string_len(254).not_null())
            .col(ColumnDef::new("role").string_len(20).not_null())
            .col(ColumnDef::new("volunteer_id").uuid().null())
            .col(ColumnDef::new("token_hash").char_len(64).not_null())
            .col(ColumnDef::new("invited_by").uuid().null())
            .col(timestamp("created_at"))
            .col(timestamp("expires_at"))
            .col(timestamp_null("accepted_at"))
            .col(ColumnDef::new("accepted_by").uuid().null())
            .check(Expr::col("role").is_in(["coordinator", "volunteer"]))
            .to_owned();
        create_tenant_table(manager, "invitations", invitations).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_invitations_token_hash")
                    .table("invitations")
                    .col("tenant_id")
                    .col("token_hash")
                    .unique()
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for (base, platform_name, columns) in scoped_tables() {
            // The office copy.
            let mut office = columns(tenant_table(base));
            match base {
                "sessions" | "one_time_tokens" => {
                    office.foreign_key(
                        ForeignKey::create()
                            .name(format!("fk_{base}_user"))
                            .from(base, "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    );
                }
                "refresh_tokens" => {
                    office.foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_session")
                            .from(base, ("tenant_id", "session_id"))
                            .to("sessions", ("tenant_id", "id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    );
                }
                _ => {}
            }
            create_tenant_table(manager, base, office).await?;
            finish_scoped(manager, base, base, true).await?;

            // The platform copy.
            let mut platform = columns(
                Table::create()
                    .table(platform_name)
                    .col(ColumnDef::new("id").uuid().not_null().primary_key())
                    .to_owned(),
            );
            match base {
                "sessions" | "one_time_tokens" => {
                    platform.foreign_key(
                        ForeignKey::create()
                            .name(format!("fk_{platform_name}_user"))
                            .from(platform_name, "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    );
                }
                "refresh_tokens" => {
                    platform.foreign_key(
                        ForeignKey::create()
                            .name("fk_platform_refresh_tokens_session")
                            .from(platform_name, "session_id")
                            .to("platform_sessions", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    );
                }
                _ => {}
            }
            manager.create_table(platform).await?;
            finish_scoped(manager, base, platform_name, false).await?;
            if postgres {
                db.execute_unprepared(&format!(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON {platform_name} TO {APP_ROLE};"
                ))
                .await?;
            }
        }

        // The audit log is append-only for the services.
        for table in ["security_events", "platform_security_events"] {
            if postgres {
                db.execute_unprepared(&format!(
                    "REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {APP_ROLE};"
                ))
                .await?;
            } else {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                       BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                     CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                       BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                ))
                .await?;
            }
        }
        if postgres {
            db.execute_unprepared(&format!(
                "GRANT SELECT, INSERT, UPDATE ON users TO {APP_ROLE};"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (base, platform_name, _) in scoped_tables().into_iter().rev() {
            manager
                .drop_table(Table::drop().table(platform_name).to_owned())
                .await?;
            drop_tenant_table(manager, base).await?;
        }
        drop_tenant_table(manager, "invitations").await?;
        drop_tenant_table(manager, "memberships").await?;
        manager
            .drop_table(Table::drop().table("users").to_owned())
            .await?;
        for column in ["mail_from_name", "mail_from_address", "mail_reply_to"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenants")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
