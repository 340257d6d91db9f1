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

/// The longest an integration token may live, in days.
pub const INTEGRATION_MAX_DAYS: i64 = 730;

/// The claims we sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The role the token was issued for: a token whose role is not the account's stored
    /// role is refused.
    pub role: String,
    /// The account's credential generation at issue time. Tokens from before generations
    /// existed carry none and count as the first.
    #[serde(rename = "gen", default)]
    pub generation: i64,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, seconds since the epoch; we never set it, but honour it when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// Token id: the stored row's id for integration tokens.
    pub jti: String,
    /// Access or integration.
    pub typ: TokenKind,
}

/// Whom a token speaks for, as the account stands when it is issued.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    /// The user id.
    pub user_id: &'a str,
    /// The account's role.
    pub role: &'a str,
    /// The account's credential generation.
    pub generation: i64,
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
    /// Before its `nbf`, or issued (`iat`) later than now, by the service's clock: a future
    /// `iat` would stretch the lifetime rule below to any length.
    #[error("token not yet valid")]
    NotYetValid,
    /// A subject or token id no id of ours can be (a control character in it).
    #[error("token names no account")]
    Malformed,
    /// Its `exp` lies further after its `iat` than this service ever issues: signed by
    /// someone holding the key, not by us.
    #[error("token lifetime longer than {max_secs} seconds")]
    TooLong {
        /// The longest lifetime of a token of its kind.
        max_secs: i64,
    },
}

/// How far ahead of the service's clock a token's `iat` may be: another process of the desk
/// whose clock runs slightly ahead may have issued it.
const CLOCK_SKEW_SECS: i64 = 60;

/// The HMAC key, and the rules every token must pass.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl_secs: i64,
}

impl JwtKeys {
    /// Keys from the configured secret (at least 32 bytes, checked by the config); access
    /// tokens live `access_ttl_secs`.
    pub fn new(secret: &[u8], access_ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry and not-before are checked against the service's injectable clock in
        // `verify`, not the library's own reading of the system time.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
        }
    }

    /// Signs a token for `holder` valid until `expires_at`.
    pub fn issue(
        &self,
        holder: Holder<'_>,
        token_id: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: holder.user_id.to_owned(),
            role: holder.role.to_owned(),
            generation: holder.generation,
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            nbf: None,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: token_id.to_owned(),
            typ: kind,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature, algorithm (HS256 only: `alg=none` and others fail), issuer, audience,
    /// expiry, not-before and that the lifetime is one this service issues.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        let now = now.timestamp();
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if claims.nbf.is_some_and(|nbf| nbf > now) || claims.iat > now + CLOCK_SKEW_SECS {
            return Err(TokenError::NotYetValid);
        }
        if [&claims.sub, &claims.jti]
            .iter()
            .any(|id| id.chars().any(char::is_control))
        {
            // Refused here, so that both databases answer alike (PostgreSQL cannot compare
            // text holding a NUL).
            return Err(TokenError::Malformed);
        }
        let max_secs = match claims.typ {
            TokenKind::Access => self.access_ttl_secs,
            TokenKind::Integration => INTEGRATION_MAX_DAYS * 86_400,
        };
        if claims.exp.saturating_sub(claims.iat) > max_secs {
            return Err(TokenError::TooLong { max_secs });
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const HOLDER: Holder<'static> = Holder {
        user_id: "u1",
        role: "tier1",
        generation: 3,
    };

    fn issue(keys: &JwtKeys, now: DateTime<Utc>, lifetime: Duration) -> String {
        keys.issue(HOLDER, "t1", TokenKind::Access, now, now + lifetime)
            .expect("signs")
    }

    #[test]
    fn a_fresh_token_verifies() {
        let keys = JwtKeys::new(SECRET, 3600);
        let now = Utc::now();
        let claims = keys
            .verify(&issue(&keys, now, Duration::hours(1)), now)
            .expect("valid");
        assert_eq!(
            (claims.sub.as_str(), claims.typ, claims.generation),
            ("u1", TokenKind::Access, 3)
        );
    }

    #[test]
    fn expiry_follows_the_service_clock() {
        let keys = JwtKeys::new(SECRET, 3600);
        let now = Utc::now();
        let token = issue(&keys, now, Duration::hours(1));
        assert!(matches!(
            keys.verify(&token, now + Duration::hours(1)),
            Err(TokenError::Expired)
        ));
    }

    #[test]
    fn a_lifetime_longer_than_the_setting_is_refused() {
        let now = Utc::now();
        let token = issue(&JwtKeys::new(SECRET, 7200), now, Duration::hours(2));
        assert!(matches!(
            JwtKeys::new(SECRET, 3600).verify(&token, now),
            Err(TokenError::TooLong { max_secs: 3600 })
        ));
    }

    #[test]
    fn another_secret_is_refused() {
        let now = Utc::now();
        let token = issue(
            &JwtKeys::new(b"another-secret-another-secret-xx", 3600),
            now,
            Duration::hours(1),
        );
        assert!(JwtKeys::new(SECRET, 3600).verify(&token, now).is_err());
    }
}
