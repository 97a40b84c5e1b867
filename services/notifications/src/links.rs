//! Unsubscribe links. A link names the office, the address and the kind of mail, signed with
//! HMAC-SHA256 under the deployment's link key, so it works without signing in and cannot be
//! forged for someone else's address. It must travel in the query string, not the fragment:
//! RFC 8058 one-click unsubscribe is a POST by the mail provider to exactly that URL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use lacznik_types::TenantId;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::kinds::Category;

/// The page of an office where a person unsubscribes (and, with one click, the POST target).
pub const UNSUBSCRIBE_PAGE: &str = "wolontariat/wypisz";

/// What a valid link says: whose mail, of which kinds (one, or for a daily digest the kinds
/// it bundles).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsubscribe {
    pub tenant: TenantId,
    pub address: String,
    pub categories: Vec<Category>,
}

/// Signs and checks links.
#[derive(Clone)]
pub struct LinkKey(Hmac<Sha256>);

/// A link that is malformed, forged, or for another office.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid unsubscribe link")]
pub struct InvalidLink;

const SIGNATURE_BYTES: usize = 16;

impl LinkKey {
    /// A key from the configured secret (HMAC takes a key of any length; an empty one is
    /// refused).
    pub fn new(secret: &SecretString) -> Result<Self, InvalidLink> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.is_empty() {
            return Err(InvalidLink);
        }
        Hmac::<Sha256>::new_from_slice(bytes)
            .map(Self)
            .map_err(|_| InvalidLink)
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.0.clone()
    }

    /// The token for `what`: `<payload>.<signature>`, both base64url.
    pub fn sign(&self, what: &Unsubscribe) -> String {
        let categories: Vec<&str> = what.categories.iter().map(|c| c.as_str()).collect();
        let payload = format!(
            "{}|{}|{}",
            what.tenant,
            categories.join(","),
            what.address.to_lowercase()
        );
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(&signature[..SIGNATURE_BYTES])
        )
    }

    /// What a token says, if this key signed it.
    pub fn verify(&self, token: &str) -> Result<Unsubscribe, InvalidLink> {
        let (payload, signature) = token.trim().split_once('.').ok_or(InvalidLink)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| InvalidLink)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| InvalidLink)?;
        if signature.len() != SIGNATURE_BYTES {
            return Err(InvalidLink);
        }
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_truncated_left(&signature)
            .map_err(|_| InvalidLink)?;
        let payload = String::from_utf8(payload).map_err(|_| InvalidLink)?;
        let mut parts = payload.splitn(3, '|');
        let tenant = parts
            .next()
            .and_then(|t| t.parse::<uuid::Uuid>().ok())
            .map(TenantId::from_uuid)
            .ok_or(InvalidLink)?;
        let categories = parts
            .next()
            .and_then(|list| {
                list.split(',')
                    .map(Category::parse)
                    .collect::<Option<Vec<_>>>()
            })
            .filter(|list| !list.is_empty() && list.iter().all(|c| c.choosable()))
            .ok_or(InvalidLink)?;
        let address = parts
            .next()
            .filter(|a| a.contains('@'))
            .ok_or(InvalidLink)?;
        Ok(Unsubscribe {
            tenant,
            address: address.to_owned(),
            categories,
        })
    }
}

/// The link key kept in `path`, created (random, readable by its owner only) on first use —
/// the embedded mode's default, like the token-signing key.
pub fn key_file(path: &std::path::Path) -> std::io::Result<SecretString> {
    match std::fs::read_to_string(path) {
        Ok(key) => Ok(SecretString::from(key.trim().to_owned())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let key: [u8; 32] = rand::random();
            let key = hex::encode(key);
            write_private(path, &key)?;
            tracing::info!(path = %path.display(), "created a key for unsubscribe links");
            Ok(SecretString::from(key))
        }
        Err(error) => Err(error),
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> LinkKey {
        LinkKey::new(&SecretString::from(secret.to_owned())).unwrap()
    }

    fn link() -> Unsubscribe {
        Unsubscribe {
            tenant: TenantId::from_uuid(uuid::Uuid::now_v7()),
            address: "zofia@example.pl".into(),
            categories: vec![Category::Offers],
        }
    }

    #[test]
    fn a_signed_link_verifies_and_a_changed_one_does_not() {
        let what = link();
        let token = key("k1").sign(&what);
        assert_eq!(key("k1").verify(&token), Ok(what.clone()));
        let digest = Unsubscribe {
            categories: vec![Category::Offers, Category::Reminders],
            ..what.clone()
        };
        assert_eq!(key("k1").verify(&key("k1").sign(&digest)), Ok(digest));
        assert_eq!(key("k2").verify(&token), Err(InvalidLink));

        let (_, signature) = token.split_once('.').unwrap();
        let forged = Unsubscribe {
            address: "ktos@example.pl".into(),
            ..what
        };
        let payload = format!("{}|offers|{}", forged.tenant, forged.address);
        let tampered = format!("{}.{signature}", URL_SAFE_NO_PAD.encode(payload));
        assert_eq!(key("k1").verify(&tampered), Err(InvalidLink));
        assert_eq!(key("k1").verify("garbage"), Err(InvalidLink));
        assert_eq!(key("k1").verify(""), Err(InvalidLink));
    }

    #[test]
    fn security_mail_has_no_valid_link() {
        let mut what = link();
        what.categories = vec![Category::Offers, Category::Security];
        let token = key("k").sign(&what);
        assert_eq!(key("k").verify(&token), Err(InvalidLink));
    }
}
