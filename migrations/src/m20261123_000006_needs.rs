//! The needs service: the people helped (beneficiaries, with a log of every read of their
//! record), partner institutions, needs with their lifecycle, offers to volunteers with their
//! single-use answer links, assignments and the visits of long-term pairings, and actions
//! (collections, distributions, festivals) with shifts, sign-ups, class registrations and
//! tallies.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::columns::{at, at_null, text, text_null, uuid, uuid_null};

use crate::m20261123_000004_volunteer_profile::unique_in_office;
use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Newest last, so `down` drops in reverse (children after parents).
const TABLES: [&str; 13] = [
    "partners",
    "beneficiaries",
    "beneficiary_reads",
    "needs",
    "need_status_changes",
    "offers",
    "need_assignments",
    "visits",
    "actions",
    "shifts",
    "signup_groups",
    "shift_signups",
    "action_tallies",
];

/// `(tenant_id, column)` → `(tenant_id, id)` of `target`.
fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, ("tenant_id", column))
        .to(target, ("tenant_id", "id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// An index on `(tenant_id, column)`.
fn by(table: &'static str, column: &'static str) -> IndexCreateStatement {
    Index::create()
        .name(format!("ix_{table}_{column}"))
        .table(table)
        .col("tenant_id")
        .col(column)
        .to_owned()
}

fn definition(table: &'static str) -> TableCreateStatement {
    let mut t = tenant_table(table);
    match table {
        // Schools, parishes, NGOs, Caritas, day-care centres: they post needs through a
        // coordinator and are credited in statistics.
        "partners" => t
            .col(text("name", 200))
            .col(text("kind", 20))
            .col(text_null("contact_name", 200))
            .col(text_null("phone", 30))
            .col(text_null("email", 254))
            .col(text_null("street_address", 200))
            .col(text_null("district", 40))
            .col(at("created_at"))
            .to_owned(),
        // Special-category data under RODO: only what the help needs — no health record, no
        // PESEL; the note is for need-to-know facts ("3. piętro bez windy", "słabo słyszy").
        "beneficiaries" => t
            .col(text("first_name", 100))
            .col(text("last_name", 100))
            .col(text_null("phone", 30))
            .col(text_null("street_address", 200))
            .col(text_null("district", 40))
            .col(text_null("note", 500))
            .col(uuid_null("partner_id"))
            .col(uuid("created_by"))
            .col(at("created_at"))
            .col(at("updated_at"))
            .col(at_null("anonymised_at"))
            .foreign_key(&mut fk("beneficiaries", "partner_id", "partners"))
            .to_owned(),
        // Who read a beneficiary's record, when and why (append-only).
        "beneficiary_reads" => t
            .col(uuid("beneficiary_id"))
            .col(uuid("reader"))
            .col(text("role", 20))
            .col(text("purpose", 200))
            .col(text("view", 16))
            .col(at("read_at"))
            .foreign_key(&mut fk(
                "beneficiary_reads",
                "beneficiary_id",
                "beneficiaries",
            ))
            .to_owned(),
        "needs" => t
            .col(text("kind", 40))
            .col(text("title", 200))
            .col(ColumnDef::new("description").text().not_null())
            .col(uuid_null("beneficiary_id"))
            .col(uuid_null("partner_id"))
            .col(text_null("district", 40))
            .col(text_null("street_address", 200))
            // One-off: a start and an end. Recurring: weekly slots (JSON) over a period.
            .col(at_null("starts_at"))
            .col(at_null("ends_at"))
            .col(ColumnDef::new("weekly").text().null())
            .col(ColumnDef::new("period_from").date().null())
            .col(ColumnDef::new("period_until").date().null())
            .col(ColumnDef::new("wanted").small_integer().not_null())
            .col(ColumnDef::new("skills").text().not_null())
            .col(ColumnDef::new("languages").text().not_null())
            .col(ColumnDef::new("adults_only").boolean().not_null())
            .col(ColumnDef::new("child_check_required").boolean().not_null())
            .col(text("urgency", 16))
            // Art. 45: what the volunteer must know about risks to health and safety.
            .col(ColumnDef::new("safety_info").text().null())
            .col(ColumnDef::new("auto_offer").boolean().not_null())
            .col(text("status", 16))
            .col(uuid("created_by"))
            .col(at("created_at"))
            .col(at("updated_at"))
            .foreign_key(&mut fk("needs", "beneficiary_id", "beneficiaries"))
            .foreign_key(&mut fk("needs", "partner_id", "partners"))
            .check(Expr::col("wanted").gt(0))
            .to_owned(),
        "need_status_changes" => t
            .col(uuid("need_id"))
            .col(text_null("from_status", 16))
            .col(text("to_status", 16))
            .col(text_null("reason", 500))
            .col(uuid_null("changed_by"))
            .col(at("changed_at"))
            .foreign_key(&mut fk("need_status_changes", "need_id", "needs"))
            .to_owned(),
        // Only a hash of the answer link's secret is kept.
        "offers" => t
            .col(uuid("need_id"))
            .col(uuid("volunteer_id"))
            .col(text("token_hash", 64))
            .col(text("status", 16))
            .col(ColumnDef::new("automatic").boolean().not_null())
            .col(at("expires_at"))
            .col(uuid_null("offered_by"))
            .col(at("offered_at"))
            .col(at_null("answered_at"))
            .foreign_key(&mut fk("offers", "need_id", "needs"))
            .to_owned(),
        // A volunteer's part in a need; its id is also the booking's id in the volunteers
        // service (one-off), or the pairing whose visits are booked one by one (recurring).
        "need_assignments" => t
            .col(uuid("need_id"))
            .col(uuid("volunteer_id"))
            .col(uuid_null("offer_id"))
            .col(at("starts_at"))
            .col(at("ends_at"))
            .col(text("status", 16))
            .col(at_null("checked_in_at"))
            .col(at_null("checked_out_at"))
            .col(ColumnDef::new("minutes").integer().null())
            .col(uuid_null("completed_by"))
            .col(ColumnDef::new("volunteer_rating").small_integer().null())
            .col(ColumnDef::new("volunteer_feedback").text().null())
            .col(ColumnDef::new("beneficiary_rating").small_integer().null())
            .col(ColumnDef::new("beneficiary_feedback").text().null())
            .col(text_null("end_reason", 500))
            // JSON list of reminder leads (minutes) already announced.
            .col(ColumnDef::new("reminders").text().not_null())
            .col(at("created_at"))
            .col(at("updated_at"))
            .foreign_key(&mut fk("need_assignments", "need_id", "needs"))
            .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
            .to_owned(),
        // A planned visit of a long-term pairing; its id is the booking's id.
        "visits" => t
            .col(uuid("assignment_id"))
            .col(at("starts_at"))
            .col(at("ends_at"))
            .col(text("status", 16))
            .col(ColumnDef::new("minutes").integer().null())
            .col(ColumnDef::new("note").text().null())
            .col(ColumnDef::new("concern").boolean().not_null())
            .col(uuid_null("recorded_by"))
            .col(at_null("recorded_at"))
            // JSON list of reminder leads (minutes) already announced.
            .col(ColumnDef::new("reminders").text().not_null())
            .foreign_key(&mut fk("visits", "assignment_id", "need_assignments"))
            .to_owned(),
        "actions" => t
            .col(text("title", 200))
            .col(text("kind", 30))
            .col(ColumnDef::new("description").text().null())
            .col(text_null("place", 200))
            .col(uuid_null("partner_id"))
            .col(ColumnDef::new("starts_on").date().not_null())
            .col(ColumnDef::new("ends_on").date().not_null())
            .col(text("status", 16))
            .col(uuid("created_by"))
            .col(at("created_at"))
            .foreign_key(&mut fk("actions", "partner_id", "partners"))
            .to_owned(),
        "shifts" => t
            .col(uuid("action_id"))
            .col(text_null("place", 200))
            .col(at("starts_at"))
            .col(at("ends_at"))
            .col(ColumnDef::new("capacity").integer().not_null())
            .col(ColumnDef::new("adults_only").boolean().not_null())
            .col(at("created_at"))
            .foreign_key(&mut fk("shifts", "action_id", "actions"))
            .check(Expr::col("capacity").gt(0))
            .to_owned(),
        // A school class registered by its teacher.
        "signup_groups" => t
            .col(uuid("shift_id"))
            .col(uuid_null("partner_id"))
            .col(text("name", 100))
            .col(text("teacher_name", 200))
            .col(text_null("teacher_email", 254))
            .col(uuid("registered_by"))
            .col(at("created_at"))
            .foreign_key(&mut fk("signup_groups", "shift_id", "shifts"))
            .to_owned(),
        "shift_signups" => t
            .col(uuid("shift_id"))
            .col(uuid_null("volunteer_id"))
            .col(uuid_null("group_id"))
            .col(text("first_name", 100))
            .col(text("last_name", 100))
            .col(ColumnDef::new("birth_date").date().not_null())
            .col(text_null("guardian_name", 200))
            .col(at_null("guardian_consent_at"))
            .col(text("status", 16))
            .col(ColumnDef::new("position").integer().not_null())
            .col(at_null("checked_in_at"))
            .col(uuid_null("registered_by"))
            .col(at("created_at"))
            .foreign_key(&mut fk("shift_signups", "shift_id", "shifts"))
            .foreign_key(&mut fk("shift_signups", "group_id", "signup_groups"))
            .to_owned(),
        _ => t
            .col(uuid("action_id"))
            .col(uuid_null("shift_id"))
            .col(text("measure", 20))
            .col(ColumnDef::new("amount").double().not_null())
            .col(text_null("note", 200))
            .col(uuid("recorded_by"))
            .col(at("recorded_at"))
            .foreign_key(&mut fk("action_tallies", "action_id", "actions"))
            .check(Expr::col("amount").gte(0))
            .to_owned(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            create_tenant_table(manager, table, definition(table)).await?;
        }
        for (table, column) in [
            ("beneficiary_reads", "beneficiary_id"),
            ("needs", "status"),
            ("need_status_changes", "need_id"),
            ("offers", "need_id"),
            ("offers", "volunteer_id"),
            ("need_assignments", "need_id"),
            ("need_assignments", "volunteer_id"),
            ("need_assignments", "starts_at"),
            ("visits", "assignment_id"),
            ("visits", "starts_at"),
            ("shifts", "action_id"),
            ("shift_signups", "shift_id"),
            ("action_tallies", "action_id"),
        ] {
            manager.create_index(by(table, column)).await?;
        }
        manager
            .create_index(unique_in_office("offers", "token_hash"))
            .await?;
        // The access log is evidence for the data subject: the services add to it, never
        // change it.
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "REVOKE UPDATE, DELETE, TRUNCATE ON beneficiary_reads FROM {};",
                lacznik_config::APP_ROLE
            ))
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE TRIGGER beneficiary_reads_no_update BEFORE UPDATE ON beneficiary_reads
                   BEGIN SELECT RAISE(ABORT, 'beneficiary_reads is append-only'); END;
                 CREATE TRIGGER beneficiary_reads_no_delete BEFORE DELETE ON beneficiary_reads
                   BEGIN SELECT RAISE(ABORT, 'beneficiary_reads is append-only'); END;",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.into_iter().rev() {
            drop_tenant_table(manager, table).await?;
        }
        Ok(())
    }
}
