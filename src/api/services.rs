//! The service catalogue.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of, read_as, run_as};
use crate::domain::access::Operation;
use crate::domain::ids::{OutageId, ServiceId};
use crate::service::Desk;
use crate::service::availability::{AvailabilityView, NewOutage, OutageEnd, OutageView};
use crate::service::catalogue::services::{NewService, ServiceChanges, ServiceView};
use crate::service::page::Page;
use crate::service::period::PeriodQuery;

/// Adds a service to the catalogue (supervisor or admin).
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: A field is not valid, or the code is taken
#[utoipa::path(post, path = "/api/v1/services", tag = "services", operation_id = "create_service",
    security(("bearer" = [])), request_body = NewService,
    responses(
        (status = 201, description = "Created", body = ServiceView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<NewService>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageCatalogue,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_service(&caller, input),
    )
    .await
}

/// The catalogue, in creation order.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", operation_id = "list_services",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of services", body = Page<ServiceView>),
        (status = 401, response = Unauthenticated),
    ))]
pub async fn list_services(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(&desk, bearer, params, Desk::list_services).await
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services", operation_id = "get_service",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    responses(
        (status = 200, description = "The service", body = ServiceView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.service(&caller, &id)
    })
    .await
}

/// Changes a service (supervisor or admin).
///
/// A body that changes nothing (the values as stored, or `{}`) answers 200 with
/// the service as it is: `updated_at` unchanged, no audit entry.
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: A field is not valid
#[utoipa::path(patch, path = "/api/v1/services/{id}", tag = "services", operation_id = "update_service",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    request_body = ServiceChanges,
    responses(
        (status = 200, description = "The service as saved", body = ServiceView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    changes: Body<ServiceChanges>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageCatalogue,
        StatusCode::OK,
        changes,
        move |desk, caller, changes| desk.update_service(&caller, &id, changes),
    )
    .await
}

/// Records an outage of a service, planned or not (Tier 2, supervisors, admins).
///
/// Refused with:
/// - 403: Not Dinas staff or admin
/// - 422: A field is not valid
#[utoipa::path(post, path = "/api/v1/services/{id}/outages", tag = "services", operation_id = "create_outage",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    request_body = NewOutage,
    responses(
        (status = 201, description = "Recorded", body = OutageView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_outage(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    input: Body<NewOutage>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::RecordOutages,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_outage(&caller, &id, input),
    )
    .await
}

/// Ends an outage (Tier 2, supervisors, admins).
///
/// Refused with:
/// - 403: Not Dinas staff or admin
/// - 404: No such outage of this service
/// - 422: Ends before it started
#[utoipa::path(patch, path = "/api/v1/services/{id}/outages/{oid}", tag = "services", operation_id = "update_outage",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Service id"), ("oid" = String, Path, description = "Outage id")),
    request_body = OutageEnd,
    responses(
        (status = 200, description = "The outage, ended", body = OutageView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn end_outage(
    desk: web::Data<Desk>,
    bearer: Bearer,
    path: Path<(ServiceId, OutageId)>,
    input: Body<OutageEnd>,
) -> Result<HttpResponse, ApiError> {
    let (id, outage_id) = path.into_inner();
    change_as(
        &desk,
        bearer,
        Operation::RecordOutages,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.end_outage(&caller, &id, &outage_id, input),
    )
    .await
}

/// A service's availability over a period: overlapping outages count once, planned maintenance
/// is excluded, open outages count up to now.
///
/// Refused with:
/// - 422: from or to is not valid
#[utoipa::path(get, path = "/api/v1/services/{id}/availability", tag = "services", operation_id = "get_availability",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id"), PeriodQuery),
    responses(
        (status = 200, description = "The figures", body = AvailabilityView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn get_availability(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    period: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = period.into_inner();
    let figures = run_as(&desk, bearer, move |desk, caller| {
        desk.service_availability(&caller, &id, &period)
    })
    .await?;
    Ok(HttpResponse::Ok().json(figures))
}
