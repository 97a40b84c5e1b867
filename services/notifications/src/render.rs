//! A delivery record as the message on the wire: the template in the recipient's language, the
//! office as sender (name, address, reply-to, card at the foot), the stable Message-ID, a
//! signed unsubscribe link for mail a person may refuse, a calendar invitation for assignments
//! and shifts, and the office's DKIM signature when it has a key.

use chrono::{DateTime, Utc};
use lacznik_mail::ics::{Invite, Method};
use lacznik_mail::templates::{self, OfficeCard};
use lacznik_mail::{Outgoing, Recipient, Sender};
use lacznik_queue::email::office_page;
use lacznik_tenancy::Scope;
use serde_json::Value;

use crate::Notifications;
use crate::kinds::Category;
use crate::links::{UNSUBSCRIBE_PAGE, Unsubscribe};
use crate::store::deliveries::Delivery;

pub use lacznik_mail::Dkim;

/// Why a delivery cannot become a message.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The office's details could not be read now; try again later.
    #[error("office details unavailable")]
    OfficeUnavailable,
    /// The request itself is broken (template, address): it will never send.
    #[error("{0}")]
    Broken(String),
}

/// Who the mail is from, and the card at its foot.
#[derive(Clone, Debug)]
pub struct Branding {
    pub slug: Option<String>,
    pub sender: Sender,
    pub card: OfficeCard,
}

/// The office's branding: from the request when the producer gave it, else from the register
/// of offices; the platform's for platform mail.
pub async fn branding(
    n: &Notifications,
    scope: Scope,
    payload: &Value,
) -> Result<Branding, RenderError> {
    let Some(tenant) = scope.tenant() else {
        return Ok(Branding {
            slug: None,
            sender: Sender {
                name: n.settings.platform_from_name.clone(),
                address: n.settings.platform_from_address.clone(),
                reply_to: None,
            },
            card: OfficeCard {
                name: n.settings.platform_from_name.clone(),
                ..OfficeCard::default()
            },
        });
    };
    let given = &payload["office"];
    if given.is_object() {
        let s = |key: &str| given[key].as_str().unwrap_or_default().to_owned();
        return Ok(Branding {
            slug: Some(s("slug")),
            sender: Sender {
                name: s("from_name"),
                address: s("from_address"),
                reply_to: Some(s("reply_to")).filter(|r| !r.is_empty()),
            },
            card: OfficeCard {
                name: s("name"),
                address: s("address"),
                phone: s("phone"),
                email: s("reply_to"),
            },
        });
    }
    let office = n
        .offices
        .get_by_id(tenant)
        .await
        .map_err(|_| RenderError::OfficeUnavailable)?;
    let or = |value: &str, default: &str| {
        if value.is_empty() {
            default.to_owned()
        } else {
            value.to_owned()
        }
    };
    Ok(Branding {
        slug: Some(office.slug.clone()),
        sender: Sender {
            name: or(
                &office.mail_from_name,
                &or(&office.short_name, &office.name),
            ),
            address: or(&office.mail_from_address, &office.email),
            reply_to: Some(or(&office.mail_reply_to, &office.email)),
        },
        card: OfficeCard {
            name: office.name.clone(),
            address: office.address(),
            phone: office.phone.clone(),
            email: office.email.clone(),
        },
    })
}

/// The kinds of mail an unsubscribe link of this delivery stops: its own kind, or for a daily
/// digest the kinds it bundles. None for mail nobody may refuse.
pub fn refusable(delivery: &Delivery, data: &Value) -> Vec<Category> {
    if delivery.template == "daily_digest" {
        return data["categories"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|c| c.as_str().and_then(Category::parse))
                    .filter(|c| c.choosable())
                    .collect()
            })
            .unwrap_or_default();
    }
    Category::parse(&delivery.category)
        .filter(|c| c.choosable())
        .into_iter()
        .collect()
}

/// The unsubscribe page for this delivery's kinds, if the recipient may refuse them.
pub fn unsubscribe_url(
    n: &Notifications,
    scope: Scope,
    slug: Option<&str>,
    delivery: &Delivery,
    categories: Vec<Category>,
) -> Option<String> {
    let tenant = scope.tenant()?;
    if categories.is_empty() {
        return None;
    }
    let token = n.links.sign(&Unsubscribe {
        tenant,
        address: delivery.recipient.clone(),
        categories,
    });
    Some(format!(
        "{}?token={token}",
        office_page(&n.settings.public_url, slug, UNSUBSCRIBE_PAGE)
    ))
}

