//! Region settings.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::problems::{Forbidden, Unauthenticated, Unprocessable};
use super::{change_as, run_as};
use crate::domain::access::Operation;
use crate::service::Desk;
use crate::service::region::{RegionUpdate, RegionView};

/// The region's name, timezone, official mail domains and sender.
#[utoipa::path(get, path = "/api/v1/region", tag = "region", operation_id = "get_region",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The region", body = RegionView),
        (status = 401, response = Unauthenticated),
    ))]
pub async fn get_region(desk: web::Data<Desk>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let region = run_as(&desk, bearer, move |desk, caller| desk.region(&caller)).await?;
    Ok(HttpResponse::Ok().json(region))
}

/// Replaces the region settings (admin).
///
/// Refused with:
/// - 403: Not an admin
/// - 422: A field is not valid
#[utoipa::path(put, path = "/api/v1/region", tag = "region", operation_id = "update_region",
    security(("bearer" = [])), request_body = RegionUpdate,
    responses(
        (status = 200, description = "The region as saved", body = RegionView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_region(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<RegionUpdate>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ConfigureRegion,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.update_region(&caller, input),
    )
    .await
}
