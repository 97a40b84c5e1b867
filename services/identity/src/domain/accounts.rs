//! Signing in and staying signed in: login with lockouts, refresh-token rotation with reuse
//! detection, logout, password change and reset, volunteers' login links, invitations. Every
//! security-relevant step is written to the audit log of its scope, in the same transaction as
//! the change; every email is an outbox event in that transaction too.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lacznik_auth::{Role, TokenSigner, password};
use lacznik_config::Config;
use lacznik_http::{Caller, Problem, TenantContext};
use lacznik_limits::{Limits, LimitsError, LockoutPolicy};
use lacznik_queue::Event;
use lacznik_queue::email::{EMAIL_REQUESTED, EmailRequested, OfficeSender, page_link};
use lacznik_tenancy::{Scope, ScopedDb, ScopedTxn};
use poem::http::StatusCode;
use sea_orm::DbErr;
use uuid::Uuid;

use crate::store::audit::{self, AuditEvent};
use crate::store::links::{self, Invitation, NewInvitation, Purpose, Redeemed};
use crate::store::sessions::{self, NewSession, Refresh};
use crate::store::users::{self, NewUser, User};
use crate::store::{self as registry, hash_secret};

tokio::task_local! {
    /// Sessions ended while serving the current request, reported to the gateway in a
    /// response header so it refuses their tokens at once (see [`crate::report_ended_sessions`]).
    pub(crate) static ENDED_SESSIONS: std::cell::RefCell<Vec<Uuid>>;
}

/// Lifetimes and limits, from configuration.
#[derive(Clone, Debug)]
pub struct IdentitySettings {
    pub refresh_ttl: chrono::Duration,
    pub invitation_ttl: chrono::Duration,
    pub reset_ttl: chrono::Duration,
    pub login_link_ttl: chrono::Duration,
    pub account_lockout: LockoutPolicy,
    pub address_lockout: LockoutPolicy,
    pub emails_per_account_hour: u32,
    /// e.g. `http://localhost:8080`; office links become `http://<slug>.localhost:8080/…`.
    pub public_url: String,
}

impl IdentitySettings {
    pub fn from_config(config: &Config) -> Self {
        let auth = &config.auth;
        let limits = &config.limits;
        let policy = |threshold| LockoutPolicy {
            threshold,
            window: Duration::from_secs(limits.failure_window_secs),
            base: Duration::from_secs(limits.lockout_base_secs),
            max: Duration::from_secs(limits.lockout_max_secs),
        };
        let days = i64::try_from(auth.refresh_token_ttl_days).unwrap_or(30);
        let hours = i64::try_from(auth.invitation_ttl_hours).unwrap_or(72);
        let minutes = |m: u64| chrono::Duration::minutes(i64::try_from(m).unwrap_or(30));
        Self {
            refresh_ttl: chrono::Duration::days(days),
            invitation_ttl: chrono::Duration::hours(hours),
            reset_ttl: minutes(auth.password_reset_ttl_minutes),
            login_link_ttl: minutes(auth.login_link_ttl_minutes),
            account_lockout: policy(limits.account_failures),
            address_lockout: policy(limits.address_failures),
            emails_per_account_hour: limits.emails_per_account_hour,
            public_url: config.gateway.public_url.clone(),
        }
    }
}

/// The identity service's state.
pub struct Identity {
    pub db: ScopedDb,
    pub signer: TokenSigner,
    pub limits: Limits,
    pub settings: IdentitySettings,
}

