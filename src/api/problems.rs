//! The problem answers routes share, as `components/responses`: a route names each refusal in
//! one line, `(status = 404, response = NotFound)`, and what is particular to the route goes in
//! its description.

use utoipa::ToResponse;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// Declares each shared problem answer with its description.
macro_rules! problem_responses {
    ($($(#[$meta:meta])* $name:ident => $description:expr;)+) => {$(
        $(#[$meta])*
        pub struct $name;

        impl<'s> ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<Response>) {
                (stringify!($name), $description.into())
            }
        }
    )+};
}

problem_responses! {
    /// 401 on a route that needs a token.
    Unauthenticated => problem_response("unauthenticated: no valid bearer token");
    /// 401 on sign-in.
    InvalidCredentials => problem_response(
        "invalid_credentials: wrong email or password (one answer for both)",
    );
    /// 403.
    Forbidden => problem_response(
        "forbidden: the caller's role may not do this; the detail says who may",
    );
    /// 404.
    NotFound => problem_response("not_found: no such record, or one the caller may not see");
    /// 409.
    Conflict => problem_response(
        "The request conflicts with the record's current state; `code` says how \
         (`invalid_transition` with `allowed_actions`, `not_failed`, `duplicate`)",
    );
    /// 412.
    PreconditionFailed => problem_response(
        "precondition_failed: If-Match names an older version than the record's; read it again",
    );
    /// 422 from a use case's rules.
    Unprocessable => problem_response(
        "The input breaks a rule: `code` names it (`validation_failed` or a rule of the \
         operation) and `errors` the fields at fault",
    );
    /// 429.
    TooManyAttempts => problem_response("too_many_attempts: too many attempts; see Retry-After");
    /// 503 while the database cannot store changes.
    StorageUnavailable => storage_unavailable();
}

fn storage_unavailable() -> Response {
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1));
    let mut response = problem_response(
        "storage_unavailable: the database cannot store changes now (disk full, read-only, \
         unreachable); retry after Retry-After seconds",
    );
    response.headers.insert(
        "Retry-After".to_owned(),
        HeaderBuilder::new()
            .schema(seconds)
            .description(Some("Seconds to wait before retrying"))
            .build(),
    );
    response
}

/// A problem document answer with `description`.
pub fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}
