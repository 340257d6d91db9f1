//! Short-lived access tokens and long-lived integration tokens, both HS256 JWTs.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The `iss` claim of every token this service issues.
pub const ISSUER: &str = "spbe-servicedesk";
/// The `aud` claim: the REST API.
pub const AUDIENCE: &str = "spbe-servicedesk-api";

/// What a token was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// From a password login; lives `SERVICEDESK_ACCESS_TOKEN_TTL` seconds.
    Access,
    /// From `POST /users/{id}/tokens`; revocable, checked against its stored row.
    Integration,
}

/// The claims we sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The role at issue time (informational: the stored role decides).
    pub role: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// Token id: the stored row's id for integration tokens.
    pub jti: String,
    /// Access or integration.
    pub typ: TokenKind,
}

/// Why a token is refused. Callers answer every variant with the same `401`.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Bad signature, algorithm, issuer, audience, shape or claims.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// Past its `exp` by the service's clock.
    #[error("token expired")]
    Expired,
}

/// The HMAC key, and the rules every token must pass.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    /// Keys from the configured secret (at least 32 bytes, checked by the config).
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked against the service's injectable clock in `verify`, not the
        // library's own reading of the system time.
        validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs a token for `user_id` valid until `expires_at`.
    pub fn issue(
        &self,
        user_id: &str,
        role: &str,
        token_id: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user_id.to_owned(),
            role: role.to_owned(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: token_id.to_owned(),
            typ: kind,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature, algorithm (HS256 only: `alg=none` and others fail), issuer, audience
    /// and expiry.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn issue(keys: &JwtKeys, now: DateTime<Utc>) -> String {
        keys.issue(
            "u1",
            "tier1",
            "t1",
            TokenKind::Access,
            now,
            now + Duration::hours(1),
        )
        .expect("signs")
    }

    #[test]
    fn a_fresh_token_verifies() {
        let keys = JwtKeys::new(SECRET);
        let now = Utc::now();
        let claims = keys.verify(&issue(&keys, now), now).expect("valid");
        assert_eq!((claims.sub.as_str(), claims.typ), ("u1", TokenKind::Access));
    }

    #[test]
    fn expiry_follows_the_service_clock() {
        let keys = JwtKeys::new(SECRET);
        let now = Utc::now();
        let token = issue(&keys, now);
        assert!(matches!(
            keys.verify(&token, now + Duration::hours(1)),
            Err(TokenError::Expired)
        ));
    }

    #[test]
    fn another_secret_is_refused() {
        let now = Utc::now();
        let token = issue(&JwtKeys::new(b"another-secret-another-secret-xx"), now);
        assert!(JwtKeys::new(SECRET).verify(&token, now).is_err());
    }
}
