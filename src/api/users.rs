//! User accounts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of, read_as};
use crate::domain::access::Operation;
use crate::domain::ids::UserId;
use crate::service::Desk;
use crate::service::accounts::users::{NewUser, UserChanges, UserQuery, UserView};
use crate::service::page::Page;

/// Adds a user (admin). The password is never echoed back.
///
/// Refused with:
/// - 403: Not an admin
/// - 422: validation_failed, email_not_official, email_taken or role_unit_mismatch
#[utoipa::path(post, path = "/api/v1/users", tag = "users", operation_id = "create_user",
    security(("bearer" = [])), request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_user(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<NewUser>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageUsers,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_user(&caller, input),
    )
    .await
}

/// Users the caller may see: Tier 1 sees its own PD's.
///
/// Refused with:
/// - 403: Integration accounts may not list users
/// - 422: A filter is not valid (a unit_id naming no unit)
#[utoipa::path(get, path = "/api/v1/users", tag = "users", operation_id = "list_users",
    security(("bearer" = [])), params(UserQuery, PageParams),
    responses(
        (status = 200, description = "A page of users", body = Page<UserView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_users(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<UserQuery>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    page_of(&desk, bearer, params, move |desk, caller, page| {
        desk.list_users(caller, query, page)
    })
    .await
}

/// One user, if the caller may see it.
///
/// Refused with:
/// - 404: No such user, or not visible to the caller
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", operation_id = "get_user",
    security(("bearer" = [])), params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_user(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| desk.user(&caller, &id)).await
}

/// Changes a user (admin); `"active": false` stops the user's tokens at once.
///
/// A body that changes nothing (the values as stored, or `{}`) answers 200 with
/// the user as it is: `updated_at` unchanged, no audit entry.
///
/// Refused with:
/// - 403: Not an admin
/// - 422: A field is not valid
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "update_user",
    security(("bearer" = [])), params(("id" = String, Path, description = "User id")),
    request_body = UserChanges,
    responses(
        (status = 200, description = "The user as saved", body = UserView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_user(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<UserId>,
    changes: Body<UserChanges>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageUsers,
        StatusCode::OK,
        changes,
        move |desk, caller, changes| desk.update_user(&caller, &id, changes),
    )
    .await
}
