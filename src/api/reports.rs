//! Reports as JSON, or as CSV for a spreadsheet (`Accept: text/csv` or `?format=csv`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::{ApiError, Problem};
use super::extract::Bearer;
use super::params::Query;
use super::run_as;
use crate::service::reports::{AvailabilityReport, PeriodQuery, SlaReport, SlaReportQuery};
use crate::service::{Desk, ServiceError};

/// Whether to answer CSV: `format` decides if given, else the `Accept` header.
fn wants_csv(request: &HttpRequest, format: Option<&str>) -> Result<bool, ApiError> {
    match format {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(_) => Err(ServiceError::field("format", "must be json or csv").into()),
        None => Ok(request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv"))),
    }
}

fn csv(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body)
}

/// SLA compliance of the tickets created in a period, per PD, service, tier or priority.
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", operation_id = "sla_report",
    security(("bearer" = [])), params(SlaReportQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV when asked)", content(
            (SlaReport = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A Tier 1 account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad period or grouping", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sla_report(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
    query: Query<SlaReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_csv = wants_csv(&request, query.format.as_deref())?;
    let query = query.into_inner();
    let report = run_as(&desk, bearer, move |desk, caller| {
        desk.sla_report(&caller, &query)
    })
    .await?;
    Ok(if as_csv {
        csv(report.to_csv()?, "laporan-sla")
    } else {
        HttpResponse::Ok().json(report)
    })
}

/// Availability of every service over a period.
#[utoipa::path(get, path = "/api/v1/reports/availability", tag = "reports",
    operation_id = "availability_report", security(("bearer" = [])), params(PeriodQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV when asked)", content(
            (AvailabilityReport = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A Tier 1 account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad period", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn availability_report(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
    query: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_csv = wants_csv(&request, query.format.as_deref())?;
    let query = query.into_inner();
    let report = run_as(&desk, bearer, move |desk, caller| {
        desk.availability_report(&caller, &query)
    })
    .await?;
    Ok(if as_csv {
        csv(report.to_csv()?, "laporan-ketersediaan")
    } else {
        HttpResponse::Ok().json(report)
    })
}
