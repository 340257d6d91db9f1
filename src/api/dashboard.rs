//! The Tier 2 dashboard's summary.

use actix_web::{HttpResponse, web};

use super::error::{ApiError, Problem};
use super::extract::Bearer;
use super::run_as;
use crate::service::Desk;
use crate::service::reports::dashboard::DashboardSummary;

/// Open load, SLA standing and today's escalations (Tier 2, supervisors, auditors, admins and
/// integration tokens).
#[utoipa::path(get, path = "/api/v1/dashboard/summary", tag = "dashboard",
    operation_id = "dashboard_summary", security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures now", body = DashboardSummary),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A Tier 1 account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn summary(desk: web::Data<Desk>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let summary = run_as(&desk, bearer, move |desk, caller| {
        desk.dashboard_summary(&caller)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}
