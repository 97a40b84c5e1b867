//! Signing and verifying access tokens. Verification accepts only `EdDSA`, only keys it knows
//! by `kid`, only our issuer and audience, and requires `exp`, `iat` and `sub`; everything else
//! — `alg: none`, an HMAC token keyed with a public key, a foreign audience — is rejected.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use uuid::Uuid;

use crate::{AUDIENCE, Claims, ISSUER, KeyError, Role, SigningKeyPair};

/// Why a token was not accepted. The `code` is what clients see; details stay in logs.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("the token was signed with an unknown key")]
    UnknownKey,
}

impl AuthError {
    /// Stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired => "token_expired",
            Self::Invalid(_) | Self::UnknownKey => "token_invalid",
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Issues access tokens (identity service only).
pub struct TokenSigner {
    key_id: String,
    key: EncodingKey,
    ttl: Duration,
}

impl TokenSigner {
    pub fn new(pair: &SigningKeyPair, ttl: Duration) -> Result<Self, KeyError> {
        Ok(Self {
            key_id: pair.key_id(),
            key: EncodingKey::from_ed_der(&pair.pkcs8_der()?),
            ttl,
        })
    }

    /// Signs a token for `user` in session `session` with the given scope.
    pub fn sign(
        &self,
        user: Uuid,
        session: Uuid,
        tenant: Option<(lacznik_types::TenantId, String)>,
        roles: Vec<Role>,
        region: Option<String>,
        volunteer: Option<Uuid>,
    ) -> Result<(String, Claims), AuthError> {
        let iat = now();
        let (tid, ten) = tenant.map_or((None, None), |(id, slug)| (Some(id), Some(slug)));
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user,
            sid: session,
            jti: Uuid::now_v7(),
            iat,
            exp: iat + self.ttl.as_secs() as i64,
            tid,
            ten,
            roles,
            reg: region,
            vid: volunteer,
        };
        self.sign_claims(&claims).map(|token| (token, claims))
    }

    /// How long the tokens it signs live.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs exactly these claims (tests use it to craft expired or foreign tokens).
    pub fn sign_claims(&self, claims: &Claims) -> Result<String, AuthError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| AuthError::Invalid(e.to_string()))
    }
}

/// Verified tokens remembered, at most this many (then the expired ones, or all, are dropped).
const CACHE_CAPACITY: usize = 20_000;

/// Verifies access tokens with public keys (gateway and services).
///
/// A token that verified once is remembered until it expires: the same string, byte for byte,
/// carries the same signature, so checking it again proves nothing new, and an Ed25519
/// verification costs ~120 µs while a look-up costs well under one. Expiry is still checked on
/// every use.
#[derive(Clone)]
pub struct TokenVerifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
    verified: Arc<RwLock<HashMap<Box<str>, Claims>>>,
}

impl TokenVerifier {
    /// Trusts the given public keys: `(key id, base64url public key)`.
    pub fn new(keys: &[(String, String)]) -> Result<Self, AuthError> {
        let mut map = HashMap::new();
        for (kid, public) in keys {
            let key = DecodingKey::from_ed_components(public)
                .map_err(|e| AuthError::Invalid(e.to_string()))?;
            map.insert(kid.clone(), key);
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 30;
        Ok(Self {
            keys: map,
            validation,
            verified: Arc::default(),
        })
    }

    /// Seconds of clock skew tolerated on expiry (default 30).
    pub fn with_leeway(mut self, secs: u64) -> Self {
        self.validation.leeway = secs;
        self
    }

    /// Trusts one key pair's public half.
    pub fn for_pair(pair: &SigningKeyPair) -> Result<Self, AuthError> {
        Self::new(&[(pair.key_id(), pair.public_key())])
    }

    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let remembered = self
            .verified
            .read()
            .ok()
            .and_then(|cache| cache.get(token).cloned());
        if let Some(claims) = remembered {
            let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
            return if claims.exp + leeway >= now() {
                Ok(claims)
            } else {
                Err(AuthError::Expired)
            };
        }
        let claims = self.verify_signature(token)?;
        if let Ok(mut cache) = self.verified.write() {
            if cache.len() >= CACHE_CAPACITY {
                let now = now();
                cache.retain(|_, c| c.exp >= now);
                if cache.len() >= CACHE_CAPACITY {
                    cache.clear();
                }
            }
            cache.insert(token.into(), claims.clone());
        }
        Ok(claims)
    }

