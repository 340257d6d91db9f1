//! What a use case can answer besides success; `api/error.rs` maps each to HTTP.

use crate::domain::text_enum::text_enum;

text_enum! {
    /// Every stable `code` a problem answer can carry; clients act on these, so one is only
    /// ever added, never renamed.
    pub enum ErrorCode {
        /// 422: a field is not valid.
        ValidationFailed = "validation_failed",
        /// 422: an address outside the region's official domains.
        EmailNotOfficial = "email_not_official",
        /// 422: another account already uses the address.
        EmailTaken = "email_taken",
        /// 422: the role cannot sit in that unit.
        RoleUnitMismatch = "role_unit_mismatch",
        /// 422: another service already uses the code.
        ServiceCodeTaken = "service_code_taken",
        /// 422: another unit already uses the code.
        UnitCodeTaken = "unit_code_taken",
        /// 422: the region already has its Dinas unit.
        DinasUnitExists = "dinas_unit_exists",
        /// 422: the default policy cannot stop being the default by itself.
        DefaultPolicyRequired = "default_policy_required",
        /// 422: tokens go to active integration accounts only.
        NotAnIntegrationAccount = "not_an_integration_account",
        /// 422: the `Idempotency-Key` came with a different request before.
        IdempotencyKeyReused = "idempotency_key_reused",
        /// 422: the day is already a holiday of the calendar.
        HolidayExists = "holiday_exists",
        /// 422: the assignee does not work the ticket's tier.
        AssigneeCannotWorkTicket = "assignee_cannot_work_ticket",
        /// 422: the service is closed for a while (ditutup sementara) and takes no tickets.
        ServiceClosed = "service_closed",
        /// 422: the region makes a service critical only by designation.
        DesignationRequired = "designation_required",
        /// 422: another letter already has the number.
        LetterNumberTaken = "letter_number_taken",
        /// 400: the body is not JSON, or could not be read.
        InvalidBody = "invalid_body",
        /// 400: the request could not be read.
        BadRequest = "bad_request",
        /// 401: no valid credentials.
        Unauthenticated = "unauthenticated",
        /// 401: wrong email or password.
        InvalidCredentials = "invalid_credentials",
        /// 403: the caller may not do this.
        Forbidden = "forbidden",
        /// 404: no such record or route.
        NotFound = "not_found",
        /// 405: the route does not take the method.
        MethodNotAllowed = "method_not_allowed",
        /// 409: the ticket's status or tier does not allow the move.
        InvalidTransition = "invalid_transition",
        /// 409: a concurrent request created the same unique value.
        Duplicate = "duplicate",
        /// 409: the demo fills an empty database only.
        NotEmpty = "not_empty",
        /// 409: only a failed mail can be retried.
        NotFailed = "not_failed",
        /// 409: the record's state does not allow the step (a criticality step, a closure, a
        /// repair).
        StepNotAllowed = "step_not_allowed",
        /// 412: the record changed since the caller read it.
        PreconditionFailed = "precondition_failed",
        /// 413: the body is too large.
        PayloadTooLarge = "payload_too_large",
        /// 415: the body is not sent as JSON.
        UnsupportedMediaType = "unsupported_media_type",
        /// 429: too many login attempts.
        TooManyAttempts = "too_many_attempts",
        /// 431: too many or too large headers.
        HeadersTooLarge = "headers_too_large",
        /// 4xx: another refusal of the HTTP layer.
        HttpError = "http_error",
        /// 500: a fault of ours.
        InternalError = "internal_error",
        /// 503: not set up to answer yet.
        Unavailable = "unavailable",
        /// 503: up, but not ready to serve.
        NotReady = "not_ready",
        /// 503: the database cannot store changes now.
        StorageUnavailable = "storage_unavailable",
    }
}

/// One field's problem, named the way the caller spelled it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `email` or `targets[2].priority`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a use case did not do what was asked. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input breaks a rule; `code` says which (`validation_failed`, `email_not_official`,
    /// `role_unit_mismatch`, …).
    #[error("{code}: {}", summary(.errors))]
    Invalid {
        /// Which rule.
        code: ErrorCode,
        /// The fields at fault.
        errors: Vec<FieldError>,
    },
    /// No valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong email or password (one answer for both).
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Authenticated, but the role may not do this.
    #[error("not allowed")]
    Forbidden,
    /// Authenticated, but may not do this, for the reason given (who may).
    #[error("not allowed: {0}")]
    Denied(String),
    /// No such record, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state.
    #[error("{code}: {message}")]
    Conflict {
        /// Which conflict.
        code: ErrorCode,
        /// A sentence for the caller.
        message: String,
    },
    /// The ticket's status or tier does not allow the move (`invalid_transition`).
    #[error("{}: {message}", ErrorCode::InvalidTransition)]
    InvalidTransition {
        /// A sentence for the caller, naming the moves it may make.
        message: String,
        /// The moves the caller may make on the ticket now.
        allowed_actions: Vec<crate::domain::ticket::Action>,
    },
    /// The record changed since the caller read it (`If-Match` is stale).
    #[error("the record has changed; its version is now {current_version}")]
    PreconditionFailed {
        /// The version to read again.
        current_version: i64,
    },
    /// Too many attempts.
    #[error("too many attempts; retry after {retry_after_secs}s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The service is not set up to answer yet (migrations pending, no region).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Up, but not ready to serve: the sentence says why (a background worker is down, ...).
    #[error("not ready: {0}")]
    NotReady(String),
    /// The database cannot store changes now: disk full, read-only, or out of reach.
    #[error("storage unavailable: {0}")]
    StorageUnavailable(String),
    /// A fault of ours; logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    /// A `validation_failed` error on one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::rule(ErrorCode::ValidationFailed, field, message)
    }

    /// An error with its own code on one field.
    pub fn rule(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// `validation_failed` for a list of problems, or `Ok` when there are none.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::Invalid {
                code: ErrorCode::ValidationFailed,
                errors,
            })
        }
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            // A concurrent request won the race for a unique value the use case checked.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Conflict {
                code: ErrorCode::Duplicate,
                message: "a record with the same unique value was just created".into(),
            },
            other if crate::db::is_storage_fault(&other) => {
                Self::StorageUnavailable(format!("database: {other}"))
            }
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ServiceError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::StorageUnavailable(format!("database pool: {error}"))
    }
}