/// Where a request comes from (the gateway sets `X-Real-IP`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Client<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// What a successful sign-in returns.
#[derive(Debug, Clone, poem_openapi::Object, serde::Deserialize)]
pub struct TokenPair {
    /// Send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the access token is valid.
    pub expires_in: u64,
    /// Single use: exchange it at `/auth/refresh` for a new pair. Keep it secret.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user_id: Uuid,
    pub roles: Vec<String>,
    /// The office the tokens work in; absent for platform sessions.
    pub office: Option<String>,
    /// A volunteer's own profile id.
    pub volunteer_id: Option<Uuid>,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("locked for {0:?}")]
    Locked(Duration),
    #[error("refresh token invalid")]
    RefreshInvalid,
    #[error("refresh token reused")]
    RefreshReused,
    #[error("link unknown")]
    LinkInvalid,
    #[error("link used")]
    LinkUsed,
    #[error("link expired")]
    LinkExpired,
    #[error("current password wrong")]
    CurrentPasswordWrong,
    #[error("{0}")]
    Rejected(Problem),
    #[error("limits store: {0}")]
    Limits(#[from] LimitsError),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl From<AccountError> for Problem {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::InvalidCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Nieprawidłowy e-mail lub hasło",
            )
            .with_detail("Sprawdź adres e-mail i hasło. Po kilku nieudanych próbach logowanie zostanie czasowo zablokowane."),
            AccountError::Locked(left) => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Zbyt wiele prób",
            )
            .with_detail(format!(
                "Ze względów bezpieczeństwa kolejne próby są zablokowane. Spróbuj ponownie za {} s.",
                left.as_secs().max(1)
            ))
            .with_retry_after(left.as_secs().max(1)),
            AccountError::RefreshInvalid => lacznik_http::auth::unauthenticated("refresh_token_invalid"),
            AccountError::RefreshReused => Problem::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reused",
                "Sesja zakończona ze względów bezpieczeństwa",
            )
            .with_detail("Ten token odświeżania był już użyty, więc mógł zostać skopiowany. Sesja została zakończona; zaloguj się ponownie."),
            AccountError::LinkInvalid => Problem::link_invalid(),
            AccountError::LinkUsed => Problem::link_used(),
            AccountError::LinkExpired => Problem::link_expired(),
            AccountError::CurrentPasswordWrong => Problem::new(
                StatusCode::FORBIDDEN,
                "current_password_wrong",
                "Nieprawidłowe obecne hasło",
            ),
            AccountError::Rejected(problem) => problem,
            AccountError::Limits(error) => {
                tracing::warn!(%error, "limits store unavailable");
                Problem::unavailable("Nie można teraz sprawdzić limitów bezpieczeństwa. Spróbuj ponownie za chwilę.")
            }
            AccountError::Db(error) => error.into(),
            AccountError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

type Result<T, E = AccountError> = std::result::Result<T, E>;

/// Checks a new password: 10–128 characters, not the email address.
pub fn check_new_password(password: &str, email: Option<&str>) -> Result<(), Problem> {
    let length = password.chars().count();
    let mut v = lacznik_http::problem::Validator::new();
    if length < 10 {
        v.reject("password", "Hasło musi mieć co najmniej 10 znaków.");
    } else if length > 128 {
        v.reject("password", "Hasło może mieć najwyżej 128 znaków.");
    } else if email.is_some_and(|e| password.trim().eq_ignore_ascii_case(e.trim())) {
        v.reject("password", "Hasło nie może być adresem e-mail.");
    } else if password.chars().all(|c| password.starts_with(c)) {
        v.reject(
            "password",
            "Hasło nie może składać się z jednego powtórzonego znaku.",
        );
    }
    v.finish()
}

async fn hash_password(password: &str) -> Result<String> {
    let password = secrecy::SecretString::from(password);
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AccountError::Internal(e.to_string()))?
        .map_err(|e| AccountError::Internal(e.to_string()))
}

async fn verify_password(password: &str, hash: Option<String>) -> Result<bool> {
    let password = secrecy::SecretString::from(password);
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => password::verify(&password, &hash),
        None => {
            password::verify_nothing(&password);
            false
        }
    })
    .await
    .map_err(|e| AccountError::Internal(e.to_string()))
}

fn scope_of(office: Option<&TenantContext>) -> Scope {
    office.map_or(Scope::Platform, |o| Scope::Office(o.id))
}

