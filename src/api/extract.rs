//! Request extractors: the authenticated caller, and JSON bodies whose errors name the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::service::{ErrorCode, ServiceError};

/// Largest request body accepted (docs/api.md "Errors": larger → `413`).
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
        // A missing token is told with a bad one, when the caller is resolved: the query and
        // path are checked first, whoever asks.
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token)
            .unwrap_or_default();
        std::future::ready(Ok(Bearer(token.to_owned())))
    }
}

/// The token of an `Authorization` value of the `Bearer` scheme: the scheme's name is
/// case-insensitive (RFC 7235 section 2.1) and spaces around the token do not count.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A JSON request body, read but not yet opened: its problems (`415`, `400`, `422`) are told
/// only once the caller is known to be allowed the operation (see `run_as_with`), so that a
/// role that may never do it learns nothing of its input's rules. A request without a body
/// stands for `{}`.
pub struct Body<T> {
    read: Result<Bytes, ApiError>,
    into: std::marker::PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Body<T> {
    /// The body as a `T`: wrong types, missing fields and unknown values answer
    /// `422 validation_failed`, every field at fault named at once; malformed JSON answers
    /// `400 invalid_body`.
    pub fn open(self) -> Result<T, ApiError> {
        let bytes = self.read?;
        let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
        super::json::parse(bytes).map_err(|refusal| match refusal {
            super::json::Refusal::Syntax(message) => {
                ApiError::invalid_body(format!("the body is not valid JSON: {message}"))
            }
            super::json::Refusal::Fields(errors) => ApiError::from(ServiceError::Invalid {
                code: ErrorCode::ValidationFailed,
                errors,
            }),
        })
    }
}

impl<T: 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = Bytes::from_request(req, payload);
        let json = is_json(req);
        Box::pin(async move {
            let read = bytes
                .await
                .map_err(|error| match error.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        ErrorCode::PayloadTooLarge,
                        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
                    ),
                    _ => ApiError::invalid_body(format!("the body could not be read: {error}")),
                })
                .and_then(|bytes| {
                    if bytes.is_empty() || json {
                        Ok(bytes)
                    } else {
                        Err(ApiError::new(
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            ErrorCode::UnsupportedMediaType,
                            "the body must be JSON, sent with Content-Type: application/json",
                        ))
                    }
                });
            Ok(Body {
                read,
                into: std::marker::PhantomData,
            })
        })
    }
}

/// Whether the request says its body is JSON in UTF-8: `application/json` or
/// `application/<x>+json`, with no charset or `utf-8`.
fn is_json(req: &HttpRequest) -> bool {
    use actix_web::HttpMessage;
    let Ok(Some(mime)) = req.mime_type() else {
        return false;
    };
    let json = mime.type_() == actix_web::mime::APPLICATION
        && (mime.subtype() == actix_web::mime::JSON
            || mime.suffix() == Some(actix_web::mime::JSON));
    let utf8 = mime
        .get_param(actix_web::mime::CHARSET)
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    json && utf8
}
