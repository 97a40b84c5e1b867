//! Who is calling. Access tokens are short-lived JWTs signed with Ed25519 (`EdDSA`): the
//! identity service holds the private key; the gateway and every service verify with public
//! keys only, accepting exactly one algorithm, one issuer and one audience. Passwords are
//! hashed with argon2id at OWASP's recommended cost.
//!
//! This crate is the shared machinery; issuing sessions, refresh-token rotation and the
//! per-operation role checks are built on it by the identity service and the others.

mod claims;
mod keys;
pub mod password;
pub mod secret;
mod tokens;

pub use claims::{AUDIENCE, Claims, ISSUER, Role};
pub use keys::{KeyError, SigningKeyPair};
pub use tokens::{AuthError, TokenSigner, TokenVerifier};
