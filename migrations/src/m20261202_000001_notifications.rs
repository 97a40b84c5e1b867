//! The notifications service: one row per email a person should get (the delivery record the
//! sender checks before every send, so a redelivered job never mails anyone twice), the failed
//! attempts behind it, addresses that bounced hard, people's choices of what mail they want and
//! how often, and coordinators' broadcasts. Deliveries and their attempts exist for an office
//! (tenant tables, RLS) and for the platform (mail to platform and regional admins).

use lacznik_config::APP_ROLE;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::columns::{at, at_null, text, text_null};

use crate::m20261123_000004_volunteer_profile::unique_in_office;
use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUSES: [&str; 9] = [
    "queued",
    "held",
    "sending",
    "sent",
    "retrying",
    "failed",
    "suppressed",
    "skipped",
    "bundled",
];

/// The columns of a delivery, after the key.
fn delivery(mut t: TableCreateStatement) -> TableCreateStatement {
    t.col(ColumnDef::new("event_id").uuid().not_null())
        .col(text("recipient", 254))
        .col(text("recipient_name", 200))
        .col(text("locale", 8))
        .col(text("template", 40))
        .col(text("category", 20))
        .col(ColumnDef::new("tier").small_integer().not_null())
        .col(text("status", 12))
        .col(ColumnDef::new("attempts").integer().not_null().default(0))
        .col(ColumnDef::new("last_error").text().null())
        // The email request as the producer wrote it (template values, link, office).
        .col(ColumnDef::new("payload").text().not_null())
        .col(text("message_id", 200))
        .col(at("created_at"))
        .col(at("updated_at"))
        .col(at_null("next_attempt_at"))
        // A sender holds the delivery until then; after it, another may take it over.
        .col(at_null("lease_until"))
        // When the send job was last put on the queue (the reconciler re-queues lost jobs).
        .col(at_null("enqueued_at"))
        .col(at_null("sent_at"))
        .col(ColumnDef::new("resend_of").uuid().null())
        .col(ColumnDef::new("broadcast_id").uuid().null())
        // The daily digest a held delivery went out in.
        .col(ColumnDef::new("bundled_into").uuid().null())
        // W3C trace context of the request that caused the mail, so the send joins its trace.
        .col(text_null("traceparent", 55))
        .check(Expr::col("status").is_in(STATUSES))
        .to_owned()
}

