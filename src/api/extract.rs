//! Request extractors: the authenticated caller, and JSON bodies whose errors name the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::service::ServiceError;

/// Largest request body accepted (API.md: larger → `413`).
pub const MAX_BODY_BYTES: usize = 1 << 20;

type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The bearer token of a request, not yet checked: it is resolved to a caller on the same
/// blocking thread as the use case (see `run_as`), one hop instead of two.
pub struct Bearer(String);

impl Bearer {
    /// The token text.
    pub fn token(&self) -> &str {
        &self.0
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token)
            .map(|token| Bearer(token.to_owned()))
            .ok_or_else(|| ServiceError::Unauthenticated.into());
        std::future::ready(token)
    }
}

/// The token of an `Authorization` value of the `Bearer` scheme: the scheme's name is
/// case-insensitive (RFC 7235 section 2.1) and spaces around the token do not count.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A JSON request body. Malformed JSON and wrong types answer `400 invalid_body`, missing
/// fields and unknown enum values `422 validation_failed`, each naming the field.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|error| match error.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
                    ),
                    _ => ApiError::invalid_body(format!("the body could not be read: {error}")),
                })?;
            parse(&bytes).map(Body)
        })
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(refusal)?;
    deserializer
        .end()
        .map_err(|e| ApiError::invalid_body(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn refusal(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let full = inner.to_string();
    // serde_json appends the position; the field path says more to an API caller.
    let message = full.split(" at line ").next().unwrap_or(&full).to_owned();
    if !inner.is_data() {
        return ApiError::invalid_body(format!("the body is not valid JSON: {message}"));
    }
    if let Some(name) = missing_field(&message) {
        let field = if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("{field} is required"),
        )
        .with_field(field, "is required");
    }
    let field = if path == "." { "body".to_owned() } else { path };
    let refused = if message.starts_with("unknown variant") {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("{field}: {message}"),
        )
    } else {
        ApiError::invalid_body(format!("{field}: {message}"))
    };
    refused.with_field(field, message)
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        name: String,
        count: i32,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        kind: crate::domain::role::Role,
    }

    fn problem(json: &str) -> (u16, String, Vec<String>) {
        let error = parse::<Sample>(json.as_bytes()).expect_err("refused");
        let problem = error.problem();
        (
            problem.status,
            problem.code,
            problem.errors.into_iter().map(|e| e.field).collect(),
        )
    }

    #[test]
    fn a_valid_body_parses() {
        let sample: Sample =
            parse(br#"{"name": "a", "count": 3, "inner": {"kind": "tier1"}}"#).expect("valid");
        assert_eq!((sample.name.as_str(), sample.count), ("a", 3));
        assert_eq!(
            sample.inner.map(|i| i.kind),
            Some(crate::domain::role::Role::Tier1)
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert_eq!(problem("{\"name\": "), (400, "invalid_body".into(), vec![]));
        assert_eq!(
            problem(r#"{"name": "a", "count": 1} trailing"#),
            (400, "invalid_body".into(), vec![])
        );
    }

    #[test]
    fn a_wrong_type_names_its_field() {
        assert_eq!(
            problem(r#"{"name": "a", "count": "three"}"#),
            (400, "invalid_body".into(), vec!["count".into()])
        );
    }

    #[test]
    fn a_missing_field_or_unknown_value_is_a_validation_error() {
        assert_eq!(
            problem(r#"{"name": "a"}"#),
            (422, "validation_failed".into(), vec!["count".into()])
        );
        assert_eq!(
            problem(r#"{"name": "a", "count": 1, "inner": {"kind": "root"}}"#),
            (422, "validation_failed".into(), vec!["inner.kind".into()])
        );
    }
}
