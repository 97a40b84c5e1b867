//! People (`users`, a platform table: one person, one account, possibly in several offices)
//! and their roles in an office (`memberships`, a tenant table).

use chrono::{DateTime, Utc};
use lacznik_auth::Role;
use lacznik_tenancy::Scope;
use lacznik_types::TenantId;
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

use lacznik_tenancy::sql::{Query, get, insert, insert_into};

/// A person with an account.
#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    /// `platform_admin` or `regional_admin`.
    pub platform_role: Option<Role>,
    /// A regional admin's voivodeship; none means all.
    pub region_code: Option<String>,
    pub active: bool,
    pub password_changed_at: Option<DateTime<Utc>>,
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, platform_role, region_code, status, password_changed_at";

fn user(row: &QueryResult) -> Result<User, DbErr> {
    let platform_role: Option<String> = get(row, "platform_role")?;
    let platform_role = platform_role
        .as_deref()
        .and_then(Role::parse)
        .filter(|r| matches!(r, Role::PlatformAdmin | Role::RegionalAdmin));
    Ok(User {
        id: get(row, "id")?,
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        password_hash: get(row, "password_hash")?,
        platform_role,
        region_code: get(row, "region_code")?,
        active: get::<String>(row, "status")? == "active",
        password_changed_at: get(row, "password_changed_at")?,
    })
}

/// Emails are compared lower-cased and trimmed.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<User>, DbErr> {
    Query::new(format!("SELECT {USER_COLUMNS} FROM users WHERE email = "))
        .bind(normalize_email(email))
        .one(conn)
        .await?
        .map(|row| user(&row))
        .transpose()
}

pub async fn find_by_id(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<User>, DbErr> {
    Query::new(format!("SELECT {USER_COLUMNS} FROM users WHERE id = "))
        .bind(id)
        .one(conn)
        .await?
        .map(|row| user(&row))
        .transpose()
}

/// A new account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: Option<String>,
    pub platform_role: Option<Role>,
    pub region_code: Option<&'a str>,
}

pub async fn insert_user(conn: &impl ConnectionTrait, new: NewUser<'_>) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let role = new.platform_role.map(Role::as_str);
    let changed = new.password_hash.as_ref().map(|_| now);
    insert_into(
        "users",
        vec![
            ("id", id.into()),
            ("email", normalize_email(new.email).into()),
            ("display_name", new.display_name.trim().to_owned().into()),
            ("password_hash", new.password_hash.into()),
            ("platform_role", role.map(str::to_owned).into()),
            ("region_code", new.region_code.map(str::to_owned).into()),
            ("status", "active".to_owned().into()),
            ("created_at", now.into()),
            ("password_changed_at", changed.into()),
        ],
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn set_password(
    conn: &impl ConnectionTrait,
    id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Query::new("UPDATE users SET password_hash = ")
        .bind(hash.to_owned())
        .sql(", password_changed_at = ")
        .bind(now)
        .sql(" WHERE id = ")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Re-hashes a password whose hash used older parameters (same password, no session change).
pub async fn upgrade_hash(conn: &impl ConnectionTrait, id: Uuid, hash: &str) -> Result<(), DbErr> {
    Query::new("UPDATE users SET password_hash = ")
        .bind(hash.to_owned())
        .sql(" WHERE id = ")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A stored office role (the schema allows only `coordinator` and `volunteer`).
pub(crate) fn office_role(name: &str) -> Role {
    match Role::parse(name) {
        Some(Role::Coordinator) => Role::Coordinator,
        _ => Role::Volunteer,
    }
}

/// A person's role in an office.
#[derive(Clone, Debug)]
pub struct Membership {
    pub role: Role,
    pub volunteer_id: Option<Uuid>,
}

/// The roles of `user` in `tenant` (on a transaction bound to that office).
pub async fn memberships(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    user: Uuid,
) -> Result<Vec<Membership>, DbErr> {
    let rows = Query::new("SELECT role, volunteer_id FROM memberships WHERE user_id = ")
        .bind(user)
        .in_scope(Scope::Office(tenant), "")
        .sql(" ORDER BY role")
        .all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Membership {
                role: office_role(&get::<String>(row, "role")?),
                volunteer_id: get(row, "volunteer_id")?,
            })
        })
        .collect()
}

/// Gives `user` a role in `tenant`; a repeated grant keeps one row (and fills in the volunteer
/// profile if it was missing).
pub async fn grant(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    user: Uuid,
    role: Role,
    volunteer_id: Option<Uuid>,
    granted_by: Option<Uuid>,
) -> Result<(), DbErr> {
    insert(
        Scope::Office(tenant),
        "memberships",
        vec![
            ("id", Uuid::now_v7().into()),
            ("user_id", user.into()),
            ("role", role.as_str().into()),
            ("volunteer_id", volunteer_id.into()),
            ("created_at", Utc::now().into()),
            ("created_by", granted_by.into()),
        ],
    )
    .sql(
        " ON CONFLICT (tenant_id, user_id, role) DO UPDATE SET volunteer_id = \
         COALESCE(memberships.volunteer_id, excluded.volunteer_id)",
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// A person with their roles in an office.
#[derive(Clone, Debug)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub volunteer_id: Option<Uuid>,
}

/// Everyone with a role in `tenant`, by name.
pub async fn members(conn: &impl ConnectionTrait, tenant: TenantId) -> Result<Vec<Member>, DbErr> {
    let rows = Query::new(
        "SELECT m.user_id, m.role, m.volunteer_id, u.email, u.display_name \
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE 1 = 1",
    )
    .in_scope(Scope::Office(tenant), "m.")
    .sql(" ORDER BY u.display_name, m.role")
    .all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Member {
                user_id: get(row, "user_id")?,
                email: get(row, "email")?,
                display_name: get(row, "display_name")?,
                role: office_role(&get::<String>(row, "role")?),
                volunteer_id: get(row, "volunteer_id")?,
            })
        })
        .collect()
}

/// Takes `role` in `tenant` away from `user`; `false` if they did not have it.
pub async fn revoke_role(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    user: Uuid,
    role: Role,
) -> Result<bool, DbErr> {
    Ok(Query::new("DELETE FROM memberships WHERE user_id = ")
        .bind(user)
        .sql(" AND role = ")
        .bind(role.as_str())
        .in_scope(Scope::Office(tenant), "")
        .execute(conn)
        .await?
        == 1)
}
