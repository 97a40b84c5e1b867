//! What mail a person wants: per kind (offers, assignment confirmations, reminders, the office's
//! messages, the weekly digest) each message, one email a day, or none. Security mail — sign-in
//! links, password resets, invitations — always goes. A volunteer sets this in the portal; anyone
//! can from the link at the foot of every refusable email, without signing in, and mail
//! providers unsubscribe with one click (RFC 8058: a POST to that link).

use std::sync::Arc;

use lacznik_http::auth::{Bearer, forbidden};
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TENANT_ID_HEADER, TENANT_SLUG_HEADER, TenantContext};
use lacznik_tenancy::Scope;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use crate::Notifications;
use crate::kinds::{Category, Frequency};
use crate::links::Unsubscribe;
use crate::store::choices;

#[derive(Tags)]
enum Tag {
    /// Ustawienia powiadomień (preferences)
    Preferences,
}

/// One kind of mail and how often the person wants it.
#[derive(Debug, Object)]
pub struct Choice {
    pub category: Category,
    /// Its name, in Polish.
    pub label: String,
    pub frequency: Frequency,
    /// Whether `daily` may be chosen for it.
    pub daily_allowed: bool,
}

/// A person's choices.
#[derive(Debug, Object)]
pub struct Preferences {
    /// The address they are for (partly hidden when shown through a link).
    pub address: String,
    pub choices: Vec<Choice>,
    /// Mail that always goes, whatever is chosen.
    pub always: String,
    /// The kinds the link was sent with (what its "unsubscribe" stops); empty in the portal.
    pub link_categories: Vec<Category>,
}

/// A change of one kind.
#[derive(Debug, Object)]
pub struct ChoiceInput {
    pub category: Category,
    pub frequency: Frequency,
}

/// Changes of some kinds; kinds not named stay as they are.
#[derive(Debug, Object)]
pub struct PreferencesInput {
    #[oai(validator(max_items = 10))]
    pub choices: Vec<ChoiceInput>,
}

/// What a one-click unsubscribe did.
#[derive(Debug, Object)]
pub struct Unsubscribed {
    pub message: String,
    pub categories: Vec<Category>,
}

/// `z***@example.pl`.
fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

async fn read(
    n: &Notifications,
    office: &TenantContext,
    address: &str,
    shown: String,
) -> Result<Preferences, Problem> {
    let txn = n.db.begin(Scope::Office(office.id)).await?;
    let chosen = choices::preferences_of(&*txn, office.id, &[address.to_owned()]).await?;
    txn.commit().await?;
    Ok(Preferences {
        address: shown,
        choices: Category::CHOOSABLE
            .iter()
            .map(|category| Choice {
                category: *category,
                label: category.label().to_owned(),
                frequency: chosen
                    .iter()
                    .find(|(_, c, _)| c == category)
                    .map_or(Frequency::Instant, |(_, _, f)| *f),
                daily_allowed: category.can_be_daily(),
            })
            .collect(),
        always: "Wiadomości o bezpieczeństwie konta (logowanie, hasło, zaproszenia, potwierdzenia) wysyłamy zawsze."
            .to_owned(),
        link_categories: Vec::new(),
    })
}

