//! Integration tokens.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::Path;
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{change_as, run_as};
use crate::domain::access::Operation;
use crate::domain::ids::{TokenId, UserId};
use crate::service::Desk;
use crate::service::accounts::tokens::{CreatedToken, NewToken, TokenView};

/// Issues a long-lived token for an integration account (admin). The token is shown once.
///
/// Refused with:
/// - 403: Not an admin
/// - 422: Not an active integration account, or a field is not valid
#[utoipa::path(post, path = "/api/v1/users/{id}/tokens", tag = "tokens", operation_id = "create_token",
    security(("bearer" = [])), params(("id" = String, Path, description = "Integration user id")),
    request_body = NewToken,
    responses(
        (status = 201, description = "Issued", body = CreatedToken),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_token(
    desk: web::Data<Desk>,
    bearer: Bearer,
    user_id: Path<UserId>,
    input: Body<NewToken>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageTokens,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_token(&caller, &user_id, input),
    )
    .await
}

/// An account's tokens, newest first, without the tokens themselves (admin).
///
/// Refused with:
/// - 403: Not an admin
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "tokens", operation_id = "list_tokens",
    security(("bearer" = [])), params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub async fn list_tokens(
    desk: web::Data<Desk>,
    bearer: Bearer,
    user_id: Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let tokens = run_as(&desk, bearer, move |desk, caller| {
        desk.list_tokens(&caller, &user_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Revokes a token; it is refused from the next request on (admin).
///
/// Refused with:
/// - 403: Not an admin
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", operation_id = "delete_token",
    security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub async fn revoke_token(
    desk: web::Data<Desk>,
    bearer: Bearer,
    token_id: Path<TokenId>,
) -> Result<HttpResponse, ApiError> {
    run_as(&desk, bearer, move |desk, caller| {
        desk.revoke_token(&caller, &token_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
