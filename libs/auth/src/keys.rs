//! Ed25519 key pairs. The private half is PKCS#8 PEM (a secret, kept by the identity service);
//! the public half is 32 bytes, published as base64url with a key id so keys can be rotated.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key is not an Ed25519 private key in PKCS#8 PEM")]
    BadPrivateKey,
    #[error("cannot encode the key")]
    Encode,
}

/// A signing key and what others need to verify its tokens.
pub struct SigningKeyPair {
    key: SigningKey,
}

impl SigningKeyPair {
    /// A fresh random key.
    pub fn generate() -> Self {
        let seed: [u8; 32] = rand::random();
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(pem: &SecretString) -> Result<Self, KeyError> {
        SigningKey::from_pkcs8_pem(pem.expose_secret())
            .map(|key| Self { key })
            .map_err(|_| KeyError::BadPrivateKey)
    }

    /// The private key as PKCS#8 PEM, to store.
    pub fn to_pem(&self) -> Result<SecretString, KeyError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| SecretString::from(pem.as_str().to_owned()))
            .map_err(|_| KeyError::Encode)
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        self.key
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|_| KeyError::Encode)
    }

    /// The public key, base64url (the JWK `x`).
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes())
    }

    /// A short stable id of this key, carried in each token's `kid` header.
    pub fn key_id(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.key.verifying_key().as_bytes()[..9])
    }
}