async fn write(
    n: &Notifications,
    office: &TenantContext,
    address: &str,
    input: PreferencesInput,
    changed_by: &str,
) -> Result<(), Problem> {
    let mut v = Validator::new();
    for (i, choice) in input.choices.iter().enumerate() {
        if !choice.category.choosable() {
            v.reject(
                &format!("choices[{i}].category"),
                "Tych wiadomości nie można wyłączyć.",
            );
        } else if choice.frequency == Frequency::Daily && !choice.category.can_be_daily() {
            v.reject(
                &format!("choices[{i}].frequency"),
                "Tych wiadomości nie można zbierać w podsumowanie dnia.",
            );
        }
    }
    v.finish()?;
    let now = chrono::Utc::now();
    let txn = n.db.begin(Scope::Office(office.id)).await?;
    for choice in &input.choices {
        choices::set_preference(
            &*txn,
            office.id,
            address,
            choice.category,
            choice.frequency,
            changed_by,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The link's token, checked: it must be this office's.
fn verified(
    n: &Notifications,
    office: &TenantContext,
    token: &str,
) -> Result<Unsubscribe, Problem> {
    n.links
        .verify(token)
        .ok()
        .filter(|link| link.tenant == office.id)
        .ok_or_else(Problem::link_invalid)
}

/// The signed-in volunteer's address, from the volunteers service.
async fn own_address(
    n: &Notifications,
    office: &TenantContext,
    auth: &Bearer,
) -> Result<String, Problem> {
    let volunteer = auth.0.own_volunteer().ok_or_else(forbidden)?;
    let unavailable = |error: &dyn std::fmt::Display| {
        tracing::warn!(%error, "volunteers service unavailable");
        Problem::unavailable("Dane wolontariusza są chwilowo niedostępne. Spróbuj za chwilę.")
            .with_retry_after(5)
    };
    let contacts: Vec<serde_json::Value> = n
        .http
        .post(format!(
            "{}/internal/v1/volunteers/contacts",
            n.volunteers_url
        ))
        .header(TENANT_ID_HEADER, office.id.to_string())
        .header(TENANT_SLUG_HEADER, &office.slug)
        .json(&serde_json::json!({ "ids": [volunteer] }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| unavailable(&e))?
        .json()
        .await
        .map_err(|e| unavailable(&e))?;
    contacts
        .first()
        .and_then(|c| c["email"].as_str())
        .map(str::to_lowercase)
        .ok_or_else(|| Problem::not_found("Wolontariusz"))
}

pub struct PreferencesApi;

#[OpenApi(prefix_path = "/api/v1/notifications", tag = "Tag::Preferences")]
impl PreferencesApi {
    /// Volunteers: what mail I get, and how often.
    #[oai(path = "/preferences", method = "get", operation_id = "my_preferences")]
    async fn mine(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
    ) -> Result<Json<Preferences>, Problem> {
        let address = own_address(&n, &tenant, &auth).await?;
        Ok(Json(read(&n, &tenant, &address, address.clone()).await?))
    }

    /// Volunteers: changes what mail I get.
    #[oai(
        path = "/preferences",
        method = "put",
        operation_id = "set_my_preferences"
    )]
    async fn set_mine(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<PreferencesInput>,
    ) -> Result<Json<Preferences>, Problem> {
        let address = own_address(&n, &tenant, &auth).await?;
        write(&n, &tenant, &address, body.0, "portal").await?;
        Ok(Json(read(&n, &tenant, &address, address.clone()).await?))
    }

    /// Anyone with the link from an email: the choices of that address.
    #[oai(
        path = "/link-preferences",
        method = "get",
        operation_id = "link_preferences"
    )]
    async fn by_link(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        token: Query<String>,
    ) -> Result<Json<Preferences>, Problem> {
        let link = verified(&n, &tenant, &token.0)?;
        let mut prefs = read(&n, &tenant, &link.address, masked(&link.address)).await?;
        prefs.link_categories = link.categories;
        Ok(Json(prefs))
    }

    /// Anyone with the link from an email: changes the choices of that address.
    #[oai(
        path = "/link-preferences",
        method = "put",
        operation_id = "set_link_preferences"
    )]
    async fn set_by_link(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        token: Query<String>,
        body: Json<PreferencesInput>,
    ) -> Result<Json<Preferences>, Problem> {
        let link = verified(&n, &tenant, &token.0)?;
        write(&n, &tenant, &link.address, body.0, "link").await?;
        let mut prefs = read(&n, &tenant, &link.address, masked(&link.address)).await?;
        prefs.link_categories = link.categories;
        Ok(Json(prefs))
    }

    /// One-click unsubscribe (RFC 8058): stops the kinds of mail the link is for. Mail
    /// providers POST `List-Unsubscribe=One-Click` here; the body is not needed.
    #[oai(path = "/unsubscribe", method = "post", operation_id = "unsubscribe")]
    async fn unsubscribe(
        &self,
        n: Data<&Arc<Notifications>>,
        tenant: Data<&TenantContext>,
        token: Query<String>,
    ) -> Result<Json<Unsubscribed>, Problem> {
        let link = verified(&n, &tenant, &token.0)?;
        write(
            &n,
            &tenant,
            &link.address,
            PreferencesInput {
                choices: link
                    .categories
                    .iter()
                    .map(|category| ChoiceInput {
                        category: *category,
                        frequency: Frequency::Off,
                    })
                    .collect(),
            },
            "link",
        )
        .await?;
        let labels: Vec<&str> = link.categories.iter().map(|c| c.label()).collect();
        tracing::info!(categories = ?link.categories, "unsubscribed by link");
        Ok(Json(Unsubscribed {
            message: format!(
                "Wypisano. Nie będziemy już wysyłać wiadomości: {}. Wiadomości o bezpieczeństwie konta nadal będą przychodzić.",
                labels.join(", ")
            ),
            categories: link.categories,
        }))
    }
}