    fn verify_signature(&self, token: &str) -> Result<Claims, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(AuthError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let key = header
            .kid
            .as_ref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or(AuthError::UnknownKey)?;
        jsonwebtoken::decode::<Claims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                _ => AuthError::Invalid(e.to_string()),
            })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn setup() -> (SigningKeyPair, TokenSigner, TokenVerifier) {
        let pair = SigningKeyPair::generate();
        let signer = TokenSigner::new(&pair, Duration::from_secs(600)).unwrap();
        let verifier = TokenVerifier::for_pair(&pair).unwrap();
        (pair, signer, verifier)
    }

    fn coordinator(signer: &TokenSigner) -> (String, Claims) {
        signer
            .sign(
                Uuid::now_v7(),
                Uuid::now_v7(),
                Some((lacznik_types::TenantId::new(), "kielce".into())),
                vec![Role::Coordinator],
                None,
                None,
            )
            .unwrap()
    }

    fn b64(json: &serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    #[test]
    fn a_signed_token_verifies_with_its_claims() {
        let (_, signer, verifier) = setup();
        let (token, claims) = coordinator(&signer);
        let verified = verifier.verify(&token).unwrap();
        assert_eq!(verified, claims);
        assert!(verified.has_role(Role::Coordinator));
        assert_eq!(verified.ten.as_deref(), Some("kielce"));
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let pair = SigningKeyPair::generate();
        let signer = TokenSigner::new(&pair, Duration::from_secs(1)).unwrap();
        let verifier = TokenVerifier::for_pair(&pair).unwrap().with_leeway(0);
        let (token, _) = coordinator(&signer);
        assert!(verifier.verify(&token).is_ok());
        assert!(verifier.verify(&token).is_ok(), "served from memory");
        std::thread::sleep(Duration::from_millis(2100));
        assert_eq!(verifier.verify(&token), Err(AuthError::Expired));
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let (_, signer, verifier) = setup();
        let (_, mut claims) = coordinator(&signer);
        claims.iat -= 3600;
        claims.exp = claims.iat + 600;
        let token = signer.sign_claims(&claims).unwrap();
        assert_eq!(verifier.verify(&token), Err(AuthError::Expired));
    }

    #[test]
    fn tampered_tokens_are_rejected() {
        let (_, signer, verifier) = setup();
        let (token, mut claims) = coordinator(&signer);
        claims.roles = vec![Role::PlatformAdmin];
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(&serde_json::to_value(&claims).unwrap()),
            parts[2]
        );
        assert!(matches!(
            verifier.verify(&forged),
            Err(AuthError::Invalid(_))
        ));
    }

    #[test]
    fn alg_none_is_rejected() {
        let (pair, signer, verifier) = setup();
        let (_, claims) = coordinator(&signer);
        let header = serde_json::json!({"alg": "none", "typ": "JWT", "kid": pair.key_id()});
        let token = format!(
            "{}.{}.",
            b64(&header),
            b64(&serde_json::to_value(&claims).unwrap())
        );
        assert!(verifier.verify(&token).is_err());
    }

    #[test]
    fn an_hmac_token_keyed_with_the_public_key_is_rejected() {
        let (pair, signer, verifier) = setup();
        let (_, claims) = coordinator(&signer);
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(pair.key_id());
        for secret in [
            pair.public_key().into_bytes(),
            URL_SAFE_NO_PAD.decode(pair.public_key()).unwrap(),
        ] {
            let token =
                jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret)).unwrap();
            assert!(matches!(
                verifier.verify(&token),
                Err(AuthError::Invalid(_))
            ));
        }
    }

    #[test]
    fn wrong_audience_issuer_or_key_is_rejected() {
        let (_, signer, verifier) = setup();
        let (_, claims) = coordinator(&signer);
        let mut foreign = claims.clone();
        foreign.aud = "some-other-api".into();
        assert!(
            verifier
                .verify(&signer.sign_claims(&foreign).unwrap())
                .is_err()
        );
        let mut foreign = claims.clone();
        foreign.iss = "someone-else".into();
        assert!(
            verifier
                .verify(&signer.sign_claims(&foreign).unwrap())
                .is_err()
        );

        let (_, other_signer, _) = setup();
        let (token, _) = coordinator(&other_signer);
        assert_eq!(verifier.verify(&token), Err(AuthError::UnknownKey));
    }

    #[test]
    fn keys_survive_a_round_trip_through_pem() {
        let pair = SigningKeyPair::generate();
        let again = SigningKeyPair::from_pem(&pair.to_pem().unwrap()).unwrap();
        assert_eq!(pair.public_key(), again.public_key());
        assert!(SigningKeyPair::from_pem(&secrecy::SecretString::from("nie klucz")).is_err());
    }
}
