//! `/api/v1/identity/auth/…` and `/me`: signing in and out, sessions, passwords, login links.
//! The same endpoints serve an office (at its address) and the platform (at the bare domain).

use std::sync::Arc;

use lacznik_http::Problem;
use lacznik_http::auth::Bearer;
use lacznik_http::tenant::Place;
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use uuid::Uuid;

use crate::domain::{Client, Identity, TokenPair};
use crate::store::users;

#[derive(Tags)]
enum Tag {
    /// Logowanie i sesje (sign-in and sessions)
    Auth,
}

/// The client's address as the gateway saw it, and its user agent.
pub(crate) fn client(req: &Request) -> Client<'_> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    Client {
        ip: header("x-real-ip"),
        user_agent: header("user-agent"),
    }
}

#[derive(Debug, Object)]
pub struct LoginInput {
    #[oai(validator(max_length = 254))]
    pub email: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

#[derive(Debug, Object)]
pub struct RefreshInput {
    #[oai(validator(max_length = 200))]
    pub refresh_token: String,
}

#[derive(Debug, Object)]
pub struct PasswordChange {
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    /// 10–128 characters.
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
}

#[derive(Debug, Object)]
pub struct EmailInput {
    #[oai(validator(max_length = 254))]
    pub email: String,
}

#[derive(Debug, Object)]
pub struct ResetInput {
    /// The `token` from the link in the email.
    #[oai(validator(max_length = 200))]
    pub token: String,
    /// 10–128 characters.
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
}

#[derive(Debug, Object)]
pub struct TokenInput {
    /// The `token` from the link in the email.
    #[oai(validator(max_length = 200))]
    pub token: String,
}

/// Always the same answer, whether or not the address belongs to an account.
#[derive(Debug, Object, serde::Deserialize)]
pub struct Accepted {
    pub message: String,
}

/// The signed-in person.
#[derive(Debug, Object, serde::Deserialize)]
pub struct Me {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub office: Option<String>,
    pub volunteer_id: Option<Uuid>,
    /// A regional admin's voivodeship (TERYT); absent means all.
    pub region_code: Option<String>,
}

#[derive(ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
enum Queued {
    /// Accepted; if the address belongs to an account that may use it here, an email is on its way.
    #[oai(status = 202)]
    Accepted(Json<Accepted>),
}

pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1/identity", tag = "Tag::Auth")]
impl AuthApi {
    /// Signs in with email and password. Returns a short-lived access token and a single-use
    /// refresh token. Repeated failures lock the account and the client address for a while
    /// (429 with Retry-After).
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<LoginInput>,
    ) -> Result<Json<TokenPair>, Problem> {
        Ok(Json(
            identity
                .login(place.0.0.as_ref(), &body.email, &body.password, client(req))
                .await?,
        ))
    }

    /// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a
    /// used one ends the whole session (it may have been copied).
    #[oai(
        path = "/auth/refresh",
        method = "post",
        operation_id = "refresh_session"
    )]
    async fn refresh(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<RefreshInput>,
    ) -> Result<Json<TokenPair>, Problem> {
        Ok(Json(
            identity
                .refresh(place.0.0.as_ref(), &body.refresh_token, client(req))
                .await?,
        ))
    }

    /// Ends the current session (its access token stops working at the gateway at once).
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
    ) -> Result<Done, Problem> {
        identity.logout(&auth.0, client(req)).await?;
        Ok(Done::NoContent)
    }

    /// Changes the password. Every other session of the account ends.
    #[oai(
        path = "/auth/password",
        method = "post",
        operation_id = "change_password"
    )]
    async fn change_password(
        &self,
        identity: Data<&Arc<Identity>>,
        auth: Bearer,
        req: &Request,
        body: Json<PasswordChange>,
    ) -> Result<Done, Problem> {
        identity
            .change_password(
                &auth.0,
                &body.current_password,
                &body.new_password,
                client(req),
            )
            .await?;
        Ok(Done::NoContent)
    }

    /// Asks for a password-reset link by email. The answer is the same for every address.
    #[oai(
        path = "/auth/password-reset",
        method = "post",
        operation_id = "request_password_reset"
    )]
    async fn request_reset(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<EmailInput>,
    ) -> Result<Queued, Problem> {
        identity
            .request_password_reset(place.0.0.as_ref(), &body.email, client(req))
            .await?;
        Ok(Queued::Accepted(Json(Accepted {
            message: "Jeśli ten adres należy do konta, wysłaliśmy na niego link do ustawienia nowego hasła. Link jest ważny przez krótki czas i działa jeden raz.".into(),
        })))
    }

    /// Sets a new password with the link from the email. The link works once; every session
    /// of the account ends.
    #[oai(
        path = "/auth/password-reset/confirm",
        method = "post",
        operation_id = "reset_password"
    )]
    async fn reset(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<ResetInput>,
    ) -> Result<Done, Problem> {
        identity
            .reset_password(
                place.0.0.as_ref(),
                &body.token,
                &body.new_password,
                client(req),
            )
            .await?;
        Ok(Done::NoContent)
    }

    /// Volunteers: asks for a one-time login link by email (no password needed). The answer
    /// is the same for every address.
    #[oai(
        path = "/auth/login-link",
        method = "post",
        operation_id = "request_login_link"
    )]
    async fn request_login_link(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<EmailInput>,
    ) -> Result<Queued, Problem> {
        identity
            .request_login_link(place.office()?, &body.email, client(req))
            .await?;
        Ok(Queued::Accepted(Json(Accepted {
            message: "Jeśli ten adres należy do wolontariusza tego ośrodka, wysłaliśmy na niego link do logowania. Link jest ważny 15 minut i działa jeden raz.".into(),
        })))
    }

    /// Signs in with a login link.
    #[oai(
        path = "/auth/login-link/redeem",
        method = "post",
        operation_id = "redeem_login_link"
    )]
    async fn redeem_login_link(
        &self,
        identity: Data<&Arc<Identity>>,
        place: Data<&Place>,
        req: &Request,
        body: Json<TokenInput>,
    ) -> Result<Json<TokenPair>, Problem> {
        Ok(Json(
            identity
                .redeem_login_link(place.office()?, &body.token, client(req))
                .await?,
        ))
    }

    /// Who is signed in, with which roles, where.
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn me(&self, identity: Data<&Arc<Identity>>, auth: Bearer) -> Result<Json<Me>, Problem> {
        let caller = auth.0;
        let user = users::find_by_id(identity.db.platform.conn(), caller.user_id())
            .await?
            .ok_or_else(|| lacznik_http::auth::unauthenticated("token_invalid"))?;
        Ok(Json(Me {
            user_id: user.id,
            email: user.email,
            display_name: user.display_name,
            roles: caller
                .claims
                .roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            office: caller.claims.ten.clone(),
            volunteer_id: caller.claims.vid,
            region_code: caller.claims.reg.clone(),
        }))
    }
}
