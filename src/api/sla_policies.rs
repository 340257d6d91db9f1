//! SLA policies.

use actix_web::{HttpResponse, web};

use super::error::{ApiError, Problem};
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::{PageParams, run_as, run_as_with};
use crate::domain::access::Operation;
use crate::service::Desk;
use crate::service::catalogue::sla_policies::{SlaPolicyInput, SlaPolicyView};
use crate::service::page::{Page, PageRequest};

/// Adds a policy (supervisor or admin); `"default": true` makes it the region default.
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "sla-policies", operation_id = "create_sla_policy",
    security(("bearer" = [])), request_body = SlaPolicyInput,
    responses(
        (status = 201, description = "Created", body = SlaPolicyView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither supervisor nor admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Targets are not one per priority, or do not hold together", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn create_sla_policy(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<SlaPolicyInput>,
) -> Result<HttpResponse, ApiError> {
    let policy = run_as_with(
        &desk,
        bearer,
        Operation::ManageSlaPolicies,
        input,
        move |desk, caller, input| desk.create_sla_policy(&caller, input),
    )
    .await?;
    Ok(HttpResponse::Created().json(policy))
}

/// Policies in creation order.
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "sla-policies", operation_id = "list_sla_policies",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of policies", body = Page<SlaPolicyView>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Integration accounts do not read policies", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn list_sla_policies(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let PageParams { limit, cursor } = params.into_inner();
    let page = run_as(&desk, bearer, move |desk, caller| {
        desk.list_sla_policies(&caller, PageRequest::new(limit, cursor)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One policy with its targets.
#[utoipa::path(get, path = "/api/v1/sla-policies/{id}", tag = "sla-policies", operation_id = "get_sla_policy",
    security(("bearer" = [])), params(("id" = String, Path, description = "Policy id")),
    responses(
        (status = 200, description = "The policy", body = SlaPolicyView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such policy", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_sla_policy(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let policy = run_as(&desk, bearer, move |desk, caller| {
        desk.sla_policy(&caller, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(policy))
}

/// Replaces a policy (supervisor or admin); tickets already open keep their targets.
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "sla-policies", operation_id = "update_sla_policy",
    security(("bearer" = [])), params(("id" = String, Path, description = "Policy id")),
    request_body = SlaPolicyInput,
    responses(
        (status = 200, description = "The policy as saved", body = SlaPolicyView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither supervisor nor admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such policy", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid, or the default would be left without a successor", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn update_sla_policy(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
    input: Body<SlaPolicyInput>,
) -> Result<HttpResponse, ApiError> {
    let policy = run_as_with(
        &desk,
        bearer,
        Operation::ManageSlaPolicies,
        input,
        move |desk, caller, input| desk.update_sla_policy(&caller, &id, input),
    )
    .await?;
    Ok(HttpResponse::Ok().json(policy))
}
