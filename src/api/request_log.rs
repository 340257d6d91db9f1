//! The span every request is logged under. It names the query string's parameters but never
//! a value that could be a credential: a token sent as `?access_token=…` (a browser's
//! `EventSource` cannot set headers) must not end up in the logs, where anyone who reads them
//! could act as its holder.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use url::form_urlencoded;

use super::error::{ApiError, ProblemCode};

/// What replaces a value that may be a credential.
const REDACTED: &str = "REDACTED";
/// Parameter names whose values are secrets, whatever they look like.
const SECRET_NAMES: [&str; 11] = [
    "token",
    "secret",
    "pass",
    "jwt",
    "auth",
    "key",
    "sandi",
    "kunci",
    "credential",
    "session",
    "signature",
];
/// See `secret_name`.
const SECRET_WORDS: [&str; 4] = ["pwd", "sig", "pin", "otp"];
/// Opaque values at least this long may be keys; shorter ones (ids, ticket numbers, dates)
/// help reading a log.
const OPAQUE_MIN_CHARS: usize = 40;

/// Like the default span of `tracing-actix-web`, with the query string's values redacted
/// where they may be credentials, the peer address rather than a forwarded header, and no
/// error text.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %loggable_target(request.path(), request.query_string()),
            http.client_ip = %request.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
        )
    }

    /// Records the status only: the error's own text may quote the query string, and server
    /// errors are logged with their reason where they are answered.
    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        span.record("http.status_code", status.as_u16());
        if status.is_client_error() {
            log_refusal(status, outcome);
        }
        span.record(
            "otel.status_code",
            if status.is_server_error() {
                "ERROR"
            } else {
                "OK"
            },
        );
    }
}

/// One short line per refused request, at the default level: the status, the problem code
/// and the route pattern (`/api/v1/tickets/{id}`), never the path or query as sent, which may
/// carry a credential or personal data. Logged outside the request's span so that the span's
/// fields (the target among them) are not repeated on it.
fn log_refusal<B>(status: StatusCode, outcome: &Result<ServiceResponse<B>, Error>) {
    let (method, route, code) = match outcome {
        Ok(response) => (
            response.request().method().to_string(),
            response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into()),
            response
                .response()
                .extensions()
                .get::<ProblemCode>()
                .map_or("-", |code| code.0.as_str()),
        ),
        Err(error) => (
            "-".to_owned(),
            "-".to_owned(),
            error
                .as_error::<ApiError>()
                .map_or("-", |error| error.code().as_str()),
        ),
    };
    tracing::info!(
        parent: None,
        status = status.as_u16(),
        code = %code,
        method = %method,
        route = %route,
        "request refused"
    );
}

/// The path and the query string with every part that may be a credential replaced: a path
/// segment or a query name or value shaped like a token, and the value of a parameter named
/// like a secret.
fn loggable_target(path: &str, query: &str) -> String {
    let path = path
        .split('/')
        .map(|segment| {
            if looks_like_token(segment) {
                REDACTED
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    if query.is_empty() {
        return path;
    }
    let mut redacted = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let name = if looks_like_token(&name) {
            REDACTED.into()
        } else {
            name
        };
        // `Bearer <token>` and other phrases: any word may be the credential.
        let value_is_secret = value.split_whitespace().any(looks_like_token);
        if secret_name(&name) || value_is_secret {
            redacted.append_pair(&name, REDACTED);
        } else {
            redacted.append_pair(&name, &value);
        }
    }
    format!("{path}?{}", redacted.finish())
}

/// Whether a parameter's name says it holds a secret: it contains one of `SECRET_NAMES`, or
/// one of its words (split at `_`, `-`, `.`) is one of `SECRET_WORDS`, short names that
/// would otherwise match inside ordinary ones (`sig` in `assignee`).
fn secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|secret| name.contains(secret))
        || name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| SECRET_WORDS.contains(&word))
}

/// A JWT (`xxx.yyy.zzz` of base64url, or anything starting like a JSON header), or a long
/// opaque string.
fn looks_like_token(value: &str) -> bool {
    let value = value.trim();
    let base64url = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
    };
    let parts: Vec<&str> = value.split('.').collect();
    value.starts_with("eyJ")
        || (parts.len() == 3 && parts.iter().all(|part| base64url(part)))
        || (value.chars().count() >= OPAQUE_MIN_CHARS && !value.contains(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_and_the_rest_kept() {
        assert_eq!(loggable_target("/a", ""), "/a");
        assert_eq!(
            loggable_target(
                "/a",
                "status=open&limit=20&cursor=019c213a-6100-71c4-8b8f-ab1700a8dba1"
            ),
            "/a?status=open&limit=20&cursor=019c213a-6100-71c4-8b8f-ab1700a8dba1"
        );
        assert_eq!(
            loggable_target("/a", "access_token=abc&x=aGVhZA.Ym9keQ.c2ln&API%5FKEY=1"),
            "/a?access_token=REDACTED&x=REDACTED&API_KEY=REDACTED"
        );
        assert_eq!(
            loggable_target("/a", "q=eyJhbGciOi%2EeyJzdWIi"),
            "/a?q=REDACTED"
        );
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(
            loggable_target(
                &format!("/api/v1/tickets/{jwt}"),
                &format!("q=Bearer+{jwt}&{jwt}=1")
            ),
            "/api/v1/tickets/REDACTED?q=REDACTED&REDACTED=1"
        );
        assert_eq!(
            loggable_target(
                "/a",
                "passwd=x&pwd=x&kata_sandi=x&session=x&sig=x&pin=x&otp=x&assignee_id=u1&mapping=m"
            ),
            "/a?passwd=REDACTED&pwd=REDACTED&kata_sandi=REDACTED&session=REDACTED&sig=REDACTED\
             &pin=REDACTED&otp=REDACTED&assignee_id=u1&mapping=m"
        );
    }
}