fn attempt(mut t: TableCreateStatement) -> TableCreateStatement {
    t.col(ColumnDef::new("delivery_id").uuid().not_null())
        .col(ColumnDef::new("attempt").integer().not_null())
        .col(at("at"))
        .col(text("outcome", 12))
        .col(ColumnDef::new("detail").text().not_null())
        .check(Expr::col("outcome").is_in(["temporary", "permanent"]))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;

        // The office copies.
        create_tenant_table(manager, "deliveries", delivery(tenant_table("deliveries"))).await?;
        let mut attempts = attempt(tenant_table("delivery_attempts"));
        attempts.foreign_key(
            ForeignKey::create()
                .name("fk_delivery_attempts_delivery")
                .from("delivery_attempts", ("tenant_id", "delivery_id"))
                .to("deliveries", ("tenant_id", "id"))
                .on_delete(ForeignKeyAction::Cascade),
        );
        create_tenant_table(manager, "delivery_attempts", attempts).await?;

        // The platform copies.
        let key = |name: &'static str| {
            Table::create()
                .table(name)
                .col(ColumnDef::new("id").uuid().not_null().primary_key())
                .to_owned()
        };
        manager
            .create_table(delivery(key("platform_deliveries")))
            .await?;
        let mut platform_attempts = attempt(key("platform_delivery_attempts"));
        platform_attempts.foreign_key(
            ForeignKey::create()
                .name("fk_platform_delivery_attempts_delivery")
                .from("platform_delivery_attempts", "delivery_id")
                .to("platform_deliveries", "id")
                .on_delete(ForeignKeyAction::Cascade),
        );
        manager.create_table(platform_attempts).await?;

        for (table, tenant) in [("deliveries", true), ("platform_deliveries", false)] {
            let lead: &[&'static str] = if tenant { &["tenant_id"] } else { &[] };
            let index = |name: String, cols: &[&'static str], unique: bool| {
                let mut index = Index::create();
                index.name(name).table(table);
                if unique {
                    index.unique();
                }
                for col in lead.iter().chain(cols) {
                    index.col(*col);
                }
                index.to_owned()
            };
            // One delivery per event and recipient: ingesting an event twice adds nothing.
            manager
                .create_index(index(
                    format!("ux_{table}_event_recipient"),
                    &["event_id", "recipient"],
                    true,
                ))
                .await?;
            // What still waits to be sent (the reconciler, digests, the log by status): partial,
            // so the row versions of sent mail — most of them — add nothing to it. Every update
            // of a delivery changes its status, so none is a HOT update: each index costs an
            // entry per update, and a delivery is updated twice (claimed, then recorded).
            let lead_sql = if tenant { "tenant_id, " } else { "" };
            db.execute_unprepared(&format!(
                "CREATE INDEX ix_{table}_waiting ON {table} ({lead_sql}status, next_attempt_at) \
                 WHERE status IN ('queued', 'retrying', 'sending', 'held')"
            ))
            .await?;
            manager
                .create_index(index(
                    format!("ix_{table}_recipient"),
                    &["recipient"],
                    false,
                ))
                .await?;
        }
        for (table, tenant) in [
            ("delivery_attempts", true),
            ("platform_delivery_attempts", false),
        ] {
            let mut index = Index::create();
            index.name(format!("ix_{table}_delivery")).table(table);
            if tenant {
                index.col("tenant_id");
            }
            manager
                .create_index(index.col("delivery_id").to_owned())
                .await?;
        }

        // Addresses mail must not go to: hard bounces, or a coordinator's decision.
        create_tenant_table(
            manager,
            "suppressions",
            tenant_table("suppressions")
                .col(text("address", 254))
                .col(text("reason", 20))
                .col(ColumnDef::new("detail").text().not_null())
                .col(at("created_at"))
                .check(Expr::col("reason").is_in(["hard_bounce", "manual"]))
                .to_owned(),
        )
        .await?;
        manager
            .create_index(unique_in_office("suppressions", "address"))
            .await?;

        // What mail a person wants, per kind, and how often.
        create_tenant_table(
            manager,
            "notification_preferences",
            tenant_table("notification_preferences")
                .col(text("address", 254))
                .col(text("category", 20))
                .col(text("frequency", 10))
                .col(at("updated_at"))
                .col(text("changed_by", 10))
                .check(Expr::col("frequency").is_in(["instant", "daily", "off"]))
                .check(Expr::col("changed_by").is_in(["link", "portal", "coordinator"]))
                .to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_preferences_address_category")
                    .table("notification_preferences")
                    .col("tenant_id")
                    .col("address")
                    .col("category")
                    .unique()
                    .to_owned(),
            )
            .await?;

        // A coordinator's message to the office's volunteers (winter alert, a closing day).
        create_tenant_table(
            manager,
            "broadcasts",
            tenant_table("broadcasts")
                .col(text("subject", 150))
                .col(ColumnDef::new("body").text().not_null())
                .col(ColumnDef::new("audience").text().not_null())
                .col(ColumnDef::new("recipients").integer().not_null())
                .col(ColumnDef::new("created_by").uuid().not_null())
                .col(at("created_at"))
                .to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_broadcasts_created")
                    .table("broadcasts")
                    .col("tenant_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;

        if postgres {
            db.execute_unprepared(&format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON platform_deliveries TO {APP_ROLE};
                 GRANT SELECT, INSERT, UPDATE, DELETE ON platform_delivery_attempts TO {APP_ROLE};"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["platform_delivery_attempts", "platform_deliveries"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for table in [
            "broadcasts",
            "notification_preferences",
            "suppressions",
            "delivery_attempts",
            "deliveries",
        ] {
            drop_tenant_table(manager, table).await?;
        }
        Ok(())
    }
}
