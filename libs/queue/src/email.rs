//! The contract of an email request: what a service writes to its outbox when a person should
//! get a message, and how links in it are built. The notifications service renders and sends it.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Topic of every email request, whichever service asks.
pub const EMAIL_REQUESTED: &str = "email.requested";

/// An email the notifications service will send.
#[derive(Debug, Serialize)]
pub struct EmailRequested {
    /// Template name, e.g. `password_reset`.
    pub template: &'static str,
    pub to: String,
    pub to_name: String,
    pub locale: &'static str,
    pub link: String,
    /// When the link stops working; absent for a link that does not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The sending office when the producer knows it; absent for platform emails and for
    /// producers that leave the office's branding to the notifications service (the outbox row
    /// names the office).
    pub office: Option<OfficeSender>,
    /// Extra template values.
    pub data: serde_json::Value,
    /// For notices a producer may repeat (a daily job): the notifications service sends at most
    /// one email per key and recipient, however many requests carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedupe_key: Option<String>,
}

impl EmailRequested {
    /// A request in Polish, without a link or template values, whose sender the notifications
    /// service looks up from the office; fill in the rest with struct update syntax.
    pub fn new(template: &'static str, to: &str, to_name: &str) -> Self {
        Self {
            template,
            to: to.to_owned(),
            to_name: to_name.to_owned(),
            locale: "pl",
            link: String::new(),
            expires_at: None,
            office: None,
            data: serde_json::json!({}),
            dedupe_key: None,
        }
    }
}

/// Writes `email` to the outbox of the office of `txn`, in that transaction.
pub async fn request(
    txn: &lacznik_tenancy::TenantTxn,
    email: EmailRequested,
) -> Result<uuid::Uuid, sea_orm::DbErr> {
    crate::enqueue_office(
        txn,
        &crate::Event {
            topic: EMAIL_REQUESTED,
            payload: email,
        },
    )
    .await
}

/// Who an office's emails come from.
#[derive(Debug, Serialize)]
pub struct OfficeSender {
    pub slug: String,
    pub name: String,
    pub from_name: String,
    pub from_address: String,
    pub reply_to: String,
    pub phone: String,
    pub address: String,
}

/// The address of a page at an office (`https://kielce.example.pl/<page>`) or, without an
/// office, on the platform. The secret travels in the fragment, which browsers never send to a
/// server or in a Referer header; the page reads it and posts it to the API.
pub fn page_link(public_url: &str, office_slug: Option<&str>, page: &str, secret: &str) -> String {
    format!(
        "{}#token={secret}",
        office_page(public_url, office_slug, page)
    )
}

/// The address of a page at an office, or on the platform, that needs no secret.
pub fn office_page(public_url: &str, office_slug: Option<&str>, page: &str) -> String {
    let base = match (office_slug, url::Url::parse(public_url)) {
        (Some(slug), Ok(mut url)) => {
            let host = url.host_str().unwrap_or("localhost").to_owned();
            if url.set_host(Some(&format!("{slug}.{host}"))).is_err() {
                tracing::warn!("public_url cannot take an office subdomain");
            }
            url.to_string()
        }
        (_, Ok(url)) => url.to_string(),
        (_, Err(_)) => public_url.to_owned(),
    };
    format!("{}/{page}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::page_link;

    #[test]
    fn office_pages_live_on_the_office_subdomain_with_the_secret_in_the_fragment() {
        assert_eq!(
            page_link(
                "https://lacznik.pl",
                Some("kielce"),
                "konto/logowanie",
                "s3"
            ),
            "https://kielce.lacznik.pl/konto/logowanie#token=s3"
        );
        assert_eq!(
            page_link("http://localhost:8080/", None, "konto/nowe-haslo", "x"),
            "http://localhost:8080/konto/nowe-haslo#token=x"
        );
    }
}
