//! SLA policies.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of, read_as};
use crate::domain::access::Operation;
use crate::domain::ids::SlaPolicyId;
use crate::service::Desk;
use crate::service::catalogue::sla_policies::{SlaPolicyInput, SlaPolicyView};
use crate::service::page::Page;

/// Adds a policy (supervisor or admin); `"default": true` makes it the region default.
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: Targets are not one per priority, or do not hold together
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "sla-policies", operation_id = "create_sla_policy",
    security(("bearer" = [])), request_body = SlaPolicyInput,
    responses(
        (status = 201, description = "Created", body = SlaPolicyView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_sla_policy(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<SlaPolicyInput>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageSlaPolicies,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_sla_policy(&caller, input),
    )
    .await
}

/// Policies in creation order.
///
/// Refused with:
/// - 403: Integration accounts do not read policies
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "sla-policies", operation_id = "list_sla_policies",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of policies", body = Page<SlaPolicyView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn list_sla_policies(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(&desk, bearer, params, Desk::list_sla_policies).await
}

/// One policy with its targets.
#[utoipa::path(get, path = "/api/v1/sla-policies/{id}", tag = "sla-policies", operation_id = "get_sla_policy",
    security(("bearer" = [])), params(("id" = String, Path, description = "Policy id")),
    responses(
        (status = 200, description = "The policy", body = SlaPolicyView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_sla_policy(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<SlaPolicyId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.sla_policy(&caller, &id)
    })
    .await
}

/// Replaces a policy (supervisor or admin); tickets already open keep their targets.
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: Not valid, or the default would be left without a successor
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "sla-policies", operation_id = "update_sla_policy",
    security(("bearer" = [])), params(("id" = String, Path, description = "Policy id")),
    request_body = SlaPolicyInput,
    responses(
        (status = 200, description = "The policy as saved", body = SlaPolicyView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_sla_policy(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<SlaPolicyId>,
    input: Body<SlaPolicyInput>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageSlaPolicies,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.update_sla_policy(&caller, &id, input),
    )
    .await
}