/// What someone may do in a scope.
struct Grants {
    roles: Vec<Role>,
    region: Option<String>,
    volunteer_id: Option<Uuid>,
}

impl Identity {
    async fn grants(&self, txn: &ScopedTxn, user: &User) -> Result<Grants> {
        Ok(match txn.scope() {
            Scope::Office(tenant) => {
                let memberships = users::memberships(&**txn, tenant, user.id).await?;
                Grants {
                    volunteer_id: memberships.iter().find_map(|m| m.volunteer_id),
                    roles: memberships.into_iter().map(|m| m.role).collect(),
                    region: None,
                }
            }
            Scope::Platform => Grants {
                roles: user.platform_role.into_iter().collect(),
                region: user
                    .platform_role
                    .filter(|r| *r == Role::RegionalAdmin)
                    .and(user.region_code.clone()),
                volunteer_id: None,
            },
        })
    }

    fn tokens(
        &self,
        office: Option<&TenantContext>,
        user: Uuid,
        session: Uuid,
        refresh_token: String,
        refresh_expires_at: DateTime<Utc>,
        grants: Grants,
    ) -> Result<TokenPair> {
        let roles = grants.roles.iter().map(|r| r.as_str().to_owned()).collect();
        let (access_token, _) = self
            .signer
            .sign(
                user,
                session,
                office.map(|o| (o.id, o.slug.clone())),
                grants.roles,
                grants.region,
                grants.volunteer_id,
            )
            .map_err(|e| AccountError::Internal(e.to_string()))?;
        Ok(TokenPair {
            access_token,
            token_type: "Bearer".into(),
            expires_in: self.signer.ttl().as_secs(),
            refresh_token,
            refresh_expires_at,
            user_id: user,
            roles,
            office: office.map(|o| o.slug.clone()),
            volunteer_id: grants.volunteer_id,
        })
    }

    /// Opens a session for `user` in the transaction's scope and returns its tokens.
    async fn open_session(
        &self,
        txn: &ScopedTxn,
        office: Option<&TenantContext>,
        user: &User,
        grants: Grants,
        client: Client<'_>,
        now: DateTime<Utc>,
    ) -> Result<TokenPair> {
        let expires = now + self.settings.refresh_ttl;
        let opened = sessions::open(
            txn,
            NewSession {
                user_id: user.id,
                expires_at: expires,
                client_ip: client.ip,
                user_agent: client.user_agent,
            },
            now,
        )
        .await?;
        self.tokens(
            office,
            user.id,
            opened.session_id,
            opened.refresh_token,
            expires,
            grants,
        )
    }

    /// Tells the gateway that these sessions of `scope` have ended, for as long as their access
    /// tokens could still be presented.
    async fn revoked(&self, scope: Scope, session_ids: &[Uuid]) {
        let office = scope.tenant().map(|t| t.to_string());
        let _ = ENDED_SESSIONS.try_with(|ended| ended.borrow_mut().extend(session_ids));
        for sid in session_ids {
            let key = lacznik_limits::revoked_key(office.as_deref(), &sid.to_string());
            if let Err(error) = self.limits.mark(&key, self.signer.ttl()).await {
                // The session is revoked in the database; its access token lives out its
                // short lifetime. Logged, not failed: the revocation itself has happened.
                tracing::warn!(%error, "cannot publish a revoked session to the gateway");
            }
        }
    }

