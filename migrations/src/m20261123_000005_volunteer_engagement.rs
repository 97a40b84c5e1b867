//! A volunteer's engagement with the office, as Polish law shapes it: the public sign-up with
//! its email verification, consents (the volunteer's own, and a guardian's for a minor),
//! assignments the needs service books (checked against the rules before they are kept),
//! agreements (porozumienia) from office templates, accident insurance (NNW), hours, and issued
//! certificates (zaświadczenia).

use sea_orm_migration::prelude::*;

use crate::columns::{at, at_null};

use crate::m20261123_000004_volunteer_profile::{by_volunteer, unique_in_office, volunteer_fk};
use crate::{create_tenant_table, drop_tenant_table, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Newest last, so `down` drops in reverse.
const TABLES: [&str; 9] = [
    "volunteer_applications",
    "volunteer_consents",
    "guardian_consent_requests",
    "volunteer_assignments",
    "agreement_templates",
    "volunteer_agreements",
    "volunteer_insurance",
    "volunteer_hours",
    "volunteer_certificates",
];

fn volunteer_id() -> ColumnDef {
    ColumnDef::new("volunteer_id").uuid().not_null().to_owned()
}

fn definition(table: &'static str) -> TableCreateStatement {
    let mut t = tenant_table(table);
    match table {
        // Filled in by someone without an account; becomes a volunteer once the email is
        // confirmed. Only a hash of the confirmation secret is kept.
        "volunteer_applications" => t
            .col(ColumnDef::new("email").string_len(254).not_null())
            .col(ColumnDef::new("details").text().not_null())
            .col(ColumnDef::new("token_hash").string_len(64).not_null())
            .col(at("expires_at"))
            .col(at_null("confirmed_at"))
            .col(ColumnDef::new("volunteer_id").uuid().null())
            .col(ColumnDef::new("client_ip").string_len(45).null())
            .col(at("created_at"))
            .to_owned(),
        // Consents as given: what (kind and wording version), who, when, from where.
        "volunteer_consents" => t
            .col(volunteer_id())
            .col(ColumnDef::new("kind").string_len(32).not_null())
            .col(ColumnDef::new("wording").string_len(32).not_null())
            .col(ColumnDef::new("given_by").string_len(200).not_null())
            .col(ColumnDef::new("given_by_email").string_len(254).null())
            .col(at("given_at"))
            .col(ColumnDef::new("client_ip").string_len(45).null())
            .col(ColumnDef::new("user_agent").string_len(300).null())
            .col(at_null("withdrawn_at"))
            .foreign_key(&mut volunteer_fk("volunteer_consents"))
            .to_owned(),
        "guardian_consent_requests" => t
            .col(volunteer_id())
            .col(ColumnDef::new("guardian_name").string_len(200).not_null())
            .col(ColumnDef::new("guardian_email").string_len(254).not_null())
            .col(ColumnDef::new("token_hash").string_len(64).not_null())
            .col(at("expires_at"))
            .col(at_null("confirmed_at"))
            .col(at("created_at"))
            .foreign_key(&mut volunteer_fk("guardian_consent_requests"))
            .to_owned(),
        // The id is the needs service's assignment id.
        "volunteer_assignments" => t
            .col(volunteer_id())
            .col(ColumnDef::new("need_id").uuid().null())
            .col(ColumnDef::new("beneficiary_id").uuid().null())
            .col(ColumnDef::new("title").string_len(200).not_null())
            .col(ColumnDef::new("kind").string_len(40).not_null())
            .col(at("starts_at"))
            .col(at("ends_at"))
            .col(ColumnDef::new("child_related").boolean().not_null())
            .col(ColumnDef::new("adults_only").boolean().not_null())
            .col(ColumnDef::new("status").string_len(16).not_null())
            .col(ColumnDef::new("created_by").uuid().null())
            .col(at("created_at"))
            .foreign_key(&mut volunteer_fk("volunteer_assignments"))
            .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
            .to_owned(),
        "agreement_templates" => t
            .col(ColumnDef::new("title").string_len(200).not_null())
            // JSON array of paragraphs; the termination clause is kept apart so it cannot be
            // left out.
            .col(ColumnDef::new("clauses").text().not_null())
            .col(ColumnDef::new("termination_clause").text().not_null())
            .col(at("created_at"))
            .to_owned(),
        // The agreement keeps a copy of the template's wording as signed.
        "volunteer_agreements" => t
            .col(volunteer_id())
            .col(ColumnDef::new("number").string_len(40).not_null())
            .col(ColumnDef::new("title").string_len(200).not_null())
            .col(ColumnDef::new("clauses").text().not_null())
            .col(ColumnDef::new("scope").text().not_null())
            .col(ColumnDef::new("starts_on").date().not_null())
            .col(ColumnDef::new("ends_on").date().null())
            .col(ColumnDef::new("signed_on").date().null())
            .col(ColumnDef::new("created_by").uuid().not_null())
            .col(at("created_at"))
            .foreign_key(&mut volunteer_fk("volunteer_agreements"))
            .to_owned(),
        "volunteer_insurance" => t
            .col(volunteer_id())
            .col(ColumnDef::new("insurer").string_len(200).not_null())
            .col(ColumnDef::new("policy_number").string_len(60).not_null())
            .col(ColumnDef::new("valid_from").date().not_null())
            .col(ColumnDef::new("valid_until").date().not_null())
            .col(ColumnDef::new("recorded_by").uuid().not_null())
            .col(at("recorded_at"))
            .foreign_key(&mut volunteer_fk("volunteer_insurance"))
            .to_owned(),
        "volunteer_hours" => t
            .col(volunteer_id())
            .col(ColumnDef::new("assignment_id").uuid().null())
            .col(ColumnDef::new("worked_on").date().not_null())
            .col(ColumnDef::new("minutes").integer().not_null())
            .col(ColumnDef::new("description").string_len(500).null())
            .col(ColumnDef::new("source").string_len(16).not_null())
            .col(ColumnDef::new("status").string_len(16).not_null())
            .col(ColumnDef::new("decided_by").uuid().null())
            .col(at_null("decided_at"))
            .col(at("created_at"))
            .foreign_key(&mut volunteer_fk("volunteer_hours"))
            .check(Expr::col("minutes").gt(0))
            .to_owned(),
        _ => t
            .col(volunteer_id())
            .col(ColumnDef::new("number").string_len(40).not_null())
            .col(ColumnDef::new("period_from").date().not_null())
            .col(ColumnDef::new("period_to").date().not_null())
            .col(ColumnDef::new("minutes").integer().not_null())
            .col(ColumnDef::new("scope").text().not_null())
            .col(ColumnDef::new("opinion").text().null())
            .col(ColumnDef::new("signatory").string_len(200).not_null())
            .col(ColumnDef::new("issued_by").uuid().not_null())
            .col(at("issued_at"))
            .foreign_key(&mut volunteer_fk("volunteer_certificates"))
            .to_owned(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            create_tenant_table(manager, table, definition(table)).await?;
            if table != "volunteer_applications" && table != "agreement_templates" {
                manager.create_index(by_volunteer(table)).await?;
            }
        }
        // Matching reads an office's work from a week before the need on.
        manager
            .create_index(
                Index::create()
                    .name("ix_volunteer_assignments_ends_at")
                    .table("volunteer_assignments")
                    .col("tenant_id")
                    .col("ends_at")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("volunteer_applications", "token_hash"),
            ("guardian_consent_requests", "token_hash"),
            ("volunteer_agreements", "number"),
            ("volunteer_certificates", "number"),
        ] {
            manager
                .create_index(unique_in_office(table, column))
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
