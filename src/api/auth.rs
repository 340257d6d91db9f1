//! Sign-in and the caller's own account.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::problems::{InvalidCredentials, TooManyAttempts, Unauthenticated, Unprocessable};
use super::{run, run_as};
use crate::service::Desk;
use crate::service::accounts::auth::{LoginInput, LoginOutput, MeView};

/// Exchanges email and password for a short-lived access token.
///
/// Refused with:
/// - 422: A field is missing
/// - 429: Too many attempts; see Retry-After
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "create_session",
    request_body = LoginInput,
    responses(
        (status = 200, description = "Signed in", body = LoginOutput),
        (status = 401, response = InvalidCredentials),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ))]
pub async fn login(
    desk: web::Data<Desk>,
    req: HttpRequest,
    input: Body<LoginInput>,
) -> Result<HttpResponse, ApiError> {
    // The peer address, not a forwarded header: a client could forge that to dodge the limit.
    let ip = req.peer_addr().map(|addr| addr.ip());
    let input = input.open()?;
    let output = run(&desk, move |desk| desk.login(input, ip)).await?;
    Ok(HttpResponse::Ok().json(output))
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller, with its unit's code and name", body = MeView),
        (status = 401, response = Unauthenticated),
    ))]
pub async fn me(desk: web::Data<Desk>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let user = run_as(&desk, bearer, move |desk, caller| desk.me(&caller)).await?;
    Ok(HttpResponse::Ok().json(user))
}