    /// Email + password, in an office or on the platform.
    pub async fn login(
        &self,
        office: Option<&TenantContext>,
        email: &str,
        password: &str,
        client: Client<'_>,
    ) -> Result<TokenPair> {
        let account = format!(
            "login:account:{}",
            hash_secret(&users::normalize_email(email))
        );
        let address = client.ip.map(|ip| format!("login:address:{ip}"));
        for key in std::iter::once(&account).chain(address.as_ref()) {
            if let Some(left) = self.limits.locked(key).await? {
                return Err(AccountError::Locked(left));
            }
        }
        let scope = scope_of(office);
        let user = users::find_by_email(self.db.platform.conn(), email).await?;
        let verified = verify_password(
            password,
            user.as_ref().and_then(|u| u.password_hash.clone()),
        )
        .await?;
        let now = Utc::now();
        let user = match user {
            Some(user) if verified && user.active => user,
            user => {
                let mut locked = self
                    .limits
                    .record_failure(&account, &self.settings.account_lockout)
                    .await?;
                if let Some(address) = &address {
                    locked = locked.or(self
                        .limits
                        .record_failure(address, &self.settings.address_lockout)
                        .await?);
                }
                let txn = self.db.begin(scope).await?;
                // Name the account only where it belongs: an office's log does not learn of
                // people who are not its own.
                let user_id = match &user {
                    Some(user) if !self.grants(&txn, user).await?.roles.is_empty() => Some(user.id),
                    _ => None,
                };
                audit::record(
                    &txn,
                    AuditEvent {
                        kind: "login_failed",
                        user_id,
                        actor_id: None,
                        client_ip: client.ip,
                        detail: serde_json::json!({ "method": "password" }),
                    },
                    now,
                )
                .await?;
                if let Some(lock) = locked {
                    audit::record(
                        &txn,
                        AuditEvent {
                            kind: "login_locked",
                            user_id,
                            actor_id: None,
                            client_ip: client.ip,
                            detail: serde_json::json!({ "seconds": lock.as_secs() }),
                        },
                        now,
                    )
                    .await?;
                }
                txn.commit().await?;
                return Err(AccountError::InvalidCredentials);
            }
        };
        let txn = self.db.begin(scope).await?;
        let grants = self.grants(&txn, &user).await?;
        if grants.roles.is_empty() {
            // The right password, but no role here: answered exactly like a wrong one.
            audit::record(
                &txn,
                AuditEvent {
                    kind: "login_failed",
                    user_id: Some(user.id),
                    actor_id: None,
                    client_ip: client.ip,
                    detail: serde_json::json!({ "method": "password", "reason": "no_role" }),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            return Err(AccountError::InvalidCredentials);
        }
        let tokens = self
            .open_session(&txn, office, &user, grants, client, now)
            .await?;
        audit::record(
            &txn,
            AuditEvent {
                kind: "login_succeeded",
                user_id: Some(user.id),
                actor_id: None,
                client_ip: client.ip,
                detail: serde_json::json!({ "method": "password" }),
            },
            now,
        )
        .await?;
        if let Some(hash) = &user.password_hash
            && password::needs_rehash(hash)
        {
            users::upgrade_hash(&*txn, user.id, &hash_password(password).await?).await?;
        }
        txn.commit().await?;
        self.limits.clear_failures(&account).await?;
        Ok(tokens)
    }

    /// Exchanges a refresh token for a new pair; a reused token ends its whole session.
    pub async fn refresh(
        &self,
        office: Option<&TenantContext>,
        presented: &str,
        client: Client<'_>,
    ) -> Result<TokenPair> {
        let now = Utc::now();
        let expires = now + self.settings.refresh_ttl;
        let txn = self.db.begin(scope_of(office)).await?;
        match sessions::rotate(&txn, presented, expires, now).await? {
            Refresh::Invalid => Err(AccountError::RefreshInvalid),
            Refresh::Reused {
                session_id,
                user_id,
            } => {
                audit::record(
                    &txn,
                    AuditEvent {
                        kind: "refresh_token_reused",
                        user_id: Some(user_id),
                        actor_id: None,
                        client_ip: client.ip,
                        detail: serde_json::json!({ "session_id": session_id }),
                    },
                    now,
                )
                .await?;
                txn.commit().await?;
                self.revoked(scope_of(office), &[session_id]).await;
                Err(AccountError::RefreshReused)
            }
            Refresh::Rotated {
                session_id,
                user_id,
                authenticated_at,
                refresh_token,
            } => {
                let user = users::find_by_id(&*txn, user_id).await?;
                let grants = match &user {
                    Some(user)
                        if user.active
                            && user
                                .password_changed_at
                                .is_none_or(|c| c <= authenticated_at) =>
                    {
                        Some(self.grants(&txn, user).await?)
                    }
                    _ => None,
                };
                let Some(grants) = grants.filter(|g| !g.roles.is_empty()) else {
                    sessions::revoke(&txn, session_id, "credentials_changed", now).await?;
                    audit::record(&txn, AuditEvent {
                        kind: "session_revoked",
                        user_id: Some(user_id),
                        actor_id: None,
                        client_ip: client.ip,
                        detail: serde_json::json!({ "session_id": session_id, "reason": "credentials_changed" }),
                    }, now).await?;
                    txn.commit().await?;
                    return Err(AccountError::RefreshInvalid);
                };
                txn.commit().await?;
                self.tokens(office, user_id, session_id, refresh_token, expires, grants)
            }
        }
    }

    /// Ends the caller's session.
    pub async fn logout(&self, caller: &Caller, client: Client<'_>) -> Result<()> {
        let now = Utc::now();
        let txn = self.db.begin(scope_of(caller.office.as_ref())).await?;
        if sessions::revoke(&txn, caller.claims.sid, "logout", now).await? {
            audit::record(
                &txn,
                AuditEvent {
                    kind: "logout",
                    user_id: Some(caller.user_id()),
                    actor_id: None,
                    client_ip: client.ip,
                    detail: serde_json::json!({ "session_id": caller.claims.sid }),
                },
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.revoked(scope_of(caller.office.as_ref()), &[caller.claims.sid])
            .await;
        Ok(())
    }

    /// Changes the caller's password; every other session of theirs ends.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        client: Client<'_>,
    ) -> Result<()> {
        let user = users::find_by_id(self.db.platform.conn(), caller.user_id())
            .await?
            .ok_or(AccountError::InvalidCredentials)?;
        if !verify_password(current, user.password_hash.clone()).await? {
            return Err(AccountError::CurrentPasswordWrong);
        }
        check_new_password(new, Some(&user.email)).map_err(AccountError::Rejected)?;
        let hash = hash_password(new).await?;
        let now = Utc::now();
        let txn = self.db.begin(scope_of(caller.office.as_ref())).await?;
        users::set_password(&*txn, user.id, &hash, now).await?;
        sessions::reauthenticated(&txn, caller.claims.sid, now).await?;
        let ended = sessions::revoke_all(
            &txn,
            user.id,
            Some(caller.claims.sid),
            "password_changed",
            now,
        )
        .await?;
        audit::record(
            &txn,
            AuditEvent {
                kind: "password_changed",
                user_id: Some(user.id),
                actor_id: None,
                client_ip: client.ip,
                detail: serde_json::json!({ "sessions_revoked": ended.len() }),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        self.revoked(scope_of(caller.office.as_ref()), &ended).await;
        Ok(())
    }

    async fn sender(&self, office: Option<&TenantContext>) -> Result<Option<OfficeSender>> {
        let Some(office) = office else {
            return Ok(None);
        };
        let record = registry::find_by_slug(&self.db.platform, &office.slug)
            .await?
            .ok_or_else(|| AccountError::Internal(format!("office {} vanished", office.slug)))?;
        Ok(Some(OfficeSender {
            slug: record.slug,
            from_name: record.mail_from_name,
            from_address: record.mail_from_address,
            reply_to: record.mail_reply_to,
            phone: record.phone,
            address: format!(
                "{}, {} {}",
                record.street_address, record.postal_code, record.city
            ),
            name: record.name,
        }))
    }

    /// The address of a page, in the office (or on the platform).
    pub fn link(&self, office: Option<&TenantContext>, page: &str, secret: &str) -> String {
        page_link(
            &self.settings.public_url,
            office.map(|o| o.slug.as_str()),
            page,
            secret,
        )
    }

    /// Spends one of the per-hour emails of an account; `false` when they are used up.
    async fn may_email(&self, email: &str) -> Result<bool> {
        let (sent, _) = self
            .limits
            .hit(
                &format!(
                    "mail:account:{}",
                    hash_secret(&users::normalize_email(email))
                ),
                Duration::from_secs(3600),
            )
            .await?;
        Ok(sent <= u64::from(self.settings.emails_per_account_hour))
    }

    /// Counts a link request from a client address; locked when too many.
    async fn count_address(&self, client: Client<'_>) -> Result<()> {
        if let Some(ip) = client.ip {
            let key = format!("links:address:{ip}");
            if let Some(left) = self.limits.locked(&key).await? {
                return Err(AccountError::Locked(left));
            }
            if let Some(lock) = self
                .limits
                .record_failure(&key, &self.settings.address_lockout)
                .await?
            {
                return Err(AccountError::Locked(lock));
            }
        }
        Ok(())
    }

    /// Sends a one-time link to `email` if it belongs to someone who may use it here. The
    /// caller answers the same whether or not anything was sent.
    async fn send_link(
        &self,
        office: Option<&TenantContext>,
        email: &str,
        purpose: Purpose,
        client: Client<'_>,
    ) -> Result<()> {
        self.count_address(client).await?;
        let Some(user) = users::find_by_email(self.db.platform.conn(), email).await? else {
            return Ok(());
        };
        if !user.active {
            return Ok(());
        }
        let now = Utc::now();
        let txn = self.db.begin(scope_of(office)).await?;
        let grants = self.grants(&txn, &user).await?;
        let eligible = match purpose {
            Purpose::PasswordReset => !grants.roles.is_empty(),
            Purpose::LoginLink => grants.roles.contains(&Role::Volunteer),
        };
        if !eligible {
            return Ok(());
        }
        let (template, ttl, page, kind) = match purpose {
            Purpose::PasswordReset => (
                "password_reset",
                self.settings.reset_ttl,
                "konto/nowe-haslo",
                "password_reset_requested",
            ),
            Purpose::LoginLink => (
                "login_link",
                self.settings.login_link_ttl,
                "konto/logowanie",
                "login_link_requested",
            ),
        };
        if !self.may_email(&user.email).await? {
            audit::record(
                &txn,
                AuditEvent {
                    kind: "email_throttled",
                    user_id: Some(user.id),
                    actor_id: None,
                    client_ip: client.ip,
                    detail: serde_json::json!({ "template": template }),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            return Ok(());
        }
        let expires_at = now + ttl;
        let secret = links::issue(&txn, user.id, purpose, expires_at, now).await?;
        lacznik_queue::enqueue(
            &txn,
            &Event {
                topic: EMAIL_REQUESTED,
                payload: EmailRequested {
                    template,
                    to: user.email.clone(),
                    to_name: user.display_name.clone(),
                    locale: "pl",
                    link: self.link(office, page, &secret),
                    expires_at: Some(expires_at),
                    office: self.sender(office).await?,
                    data: serde_json::json!({}),
                    dedupe_key: None,
                },
            },
        )
        .await?;
        audit::record(
            &txn,
            AuditEvent {
                kind,
                user_id: Some(user.id),
                actor_id: None,
                client_ip: client.ip,
                detail: serde_json::json!({}),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn request_password_reset(
        &self,
        office: Option<&TenantContext>,
        email: &str,
        client: Client<'_>,
    ) -> Result<()> {
        self.send_link(office, email, Purpose::PasswordReset, client)
            .await
    }

    pub async fn request_login_link(
        &self,
        office: &TenantContext,
        email: &str,
        client: Client<'_>,
    ) -> Result<()> {
        self.send_link(Some(office), email, Purpose::LoginLink, client)
            .await
    }

    /// Sets a new password with a reset link; every session of the account ends.
    pub async fn reset_password(
        &self,
        office: Option<&TenantContext>,
        secret: &str,
        new: &str,
        client: Client<'_>,
    ) -> Result<()> {
        check_new_password(new, None).map_err(AccountError::Rejected)?;
        let hash = hash_password(new).await?;
        let now = Utc::now();
        let txn = self.db.begin(scope_of(office)).await?;
        let user_id = redeemed(links::redeem(&txn, Purpose::PasswordReset, secret, now).await?)?;
        users::set_password(&*txn, user_id, &hash, now).await?;
        let ended = sessions::revoke_all(&txn, user_id, None, "password_reset", now).await?;
        audit::record(
            &txn,
            AuditEvent {
                kind: "password_reset",
                user_id: Some(user_id),
                actor_id: None,
                client_ip: client.ip,
                detail: serde_json::json!({ "sessions_revoked": ended.len() }),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        self.revoked(scope_of(office), &ended).await;
        if let Some(user) = users::find_by_id(self.db.platform.conn(), user_id).await? {
            // Control of the mailbox was just proven: earlier failures no longer count.
            let subject = format!("login:account:{}", hash_secret(&user.email));
            self.limits.clear_failures(&subject).await?;
            self.limits.clear(&format!("lock:{subject}")).await?;
        }
        Ok(())
    }

    /// Signs a volunteer in with a login link.
    pub async fn redeem_login_link(
        &self,
        office: &TenantContext,
        secret: &str,
        client: Client<'_>,
    ) -> Result<TokenPair> {
        let now = Utc::now();
        let txn = self.db.begin(Scope::Office(office.id)).await?;
        let user_id = redeemed(links::redeem(&txn, Purpose::LoginLink, secret, now).await?)?;
        let user = users::find_by_id(&*txn, user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(AccountError::LinkInvalid)?;
        let grants = self.grants(&txn, &user).await?;
        if grants.roles.is_empty() {
            return Err(AccountError::LinkInvalid);
        }
        let tokens = self
            .open_session(&txn, Some(office), &user, grants, client, now)
            .await?;
        audit::record(
            &txn,
            AuditEvent {
                kind: "login_succeeded",
                user_id: Some(user.id),
                actor_id: None,
                client_ip: client.ip,
                detail: serde_json::json!({ "method": "login_link" }),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(tokens)
    }

    /// Invites someone to `office` with `role`; the link goes out by email.
    pub async fn invite(
        &self,
        office: &TenantContext,
        inviter: &Caller,
        email: &str,
        role: Role,
        volunteer_id: Option<Uuid>,
        client: Client<'_>,
    ) -> Result<Invitation> {
        let email = lacznik_types::Email::parse(email)
            .map_err(|e| AccountError::Rejected(e.into()))?
            .into_inner();
        let email = users::normalize_email(&email);
        let now = Utc::now();
        let expires_at = now + self.settings.invitation_ttl;
        let txn = self.db.begin(Scope::Office(office.id)).await?;
        let (invitation, secret) = links::invite(
            &txn,
            NewInvitation {
                email: &email,
                role,
                volunteer_id,
                invited_by: Some(inviter.user_id()),
                expires_at,
            },
            now,
        )
        .await?;
        let inviter_name = users::find_by_id(&*txn, inviter.user_id())
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        lacznik_queue::enqueue(
            &txn,
            &Event {
                topic: EMAIL_REQUESTED,
                payload: EmailRequested {
                    template: "invitation",
                    to: email.clone(),
                    to_name: String::new(),
                    locale: "pl",
                    link: self.link(Some(office), "konto/zaproszenie", &secret),
                    expires_at: Some(expires_at),
                    office: self.sender(Some(office)).await?,
                    data: serde_json::json!({ "role": role.as_str(), "invited_by": inviter_name }),
                    dedupe_key: None,
                },
            },
        )
        .await?;
        audit::record(&txn, AuditEvent {
            kind: "invitation_created",
            user_id: None,
            actor_id: Some(inviter.user_id()),
            client_ip: client.ip,
            detail: serde_json::json!({ "invitation_id": invitation.id, "role": role.as_str() }),
        }, now).await?;
        txn.commit().await?;
        Ok(invitation)
    }

    /// Accepts an invitation: creates the account (or uses the existing one with that email),
    /// grants the role, and signs in.
    pub async fn accept_invitation(
        &self,
        office: &TenantContext,
        secret: &str,
        display_name: Option<&str>,
        new_password: Option<&str>,
        client: Client<'_>,
    ) -> Result<TokenPair> {
        let hash = match new_password {
            Some(password) => {
                check_new_password(password, None).map_err(AccountError::Rejected)?;
                Some(hash_password(password).await?)
            }
            None => None,
        };
        let now = Utc::now();
        let txn = self.db.begin(Scope::Office(office.id)).await?;
        let invitation = redeemed(links::accept(&txn, secret, now).await?)?;
        let user = match users::find_by_email(&*txn, &invitation.email).await? {
            Some(user) => {
                if user.password_hash.is_none()
                    && let Some(hash) = &hash
                {
                    users::set_password(&*txn, user.id, hash, now).await?;
                }
                user
            }
            None => {
                let mut v = lacznik_http::problem::Validator::new();
                let name = display_name.map(str::trim).filter(|n| !n.is_empty());
                if name.is_none() {
                    v.reject("display_name", "Podaj imię i nazwisko.");
                }
                if hash.is_none() && invitation.role == Role::Coordinator {
                    v.reject("password", "Ustal hasło do konta.");
                }
                v.finish().map_err(AccountError::Rejected)?;
                let id = users::insert_user(
                    &*txn,
                    NewUser {
                        email: &invitation.email,
                        display_name: name.unwrap_or_default(),
                        password_hash: hash,
                        platform_role: None,
                        region_code: None,
                    },
                )
                .await?;
                users::find_by_id(&*txn, id)
                    .await?
                    .ok_or(AccountError::LinkInvalid)?
            }
        };
        users::grant(
            &*txn,
            office.id,
            user.id,
            invitation.role,
            invitation.volunteer_id,
            None,
        )
        .await?;
        links::accepted_by(&txn, invitation.id, user.id).await?;
        audit::record(&txn, AuditEvent {
            kind: "role_granted",
            user_id: Some(user.id),
            actor_id: None,
            client_ip: client.ip,
            detail: serde_json::json!({ "role": invitation.role.as_str(), "invitation_id": invitation.id }),
        }, now).await?;
        let grants = self.grants(&txn, &user).await?;
        let tokens = self
            .open_session(&txn, Some(office), &user, grants, client, now)
            .await?;
        txn.commit().await?;
        Ok(tokens)
    }
}

impl Identity {
    /// Takes a role in `office` away from someone; their sessions in the office end (their
    /// tokens carry the old roles), and the change is in the office's audit log.
    pub async fn revoke_role(
        &self,
        office: &TenantContext,
        actor: &Caller,
        user_id: Uuid,
        role: Role,
        client: Client<'_>,
    ) -> Result<bool> {
        let now = Utc::now();
        let txn = self.db.begin(Scope::Office(office.id)).await?;
        if !users::revoke_role(&*txn, office.id, user_id, role).await? {
            return Ok(false);
        }
        let ended = sessions::revoke_all(&txn, user_id, None, "role_revoked", now).await?;
        audit::record(
            &txn,
            AuditEvent {
                kind: "role_revoked",
                user_id: Some(user_id),
                actor_id: Some(actor.user_id()),
                client_ip: client.ip,
                detail: serde_json::json!({ "role": role.as_str(), "sessions_revoked": ended.len() }),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        self.revoked(Scope::Office(office.id), &ended).await;
        Ok(true)
    }
}

fn redeemed<T>(outcome: Redeemed<T>) -> Result<T> {
    match outcome {
        Redeemed::Valid(value) => Ok(value),
        Redeemed::Used => Err(AccountError::LinkUsed),
        Redeemed::Expired => Err(AccountError::LinkExpired),
        Redeemed::Unknown => Err(AccountError::LinkInvalid),
    }
}
