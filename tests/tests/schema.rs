//! The schema rules of DESIGN.md, checked on the live catalogue of a migrated database:
//! every tenant table has RLS enabled and forced with the one policy, keys that lead with
//! `tenant_id`, and the app role can neither bypass RLS nor own a table.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use lacznik_testkit::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Tables that belong to no office: reference data, the tenant registry itself (the gateway
/// must read hosts before any tenant is known), people (one account may work for several
/// offices), and the `platform_…` twins of sessions, links, audit log, outbox and email
/// deliveries used by platform and regional admins, who act for no office.
const PLATFORM_TABLES: [&str; 12] = [
    "regions",
    "tenants",
    "tenant_hosts",
    "seaql_migrations",
    "users",
    "platform_sessions",
    "platform_refresh_tokens",
    "platform_one_time_tokens",
    "platform_security_events",
    "platform_outbox_events",
    "platform_deliveries",
    "platform_delivery_attempts",
];

async fn strings(db: &impl ConnectionTrait, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

#[tokio::test]
async fn every_tenant_table_is_isolated_and_citus_ready() {
    let db = TestDb::new().await;
    let admin = db.admin().await;
    let tables = strings(
        &admin,
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .await;
    let tenant_tables = strings(
        &admin,
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r','p')
           AND a.attname = 'tenant_id' AND NOT a.attisdropped ORDER BY 1",
    )
    .await;
    assert!(tenant_tables.contains(&"volunteers".to_owned()));

    for table in &tables {
        assert!(
            PLATFORM_TABLES.contains(&table.as_str()) || tenant_tables.contains(table),
            "table {table} is neither a platform table nor tenant-scoped"
        );
    }

    for table in tenant_tables
        .iter()
        .filter(|t| !PLATFORM_TABLES.contains(&t.as_str()))
    {
        let flags = strings(
            &admin,
            &format!(
                "SELECT (relrowsecurity AND relforcerowsecurity)::text FROM pg_class
                 WHERE oid = 'public.{table}'::regclass"
            ),
        )
        .await;
        assert_eq!(flags, ["true"], "{table}: RLS must be enabled and forced");

        let policies = strings(
            &admin,
            &format!(
                "SELECT coalesce(qual, '') || ' | ' || coalesce(with_check, '') FROM pg_policies
                 WHERE schemaname = 'public' AND tablename = '{table}' AND roles = '{{public}}'"
            ),
        )
        .await;
        assert_eq!(
            policies.len(),
            1,
            "{table}: exactly one policy, found {policies:?}"
        );
        // Any other policy is the outbox relay's, on the outbox, or the statistics reader's, on
        // the rollups, each for its role alone.
        let others = strings(
            &admin,
            &format!(
                "SELECT policyname::text || ' ' || array_to_string(roles, ',') FROM pg_policies
                 WHERE schemaname = 'public' AND tablename = '{table}' AND roles <> '{{public}}'"
            ),
        )
        .await;
        if table == "outbox_events" {
            assert_eq!(
                others,
                ["relay_reads lacznik_relay", "relay_marks lacznik_relay"],
                "{table}"
            );
        } else if table == "stats_rollups" {
            assert_eq!(others, ["stats_reads lacznik_stats"], "{table}");
        } else {
            assert!(others.is_empty(), "{table}: unexpected policies {others:?}");
        }
        let (using, check) = policies[0].split_once(" | ").unwrap();
        for expr in [using, check] {
            assert!(
                expr.contains("tenant_id") && expr.contains("current_setting('app.tenant_id'"),
                "{table}: policy must compare tenant_id with app.tenant_id, got {expr}"
            );
        }

        let pk_first = strings(
            &admin,
            &format!(
                "SELECT a.attname::text FROM pg_constraint k
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                 WHERE k.conrelid = 'public.{table}'::regclass AND k.contype = 'p'"
            ),
        )
        .await;
        assert_eq!(
            pk_first,
            ["tenant_id"],
            "{table}: primary key must start with tenant_id"
        );

        // A reference to a platform table (a person's account) cannot carry tenant_id;
        // Citus keeps such tables as reference tables on every node.
        let platform = PLATFORM_TABLES
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let fks_without_tenant = strings(
            &admin,
            &format!(
                "SELECT k.conname::text FROM pg_constraint k
                 WHERE k.conrelid = 'public.{table}'::regclass AND k.contype = 'f'
                   AND k.confrelid::regclass::text NOT IN ({platform})
                   AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                   WHERE a.attrelid = k.conrelid AND a.attname = 'tenant_id'
                                     AND a.attnum = ANY (k.conkey))"
            ),
        )
        .await;
        assert!(
            fks_without_tenant.is_empty(),
            "{table}: foreign keys without tenant_id: {fks_without_tenant:?}"
        );

        let unique_not_leading = strings(
            &admin,
            &format!(
                "SELECT i.indexrelid::regclass::text FROM pg_index i
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                 WHERE i.indrelid = 'public.{table}'::regclass AND i.indisunique AND a.attname <> 'tenant_id'"
            ),
        )
        .await;
        assert!(
            unique_not_leading.is_empty(),
            "{table}: unique indexes must lead with tenant_id: {unique_not_leading:?}"
        );
    }
}

#[tokio::test]
async fn the_app_role_cannot_bypass_rls_and_owns_nothing() {
    let db = TestDb::new().await;
    let admin = db.admin().await;
    let role = strings(
        &admin,
        "SELECT (rolsuper::text || ',' || rolbypassrls::text || ',' || rolcreaterole::text)
         FROM pg_roles WHERE rolname = 'lacznik_app'",
    )
    .await;
    assert_eq!(role, ["false,false,false"]);
    let owned = strings(
        &admin,
        "SELECT c.relname::text FROM pg_class c
         WHERE c.relowner = 'lacznik_app'::regrole AND c.relnamespace = 'public'::regnamespace",
    )
    .await;
    assert!(owned.is_empty(), "lacznik_app owns {owned:?}");
    let owners = strings(
        &admin,
        "SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    assert_eq!(owners, ["lacznik_owner"]);
}

#[tokio::test]
async fn the_security_log_is_append_only_for_the_app_role() {
    let db = TestDb::new().await;
    let admin = db.admin().await;
    for table in ["security_events", "platform_security_events"] {
        let rights = strings(
            &admin,
            &format!(
                "SELECT string_agg(p || '=' || has_table_privilege('lacznik_app', '{table}', p)::text, ',' ORDER BY p)
                 FROM unnest(ARRAY['DELETE','INSERT','SELECT','TRUNCATE','UPDATE']) AS p"
            ),
        )
        .await;
        assert_eq!(
            rights,
            ["DELETE=false,INSERT=true,SELECT=true,TRUNCATE=false,UPDATE=false"],
            "{table}"
        );
    }
}
