//! Every error leaves as RFC 9457 `application/problem+json`, from this one place.

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::ticket::Action;
use crate::service::{ErrorCode, FieldError, ServiceError};

/// The problem document (RFC 9457) with our stable `code` and per-field `errors`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(examples(json!({
    "type": "urn:spbe-servicedesk:problem:email_not_official",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "email must be inside the region's official domains (tojounaunakab.go.id)",
    "code": ErrorCode::EmailNotOfficial,
    "errors": [{
        "field": "email",
        "message": "must be inside the region's official domains (tojounaunakab.go.id)"
    }]
})))]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Stable snake_case code to act on, e.g. `email_not_official`.
    pub code: ErrorCode,
    /// The fields at fault, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `invalid_transition` only: the moves the caller may make on the ticket now, in
    /// the action table's order (empty when none is left to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<Action>>,
}

/// How long a client waits before retrying when the database cannot write: long enough not to
/// hammer a struggling disk, short enough that a freed disk is used again soon.
const STORAGE_RETRY_AFTER_SECS: u64 = 5;

/// An error answer on its way out.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    retry_after_secs: Option<u64>,
    allowed_actions: Option<Vec<Action>>,
}

impl ApiError {
    /// An answer with a status, code and detail.
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: None,
            allowed_actions: None,
        }
    }

    /// The same, naming the field at fault.
    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors.push(FieldError::new(field, message));
        self
    }

    /// The request body is not the JSON expected.
    pub fn invalid_body(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidBody, detail)
    }

    /// The stable problem code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub(crate) fn problem(&self) -> Problem {
        Problem {
            problem_type: format!("urn:spbe-servicedesk:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
            allowed_actions: self.allowed_actions.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid { code, errors } => Self {
                detail: match errors.as_slice() {
                    [one] => format!("{} {}", one.field, one.message),
                    _ => "some fields are not valid; see errors".to_owned(),
                },
                errors,
                ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, "")
            },
            ServiceError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "a valid bearer token is required",
            ),
            ServiceError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "the email or password is wrong",
            ),
            ServiceError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "your role may not do this",
            ),
            ServiceError::Denied(reason) => {
                Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, reason)
            }
            ServiceError::InvalidTransition {
                message,
                allowed_actions,
            } => Self {
                allowed_actions: Some(allowed_actions),
                ..Self::new(StatusCode::CONFLICT, ErrorCode::InvalidTransition, message)
            },
            ServiceError::NotFound => {
                Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such record")
            }
            ServiceError::Conflict { code, message } => {
                Self::new(StatusCode::CONFLICT, code, message)
            }
            ServiceError::PreconditionFailed { current_version } => Self::new(
                StatusCode::PRECONDITION_FAILED,
                ErrorCode::PreconditionFailed,
                format!(
                    "the ticket has changed since you read it (now version {current_version}); read it again"
                ),
            ),
            ServiceError::RateLimited { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyAttempts,
                    format!("too many login attempts; retry in {retry_after_secs} s"),
                )
            },
            ServiceError::Unavailable(_)
            | ServiceError::NotReady(_)
            | ServiceError::StorageUnavailable(_)
            | ServiceError::Internal(_) => Self::not_served(error),
        }
    }
}

impl ApiError {
    /// The answer to a request the service could not serve: the database, a migration, a
    /// worker, or a bug of ours. The reason goes to the log, not to the caller.
    fn not_served(error: ServiceError) -> Self {
        match error {
            ServiceError::Unavailable(reason) => {
                tracing::warn!(%reason, "service unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "the service is not ready to answer yet; try again shortly",
                )
            }
            ServiceError::NotReady(reason) => {
                tracing::warn!(%reason, "not ready");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotReady, reason)
            }
            ServiceError::StorageUnavailable(reason) => {
                tracing::warn!(%reason, "storage unavailable");
                Self {
                    retry_after_secs: Some(STORAGE_RETRY_AFTER_SECS),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::StorageUnavailable,
                        "the database cannot store changes right now; try again shortly",
                    )
                }
            }
            ServiceError::Internal(reason) => {
                tracing::error!(%reason, "internal error");
                Self::internal()
            }
            // `From` sends only the four above here; anything else would be a mistake of ours.
            other => {
                tracing::error!(error = %other, "internal error");
                Self::internal()
            }
        }
    }
}

impl ApiError {
    /// A fault of ours, with nothing of its cause shown.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "something went wrong on our side; it has been logged",
        )
    }
}

/// Rewrites an error answer made outside our handlers (actix's `405` with its `Allow`, a
/// `404` of the Swagger UI, an extractor's `400`) into our problem document, with its status
/// and headers kept.
pub fn as_problem<B>(response: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if ours {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (code, detail) = match status {
        StatusCode::BAD_REQUEST => (ErrorCode::BadRequest, "the request could not be read"),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "this route does not take this method; Allow lists those it takes",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "the body must be JSON, sent with Content-Type: application/json",
        ),
        status if status.is_server_error() => (
            ErrorCode::InternalError,
            "something went wrong on our side; it has been logged",
        ),
        _ => (ErrorCode::HttpError, "the request was refused"),
    };
    let mut problem = ApiError::new(status, code, detail).error_response();
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !problem.headers().contains_key(name)
        {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    let (request, _) = response.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, problem).map_into_right_body(),
    ))
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/problem+json");
        if let Some(secs) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        let mut response = response.json(self.problem());
        response.extensions_mut().insert(ProblemCode(self.code));
        response
    }
}

/// The `code` of a problem answer, kept on the response for its log line
/// (`request_log`), which must not read the body.
#[derive(Debug, Clone, Copy)]
pub struct ProblemCode(pub ErrorCode);
