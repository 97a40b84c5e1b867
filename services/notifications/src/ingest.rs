//! From events to delivery records: each `email.requested` becomes one delivery (unique per
//! event and recipient, so an event that comes twice adds nothing) and a send job. A request
//! that can never be sent — an address no server would take, a template nobody wrote — is
//! recorded as failed with the reason, so a coordinator sees it in the log.

use std::sync::Arc;

use chrono::Utc;
use lacznik_queue::consumer::{BoxFuture, Delivered, Handler, HandlerError, by_office};
use lacznik_queue::email::EMAIL_REQUESTED;
use lacznik_tenancy::Scope;
use uuid::Uuid;

use crate::kinds::Category;
use crate::store::deliveries::{self, NewDelivery, Status};
use crate::{GROUP, Notifications};

/// The notifications service's event handler.
pub struct Ingest(pub Arc<Notifications>);

impl Handler for Ingest {
    fn group(&self) -> &'static str {
        GROUP
    }

    fn wants(&self, topic: &str) -> bool {
        topic == EMAIL_REQUESTED
    }

    fn handle<'a>(&'a self, events: &'a [Delivered]) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            for (tenant, events) in by_office(events) {
                let scope = tenant.map_or(Scope::Platform, Scope::Office);
                let planned: Vec<NewDelivery> = events
                    .iter()
                    .map(|e| plan(&self.0.settings.message_domain, e))
                    .collect();
                let txn = self.0.db.begin(scope).await.map_err(HandlerError::new)?;
                let queued = deliveries::insert(&*txn, scope, &planned, Utc::now())
                    .await
                    .map_err(HandlerError::new)?;
                txn.commit().await.map_err(HandlerError::new)?;
                self.0.enqueue(scope, &queued).await;
            }
            Ok(())
        })
    }
}

/// A stable id for "the `kind` mail of this office keyed `key`" (a day's digest, a notice a
/// producer repeats): used as a delivery's event id, so it is recorded once per recipient.
pub fn stable_event_id(kind: &str, scope: Scope, key: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{kind}|{:?}|{key}", scope.tenant()).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// `<id>@<domain>`: the Message-ID of a delivery, the same on every attempt.
pub fn message_id(id: Uuid, domain: &str) -> String {
    format!("{id}@{domain}")
}

/// The delivery an email request asks for.
pub fn plan(domain: &str, event: &Delivered) -> NewDelivery {
    let p = &event.payload;
    let text = |key: &str| p[key].as_str().unwrap_or_default().trim().to_owned();
    let template = text("template");
    let raw_to = text("to");
    let address = lacznik_types::Email::parse(&raw_to)
        .map(|e| e.as_str().to_lowercase())
        .ok();
    let category = Category::of_template(&template);
    let id = Uuid::now_v7();
    let problem = if address.is_none() {
        Some(format!(
            "invalid_address: {raw_to:?} is not an email address"
        ))
    } else if !lacznik_mail::templates::exists(&template) {
        Some(format!("unknown_template: {template:?}"))
    } else {
        None
    };
    let locale = match text("locale").as_str() {
        "en" => "en",
        _ => "pl",
    };
    let scope = event.tenant.map_or(Scope::Platform, Scope::Office);
    let event_id = match p["dedupe_key"].as_str().filter(|k| !k.is_empty()) {
        Some(key) => stable_event_id("dedupe", scope, key),
        None => event.id,
    };
    NewDelivery {
        id,
        event_id,
        recipient: address.unwrap_or_else(|| truncate(&raw_to.to_lowercase(), 254)),
        recipient_name: truncate(&text("to_name"), 200),
        locale: locale.to_owned(),
        template: truncate(&template, 40),
        category: category.as_str(),
        tier: category.tier(),
        status: if problem.is_some() {
            Status::Failed
        } else {
            Status::Queued
        },
        last_error: problem,
        payload: p.to_string(),
        message_id: message_id(id, domain),
        broadcast_id: None,
        resend_of: None,
        traceparent: event.traceparent.clone(),
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(payload: serde_json::Value) -> Delivered {
        Delivered {
            id: Uuid::now_v7(),
            tenant: None,
            topic: EMAIL_REQUESTED.into(),
            payload,
            traceparent: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_request_becomes_a_queued_delivery_with_a_stable_message_id() {
        let e = event(serde_json::json!({
            "template": "offer", "to": "Zofia@Example.PL", "to_name": "Zofia Łękawska",
            "locale": "pl", "link": "https://x/#token=1", "data": {}
        }));
        let d = plan("lacznik.example", &e);
        assert_eq!(d.status, Status::Queued);
        assert_eq!(d.recipient, "zofia@example.pl");
        assert_eq!((d.category, d.tier), ("offers", 1));
        assert_eq!(d.message_id, format!("{}@lacznik.example", d.id));
        assert_eq!(d.event_id, e.id);
    }

    #[test]
    fn a_repeated_notice_with_a_dedupe_key_has_one_event_id() {
        let notice = || {
            event(serde_json::json!({
                "template": "check_expiring", "to": "a@example.pl",
                "dedupe_key": "check_expiring:1:2026-12-31"
            }))
        };
        let (first, second) = (notice(), notice());
        assert_ne!(first.id, second.id);
        assert_eq!(plan("x", &first).event_id, plan("x", &second).event_id);
    }

    #[test]
    fn an_unsendable_request_is_recorded_as_failed_with_the_reason() {
        let d = plan(
            "x",
            &event(serde_json::json!({"template": "offer", "to": "nie-adres"})),
        );
        assert_eq!(d.status, Status::Failed);
        assert!(d.last_error.unwrap().starts_with("invalid_address"));
        let d = plan(
            "x",
            &event(serde_json::json!({"template": "nope", "to": "a@example.pl"})),
        );
        assert!(d.last_error.unwrap().starts_with("unknown_template"));
    }
}