/// The message for `delivery`.
pub async fn message(
    n: &Notifications,
    scope: Scope,
    delivery: &Delivery,
) -> Result<lacznik_mail::Message, RenderError> {
    let payload: Value = serde_json::from_str(&delivery.payload)
        .map_err(|e| RenderError::Broken(format!("payload: {e}")))?;
    let brand = branding(n, scope, &payload).await?;
    let categories = refusable(delivery, &payload["data"]);
    let label = categories
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ");
    let unsubscribe = unsubscribe_url(n, scope, brand.slug.as_deref(), delivery, categories);
    let text = |key: &str| payload[key].as_str().unwrap_or_default().to_owned();
    let expires_at = payload["expires_at"]
        .as_str()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map(|at| at.with_timezone(&Utc));
    let data = &payload["data"];
    let rendered = templates::render(&templates::Request {
        template: &delivery.template,
        locale: &delivery.locale,
        to_name: &delivery.recipient_name,
        link: &text("link"),
        expires_at,
        data,
        office: &brand.card,
        unsubscribe: unsubscribe
            .as_deref()
            .map(|url| templates::Unsubscribe { label: &label, url }),
    })
    .map_err(|e| RenderError::Broken(e.to_string()))?;
    let out = Outgoing {
        message_id: delivery.message_id.clone(),
        from: brand.sender.clone(),
        to: Recipient {
            name: delivery.recipient_name.clone(),
            address: delivery.recipient.clone(),
        },
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        invite: invite(n, delivery, data, &brand),
        unsubscribe,
    };
    let mut message =
        lacznik_mail::compose(&out).map_err(|e| RenderError::Broken(e.to_string()))?;
    if let Some(dkim) = brand.slug.as_ref().and_then(|slug| n.dkim.get(slug)) {
        dkim.sign(&mut message);
    }
    Ok(message)
}

/// The calendar invitation of an assignment or shift email: one event per assignment (the
/// visits of a pairing as further dates of it), updated or cancelled under the same UID.
fn invite(
    n: &Notifications,
    delivery: &Delivery,
    data: &Value,
    brand: &Branding,
) -> Option<Invite> {
    let (method, sequence) = match delivery.template.as_str() {
        "assignment_confirmed" => (Method::Request, 0),
        "assignment_changed" => (
            Method::Request,
            u32::try_from(data["sequence"].as_u64().unwrap_or(1)).unwrap_or(1),
        ),
        "assignment_cancelled" => (
            Method::Cancel,
            u32::try_from(data["sequence"].as_u64().unwrap_or(1)).unwrap_or(1),
        ),
        "shift_signup" if data["status"].as_str() != Some("waitlisted") => (Method::Request, 0),
        _ => return None,
    };
    let at = |v: &Value| {
        v.as_str()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .map(|at| at.with_timezone(&Utc))
    };
    let mut starts: Vec<(DateTime<Utc>, DateTime<Utc>)> = data["visits"]
        .as_array()
        .map(|visits| {
            visits
                .iter()
                .filter_map(|v| Some((at(&v["starts_at"])?, at(&v["ends_at"])?)))
                .collect()
        })
        .unwrap_or_default();
    if starts.is_empty() {
        starts.push((at(&data["starts_at"])?, at(&data["ends_at"])?));
    }
    starts.sort();
    let (starts_at, ends_at) = starts[0];
    let id = data["assignment_id"]
        .as_str()
        .or_else(|| data["signup_id"].as_str())?;
    let title = data["need_title"]
        .as_str()
        .or_else(|| data["action_title"].as_str())
        .unwrap_or_default();
    let description = [
        data["when"].as_str().unwrap_or_default(),
        data["safety_info"].as_str().unwrap_or_default(),
        brand.card.phone.as_str(),
    ]
    .iter()
    .filter(|l| !l.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join("\n");
    Some(Invite {
        uid: format!("{id}@{}", n.settings.message_domain),
        sequence,
        method,
        summary: title.to_owned(),
        description,
        location: data["district"]
            .as_str()
            .or_else(|| data["place"].as_str())
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        starts_at,
        ends_at,
        also_starts: starts[1..].iter().map(|(s, _)| *s).collect(),
        organizer_name: brand.sender.name.clone(),
        organizer_email: brand.sender.address.clone(),
        attendee_name: delivery.recipient_name.clone(),
        attendee_email: delivery.recipient.clone(),
        stamped_at: delivery.created_at,
    })
}
