//! Business calendars.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of, read_as};
use crate::domain::access::Operation;
use crate::domain::ids::CalendarId;
use crate::service::Desk;
use crate::service::catalogue::calendars::{CalendarInput, CalendarView, HolidayInput};
use crate::service::page::Page;

/// Adds a calendar (supervisor or admin).
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: A field is not valid
#[utoipa::path(post, path = "/api/v1/calendars", tag = "calendars", operation_id = "create_calendar",
    security(("bearer" = [])), request_body = CalendarInput,
    responses(
        (status = 201, description = "Created", body = CalendarView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_calendar(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<CalendarInput>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageCalendars,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.create_calendar(&caller, input),
    )
    .await
}

/// Calendars in creation order.
///
/// Refused with:
/// - 403: Integration accounts do not read calendars
#[utoipa::path(get, path = "/api/v1/calendars", tag = "calendars", operation_id = "list_calendars",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of calendars", body = Page<CalendarView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn list_calendars(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(&desk, bearer, params, Desk::list_calendars).await
}

/// One calendar with its holidays.
#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "calendars", operation_id = "get_calendar",
    security(("bearer" = [])), params(("id" = String, Path, description = "Calendar id")),
    responses(
        (status = 200, description = "The calendar", body = CalendarView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_calendar(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<CalendarId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.calendar(&caller, &id)
    })
    .await
}

/// Replaces a calendar's windows and holidays (supervisor or admin).
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: A field is not valid
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "calendars", operation_id = "update_calendar",
    security(("bearer" = [])), params(("id" = String, Path, description = "Calendar id")),
    request_body = CalendarInput,
    responses(
        (status = 200, description = "The calendar as saved", body = CalendarView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_calendar(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<CalendarId>,
    input: Body<CalendarInput>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageCalendars,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.update_calendar(&caller, &id, input),
    )
    .await
}

/// Adds a holiday, e.g. this year's Idul Fitri (supervisor or admin).
///
/// Refused with:
/// - 403: Neither supervisor nor admin
/// - 422: Not valid, or already a holiday
#[utoipa::path(post, path = "/api/v1/calendars/{id}/holidays", tag = "calendars", operation_id = "create_holiday",
    security(("bearer" = [])), params(("id" = String, Path, description = "Calendar id")),
    request_body = HolidayInput,
    responses(
        (status = 201, description = "The calendar with the new holiday", body = CalendarView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_holiday(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<CalendarId>,
    holiday: Body<HolidayInput>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ManageCalendars,
        StatusCode::CREATED,
        holiday,
        move |desk, caller, holiday| desk.add_holiday(&caller, &id, holiday),
    )
    .await
}
