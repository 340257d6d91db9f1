//! `GET /metrics` for Prometheus, behind a bearer token (an integration token suits a
//! Prometheus job: `authorization: {credentials: <token>}`).

use actix_web::{HttpResponse, web};

use super::error::{ApiError, Problem};
use super::extract::Bearer;
use super::run_as;
use crate::service::Desk;

/// Counters, histograms and gauges named `servicedesk_*`, in the OpenMetrics text format.
#[utoipa::path(get, path = "/metrics", tag = "health", operation_id = "metrics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The metrics", body = String, content_type = "application/openmetrics-text"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin, auditor, supervisor or integration", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn metrics(desk: web::Data<Desk>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let text = run_as(&desk, bearer, move |desk, caller| {
        desk.metrics_text(&caller)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text))
}
