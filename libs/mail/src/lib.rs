//! Email for Łącznik: composing a message the way mail clients expect it — multipart text and
//! HTML, Polish letters encoded correctly in headers and bodies, a stable `Message-ID`, one-click
//! unsubscribe (RFC 8058) and a calendar invitation for assignments and shifts — and sending it
//! through lettre: pooled SMTP with the TLS mode taken from the URL, or `.eml` files in the
//! embedded mode. Every send runs under a timeout (lettre's own covers connecting only), and a
//! failure says whether trying again can help.

pub mod ics;
mod pool;
pub mod templates;
mod transport;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

pub use lettre::Message;
pub use transport::{Mailer, SendError};

/// Composing failed: an address or a header that cannot be put in a message.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0:?}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("invalid transport URL: {0}")]
    Url(String),
}

/// Who sends: the office, by name.
#[derive(Clone, Debug)]
pub struct Sender {
    pub name: String,
    pub address: String,
    pub reply_to: Option<String>,
}

/// Who receives.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub name: String,
    pub address: String,
}

/// A message ready to compose.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Without angle brackets, e.g. `01a2…@lacznik.example`; the same for every redelivery of one
    /// event, so a receiving server or client can tell a duplicate.
    pub message_id: String,
    pub from: Sender,
    pub to: Recipient,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// A calendar invitation, attached and offered as an alternative.
    pub invite: Option<ics::Invite>,
    /// The one-click unsubscribe address (HTTPS, signed); absent for mail nobody may refuse
    /// (security mail).
    pub unsubscribe: Option<String>,
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone, Debug)]
struct ListUnsubscribe(String);

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Clone, Debug)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

fn mailbox(name: &str, address: &str) -> Result<Mailbox, MailError> {
    let address = address
        .parse()
        .map_err(|_| MailError::Address(address.to_owned()))?;
    Ok(Mailbox::new(Some(name.to_owned()), address))
}

/// The message as it goes on the wire.
pub fn compose(out: &Outgoing) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .message_id(Some(format!("<{}>", out.message_id)))
        .from(mailbox(&out.from.name, &out.from.address)?)
        .to(mailbox(&out.to.name, &out.to.address)?)
        .subject(out.subject.clone());
    if let Some(reply_to) = &out.from.reply_to {
        builder = builder.reply_to(mailbox(&out.from.name, reply_to)?);
    }
    if let Some(url) = &out.unsubscribe {
        builder = builder
            .header(ListUnsubscribe(url.clone()))
            .header(ListUnsubscribePost);
    }
    let mut alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(out.text.clone()))
        .singlepart(SinglePart::html(out.html.clone()));
    let body = match &out.invite {
        None => alternative,
        Some(invite) => {
            let calendar = invite.to_ics();
            let content_type = ContentType::parse(&format!(
                "text/calendar; charset=utf-8; method={}",
                invite.method_name()
            ))
            .map_err(|e| MailError::Build(e.to_string()))?;
            alternative = alternative.singlepart(
                SinglePart::builder()
                    .header(content_type.clone())
                    .body(calendar.clone()),
            );
            MultiPart::mixed().multipart(alternative).singlepart(
                Attachment::new("zaproszenie.ics".to_owned()).body(calendar, content_type),
            )
        }
    };
    builder
        .multipart(body)
        .map_err(|e| MailError::Build(e.to_string()))
}

/// DKIM signing with an office's key (RFC 6376), so receivers can tell mail "from" the office's
/// own domain really comes from a sender the office authorised.
pub struct Dkim(lettre::message::dkim::DkimConfig);

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dkim(…)")
    }
}

impl Dkim {
    /// A key for `domain` published under `selector`: an RSA key in PKCS#1 PEM
    /// (`BEGIN RSA PRIVATE KEY`), or an Ed25519 key as the base64 of its 32-byte seed.
    pub fn new(domain: &str, selector: &str, key: &str) -> Result<Self, MailError> {
        use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
        let algorithm = if key.contains("BEGIN RSA PRIVATE KEY") {
            DkimSigningAlgorithm::Rsa
        } else {
            DkimSigningAlgorithm::Ed25519
        };
        let key = DkimSigningKey::new(key.trim(), algorithm)
            .map_err(|e| MailError::Build(format!("DKIM key for {domain}: {e}")))?;
        let mut headers: Vec<HeaderName> = [
            "From",
            "Subject",
            "To",
            "Date",
            "Message-ID",
            "Reply-To",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
        ]
        .into_iter()
        .map(HeaderName::new_from_ascii_str)
        .collect();
        headers.dedup();
        Ok(Self(DkimConfig::new(
            selector.to_owned(),
            domain.to_owned(),
            key,
            headers,
            lettre::message::dkim::DkimCanonicalization {
                header: lettre::message::dkim::DkimCanonicalizationType::Relaxed,
                body: lettre::message::dkim::DkimCanonicalizationType::Relaxed,
            },
        )))
    }

    /// Adds the `DKIM-Signature` header.
    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.0);
    }
}
