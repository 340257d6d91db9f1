//! Units: PDs and the Dinas.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of, read_as};
use crate::domain::access::Operation;
use crate::domain::ids::UnitId;
use crate::service::Desk;
use crate::service::catalogue::units::{NewUnit, UnitChanges, UnitView};
use crate::service::page::Page;

/// Adds a unit (admin).
///
/// Refused with:
/// - 403: Not an admin
/// - 422: Invalid, duplicate code, second Dinas, or mailbox outside the official domains
#[utoipa::path(post, path = "/api/v1/units", tag = "units", operation_id = "create_unit",
    security(("bearer" = [])), request_body = NewUnit,
    responses(
        (status = 201, description = "Created", body = UnitView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_unit(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<NewUnit>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageUnits,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_unit(&caller, input),
    )
    .await
}

/// Every unit, in creation order.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", operation_id = "list_units",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of units", body = Page<UnitView>),
        (status = 401, response = Unauthenticated),
    ))]
pub async fn list_units(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(&desk, bearer, params, Desk::list_units).await
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", operation_id = "get_unit",
    security(("bearer" = [])), params(("id" = String, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The unit", body = UnitView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_unit(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<UnitId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| desk.unit(&caller, &id)).await
}

/// Changes a unit (admin).
///
/// A body that changes nothing (the values as stored, or `{}`) answers 200 with
/// the unit as it is: `updated_at` unchanged, no audit entry.
///
/// Refused with:
/// - 403: Not an admin
/// - 422: A field is not valid
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "units", operation_id = "update_unit",
    security(("bearer" = [])), params(("id" = String, Path, description = "Unit id")),
    request_body = UnitChanges,
    responses(
        (status = 200, description = "The unit as saved", body = UnitView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_unit(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<UnitId>,
    changes: Body<UnitChanges>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageUnits,
        StatusCode::OK,
        changes,
        move |desk, caller, changes| desk.update_unit(&caller, &id, changes),
    )
    .await
}
