//! What a use case can answer besides success; `api/error.rs` maps each to HTTP.

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
        /// Stable snake_case code.
        code: &'static str,
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
        /// Stable snake_case code.
        code: &'static str,
        /// A sentence for the caller.
        message: String,
    },
    /// The ticket's status or tier does not allow the move (`invalid_transition`).
    #[error("invalid_transition: {message}")]
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
        Self::rule("validation_failed", field, message)
    }

    /// An error with its own code on one field.
    pub fn rule(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
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
                code: "validation_failed",
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
                code: "duplicate",
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
