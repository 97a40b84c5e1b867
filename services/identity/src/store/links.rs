//! One-time links: password resets and volunteers' login links (per scope), and invitations
//! (per office). Each is stored as a hash, expires, and works once.

use chrono::{DateTime, Utc};
use lacznik_auth::Role;
use lacznik_tenancy::{Scope, ScopedTxn};
use sea_orm::DbErr;
use uuid::Uuid;

use lacznik_auth::secret::{hash_secret, new_secret};
use lacznik_tenancy::sql::{Query, get, insert};

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    LoginLink,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::LoginLink => "login_link",
        }
    }
}

/// The outcome of presenting a link.
#[derive(Debug, PartialEq, Eq)]
pub enum Redeemed<T> {
    Valid(T),
    Used,
    Expired,
    Unknown,
}

/// Issues a link for `user_id`; earlier unused links with the same purpose stop working.
pub async fn issue(
    txn: &ScopedTxn,
    user_id: Uuid,
    purpose: Purpose,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let scope = txn.scope();
    Query::new(format!(
        "UPDATE {} SET used_at = ",
        scope.table("one_time_tokens")
    ))
    .bind(now)
    .sql(" WHERE user_id = ")
    .bind(user_id)
    .sql(" AND purpose = ")
    .bind(purpose.as_str())
    .sql(" AND used_at IS NULL")
    .in_scope(scope, "")
    .execute(&**txn)
    .await?;
    let secret = new_secret();
    insert(
        scope,
        "one_time_tokens",
        vec![
            ("id", Uuid::now_v7().into()),
            ("user_id", user_id.into()),
            ("purpose", purpose.as_str().into()),
            ("token_hash", hash_secret(&secret).into()),
            ("created_at", now.into()),
            ("expires_at", expires_at.into()),
        ],
    )
    .execute(&**txn)
    .await?;
    Ok(secret)
}

/// Uses up a link; the user it was for when it was valid.
pub async fn redeem(
    txn: &ScopedTxn,
    purpose: Purpose,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Redeemed<Uuid>, DbErr> {
    let scope = txn.scope();
    let table = scope.table("one_time_tokens");
    let Some(row) = Query::new(format!(
        "SELECT id, user_id, expires_at, used_at FROM {table} WHERE token_hash = "
    ))
    .bind(hash_secret(secret))
    .sql(" AND purpose = ")
    .bind(purpose.as_str())
    .in_scope(scope, "")
    .one(&**txn)
    .await?
    else {
        return Ok(Redeemed::Unknown);
    };
    if get::<Option<DateTime<Utc>>>(&row, "used_at")?.is_some() {
        return Ok(Redeemed::Used);
    }
    if get::<DateTime<Utc>>(&row, "expires_at")? <= now {
        return Ok(Redeemed::Expired);
    }
    let claimed = Query::new(format!("UPDATE {table} SET used_at = "))
        .bind(now)
        .sql(" WHERE id = ")
        .bind(get::<Uuid>(&row, "id")?)
        .sql(" AND used_at IS NULL")
        .in_scope(scope, "")
        .execute(&**txn)
        .await?;
    Ok(if claimed == 1 {
        Redeemed::Valid(get(&row, "user_id")?)
    } else {
        Redeemed::Used
    })
}

/// An invitation to an office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub volunteer_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

fn invitation(row: &sea_orm::QueryResult) -> Result<Invitation, DbErr> {
    Ok(Invitation {
        id: get(row, "id")?,
        email: get(row, "email")?,
        role: super::users::office_role(&get::<String>(row, "role")?),
        volunteer_id: get(row, "volunteer_id")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        accepted_at: get(row, "accepted_at")?,
    })
}

const INVITATION_COLUMNS: &str =
    "id, email, role, volunteer_id, created_at, expires_at, accepted_at";

/// What an invitation is for.
pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: Role,
    pub volunteer_id: Option<Uuid>,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

/// Writes an invitation (office scope); returns it and its secret.
pub async fn invite(
    txn: &ScopedTxn,
    new: NewInvitation<'_>,
    now: DateTime<Utc>,
) -> Result<(Invitation, String), DbErr> {
    let secret = new_secret();
    let id = Uuid::now_v7();
    insert(
        txn.scope(),
        "invitations",
        vec![
            ("id", id.into()),
            ("email", new.email.to_owned().into()),
            ("role", new.role.as_str().into()),
            ("volunteer_id", new.volunteer_id.into()),
            ("token_hash", hash_secret(&secret).into()),
            ("invited_by", new.invited_by.into()),
            ("created_at", now.into()),
            ("expires_at", new.expires_at.into()),
        ],
    )
    .execute(&**txn)
    .await?;
    Ok((
        Invitation {
            id,
            email: new.email.to_owned(),
            role: new.role,
            volunteer_id: new.volunteer_id,
            created_at: now,
            expires_at: new.expires_at,
            accepted_at: None,
        },
        secret,
    ))
}

/// Marks the invitation behind `secret` accepted by `user_id`, if it still can be.
pub async fn accept(
    txn: &ScopedTxn,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Redeemed<Invitation>, DbErr> {
    let scope = txn.scope();
    let Some(row) = Query::new(format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = "
    ))
    .bind(hash_secret(secret))
    .in_scope(scope, "")
    .one(&**txn)
    .await?
    else {
        return Ok(Redeemed::Unknown);
    };
    let found = invitation(&row)?;
    if found.accepted_at.is_some() {
        return Ok(Redeemed::Used);
    }
    if found.expires_at <= now {
        return Ok(Redeemed::Expired);
    }
    let claimed = Query::new("UPDATE invitations SET accepted_at = ")
        .bind(now)
        .sql(" WHERE id = ")
        .bind(found.id)
        .sql(" AND accepted_at IS NULL")
        .in_scope(scope, "")
        .execute(&**txn)
        .await?;
    Ok(if claimed == 1 {
        Redeemed::Valid(found)
    } else {
        Redeemed::Used
    })
}

/// Records who accepted an invitation.
pub async fn accepted_by(txn: &ScopedTxn, id: Uuid, user_id: Uuid) -> Result<(), DbErr> {
    Query::new("UPDATE invitations SET accepted_by = ")
        .bind(user_id)
        .sql(" WHERE id = ")
        .bind(id)
        .in_scope(txn.scope(), "")
        .execute(&**txn)
        .await
        .map(|_| ())
}

/// The office's invitations, newest first.
pub async fn list(txn: &ScopedTxn, limit: u64) -> Result<Vec<Invitation>, DbErr> {
    debug_assert!(matches!(txn.scope(), Scope::Office(_)));
    Query::new(format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE 1 = 1"
    ))
    .in_scope(txn.scope(), "")
    .sql(" ORDER BY id DESC LIMIT ")
    .bind(limit as i64)
    .all(&**txn)
    .await?
    .iter()
    .map(invitation)
    .collect()
}
