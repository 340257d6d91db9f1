//! The service catalogue.

use actix_web::{HttpResponse, web};

use super::error::{ApiError, Problem};
use super::extract::{Bearer, Body};
use super::{PageParams, run_as};
use crate::service::Desk;
use crate::service::page::{Page, PageRequest};
use crate::service::services::{NewService, ServiceChanges, ServiceView};

/// Adds a service to the catalogue (supervisor or admin).
#[utoipa::path(post, path = "/api/v1/services", tag = "services", operation_id = "create_service",
    security(("bearer" = [])), request_body = NewService,
    responses(
        (status = 201, description = "Created", body = ServiceView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither supervisor nor admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid, or the code is taken", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn create_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    Body(input): Body<NewService>,
) -> Result<HttpResponse, ApiError> {
    let service = run_as(&desk, bearer, move |desk, caller| {
        desk.create_service(&caller, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(service))
}

/// The catalogue, in creation order.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", operation_id = "list_services",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of services", body = Page<ServiceView>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_services(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let PageParams { limit, cursor } = params.into_inner();
    let page = run_as(&desk, bearer, move |desk, caller| {
        desk.list_services(&caller, PageRequest::new(limit, cursor)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services", operation_id = "get_service",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    responses(
        (status = 200, description = "The service", body = ServiceView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = run_as(&desk, bearer, move |desk, caller| {
        desk.service(&caller, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(service))
}

/// Changes a service (supervisor or admin).
#[utoipa::path(patch, path = "/api/v1/services/{id}", tag = "services", operation_id = "update_service",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    request_body = ServiceChanges,
    responses(
        (status = 200, description = "The service as saved", body = ServiceView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither supervisor nor admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: web::Path<String>,
    Body(changes): Body<ServiceChanges>,
) -> Result<HttpResponse, ApiError> {
    let service = run_as(&desk, bearer, move |desk, caller| {
        desk.update_service(&caller, &id, changes)
    })
    .await?;
    Ok(HttpResponse::Ok().json(service))
}
