//! The Tier 2 dashboard's summary.

use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::Bearer;
use super::problems::{Forbidden, Unauthenticated};
use super::run_as;
use crate::service::Desk;
use crate::service::reports::dashboard::DashboardSummary;

/// Open load, SLA standing and today's escalations (Tier 2, supervisors, auditors, admins and
/// integration tokens).
///
/// Refused with:
/// - 403: A Tier 1 account
#[utoipa::path(get, path = "/api/v1/dashboard/summary", tag = "dashboard",
    operation_id = "dashboard_summary", security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures now", body = DashboardSummary),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn summary(desk: web::Data<Desk>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let summary = run_as(&desk, bearer, move |desk, caller| {
        desk.dashboard_summary(&caller)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}
