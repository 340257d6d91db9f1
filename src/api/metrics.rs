//! `GET /metrics` for Prometheus, behind a bearer token (an integration token suits a
//! Prometheus job: `authorization: {credentials: <token>}`).

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::Bearer;
use super::problems::{Forbidden, Unauthenticated};
use super::run_as;
use crate::service::Desk;
use crate::service::ops::metrics::MetricsFormat;

/// The format the scraper's `Accept` prefers: the classic text format when it weighs
/// `text/plain` above OpenMetrics, OpenMetrics otherwise (also on a tie or without `Accept`).
fn wanted(request: &HttpRequest) -> MetricsFormat {
    let accept = request
        .headers()
        .get_all("Accept")
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let weight = |wanted: &str| {
        accept
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';').map(str::trim);
                let media = parts.next()?;
                if !media.eq_ignore_ascii_case(wanted) {
                    return None;
                }
                let q = parts
                    .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                    .find_map(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some(q)
            })
            .fold(None, |best: Option<f32>, q| {
                Some(best.map_or(q, |b| b.max(q)))
            })
    };
    match (weight("text/plain"), weight("application/openmetrics-text")) {
        (Some(plain), open) if plain > 0.0 && open.is_none_or(|open| plain > open) => {
            MetricsFormat::Classic
        }
        _ => MetricsFormat::OpenMetrics,
    }
}

/// Counters, histograms and gauges named `servicedesk_*`.
///
/// In the OpenMetrics text format, or in the classic Prometheus text format
/// (`text/plain; version=0.0.4`) when `Accept` weighs `text/plain` higher.
///
/// Refused with:
/// - 403: Not an admin, auditor, supervisor or integration
#[utoipa::path(get, path = "/metrics", tag = "health", operation_id = "metrics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The metrics", content(
            (String = "application/openmetrics-text"),
            (String = "text/plain"),
        )),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn metrics(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let format = wanted(&request);
    let text = run_as(&desk, bearer, move |desk, caller| {
        desk.metrics_text(&caller, format)
    })
    .await?;
    let content_type = match format {
        MetricsFormat::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        MetricsFormat::Classic => "text/plain; version=0.0.4; charset=utf-8",
    };
    Ok(HttpResponse::Ok().content_type(content_type).body(text))
}
