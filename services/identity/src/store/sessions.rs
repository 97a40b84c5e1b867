//! Sessions and their rotating refresh tokens. A session is one sign-in in one scope (an office,
//! or the platform); each refresh uses up the presented token and issues the next one. A token
//! presented twice means it was copied: the whole session (the token family) is revoked.
//! Only SHA-256 hashes of tokens are stored.

use chrono::{DateTime, Utc};
use lacznik_tenancy::ScopedTxn;
use sea_orm::DbErr;
use uuid::Uuid;

use lacznik_auth::secret::{hash_secret, new_secret};
use lacznik_tenancy::sql::{Query, get, insert};

/// Who opens a session, from where.
pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A session just opened or renewed.
pub struct Opened {
    pub session_id: Uuid,
    pub refresh_token: String,
}

/// What presenting a refresh token led to.
pub enum Refresh {
    Rotated {
        session_id: Uuid,
        user_id: Uuid,
        authenticated_at: DateTime<Utc>,
        refresh_token: String,
    },
    /// Already used: the session has been revoked.
    Reused { session_id: Uuid, user_id: Uuid },
    /// Unknown, expired or revoked.
    Invalid,
}

async fn issue_token(
    txn: &ScopedTxn,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let secret = new_secret();
    insert(
        txn.scope(),
        "refresh_tokens",
        vec![
            ("id", Uuid::now_v7().into()),
            ("session_id", session_id.into()),
            ("token_hash", hash_secret(&secret).into()),
            ("issued_at", now.into()),
        ],
    )
    .execute(&**txn)
    .await?;
    Ok(secret)
}

pub async fn open(
    txn: &ScopedTxn,
    new: NewSession<'_>,
    now: DateTime<Utc>,
) -> Result<Opened, DbErr> {
    let session_id = Uuid::now_v7();
    insert(
        txn.scope(),
        "sessions",
        vec![
            ("id", session_id.into()),
            ("user_id", new.user_id.into()),
            ("created_at", now.into()),
            ("last_used_at", now.into()),
            ("authenticated_at", now.into()),
            ("expires_at", new.expires_at.into()),
            ("client_ip", new.client_ip.map(str::to_owned).into()),
            (
                "user_agent",
                new.user_agent
                    .map(|ua| ua.chars().take(300).collect::<String>())
                    .into(),
            ),
        ],
    )
    .execute(&**txn)
    .await?;
    Ok(Opened {
        session_id,
        refresh_token: issue_token(txn, session_id, now).await?,
    })
}

/// Uses up `presented` and issues the next token, extending the session to `expires_at`.
pub async fn rotate(
    txn: &ScopedTxn,
    presented: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Refresh, DbErr> {
    let scope = txn.scope();
    let tokens = scope.table("refresh_tokens");
    let sessions = scope.table("sessions");
    let join_tenant = if scope.tenant().is_some() {
        " AND s.tenant_id = t.tenant_id"
    } else {
        ""
    };
    let Some(row) = Query::new(format!(
        "SELECT t.id AS token_id, t.used_at, s.id AS session_id, s.user_id, s.expires_at, \
         s.revoked_at, s.authenticated_at FROM {tokens} t JOIN {sessions} s ON s.id = t.session_id\
         {join_tenant} WHERE t.token_hash = "
    ))
    .bind(hash_secret(presented))
    .in_scope(scope, "t.")
    .one(&**txn)
    .await?
    else {
        return Ok(Refresh::Invalid);
    };
    let session_id: Uuid = get(&row, "session_id")?;
    let user_id: Uuid = get(&row, "user_id")?;
    let revoked: Option<DateTime<Utc>> = get(&row, "revoked_at")?;
    let session_expires: DateTime<Utc> = get(&row, "expires_at")?;
    if revoked.is_some() || session_expires <= now {
        return Ok(Refresh::Invalid);
    }
    let used: Option<DateTime<Utc>> = get(&row, "used_at")?;
    let claimed = used.is_none()
        && Query::new(format!("UPDATE {tokens} SET used_at = "))
            .bind(now)
            .sql(" WHERE id = ")
            .bind(get::<Uuid>(&row, "token_id")?)
            .sql(" AND used_at IS NULL")
            .in_scope(scope, "")
            .execute(&**txn)
            .await?
            == 1;
    if !claimed {
        revoke(txn, session_id, "refresh_token_reused", now).await?;
        return Ok(Refresh::Reused {
            session_id,
            user_id,
        });
    }
    Query::new(format!("UPDATE {sessions} SET last_used_at = "))
        .bind(now)
        .sql(", expires_at = ")
        .bind(expires_at)
        .sql(" WHERE id = ")
        .bind(session_id)
        .in_scope(scope, "")
        .execute(&**txn)
        .await?;
    Ok(Refresh::Rotated {
        session_id,
        user_id,
        authenticated_at: get(&row, "authenticated_at")?,
        refresh_token: issue_token(txn, session_id, now).await?,
    })
}

/// Ends a session; `false` if it was already ended or does not exist.
pub async fn revoke(
    txn: &ScopedTxn,
    session_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let scope = txn.scope();
    Ok(Query::new(format!(
        "UPDATE {} SET revoked_at = ",
        scope.table("sessions")
    ))
    .bind(now)
    .sql(", revoked_reason = ")
    .bind(reason.to_owned())
    .sql(" WHERE id = ")
    .bind(session_id)
    .sql(" AND revoked_at IS NULL")
    .in_scope(scope, "")
    .execute(&**txn)
    .await?
        == 1)
}

/// Ends every open session of `user` in this scope except `keep`; returns the ended ones.
pub async fn revoke_all(
    txn: &ScopedTxn,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let scope = txn.scope();
    let table = scope.table("sessions");
    let rows = Query::new(format!("SELECT id FROM {table} WHERE user_id = "))
        .bind(user_id)
        .sql(" AND revoked_at IS NULL")
        .in_scope(scope, "")
        .all(&**txn)
        .await?;
    let mut ended = Vec::new();
    for row in rows {
        let id: Uuid = get(&row, "id")?;
        if Some(id) != keep && revoke(txn, id, reason, now).await? {
            ended.push(id);
        }
    }
    Ok(ended)
}

/// Records that the session's owner proved their credentials again (after changing password).
pub async fn reauthenticated(
    txn: &ScopedTxn,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let scope = txn.scope();
    Query::new(format!(
        "UPDATE {} SET authenticated_at = ",
        scope.table("sessions")
    ))
    .bind(now)
    .sql(" WHERE id = ")
    .bind(session_id)
    .in_scope(scope, "")
    .execute(&**txn)
    .await
    .map(|_| ())
}
