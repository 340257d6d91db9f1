//! Reports as JSON, as CSV for machines, or as an Excel workbook for officials
//! (`?format=` or the `Accept` header).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::ToSchema;

use super::error::ApiError;
use super::extract::Bearer;
use super::params::Query;
use super::problems::{Forbidden, Unauthenticated, Unprocessable};
use super::run_as;
use crate::service::Desk;
use crate::service::governance::problems::ProblemInventory;
use crate::service::period::PeriodQuery;
use crate::service::reports::{
    AvailabilityReport, Report, ReportFormat, ReportOptions, SlaReport, SlaReportOptions,
};

/// The media type of an Office Open XML workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Excel workbook (`.xlsx`).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Workbook(Vec<u8>);

impl From<Workbook> for web::Bytes {
    fn from(workbook: Workbook) -> Self {
        workbook.0.into()
    }
}

/// `format` decides if given, else the `Accept` header.
fn chosen(request: &HttpRequest, format: Option<ReportFormat>) -> ReportFormat {
    format.unwrap_or_else(|| {
        let accept = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .unwrap_or_default();
        if accept.contains(XLSX) {
            ReportFormat::Xlsx
        } else if accept.contains("text/csv") {
            ReportFormat::Csv
        } else {
            ReportFormat::Json
        }
    })
}

pub(super) fn attachment(
    content_type: &str,
    body: impl Into<web::Bytes>,
    name: &str,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body.into())
}

/// The report in the chosen format, as an attachment when it is a file.
fn answer<T: Report>(format: ReportFormat, report: &T) -> Result<HttpResponse, ApiError> {
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => attachment(
            "text/csv; charset=utf-8",
            report.to_csv()?,
            &format!("{}.csv", T::FILE),
        ),
        ReportFormat::Xlsx => attachment(
            XLSX,
            Workbook(report.to_xlsx()?),
            &format!("{}.xlsx", T::FILE),
        ),
    })
}

/// SLA compliance of the tickets created in a period, per PD, service, tier or priority.
///
/// Refused with:
/// - 403: A Tier 1 account
/// - 422: A bad period, month, grouping or format
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", operation_id = "sla_report",
    security(("bearer" = [])), params(PeriodQuery, SlaReportOptions),
    responses(
        (status = 200, description = "The report (JSON, CSV or a workbook, as asked)", content(
            (SlaReport = "application/json"),
            (String = "text/csv"),
            (Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn sla_report(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
    period: Query<PeriodQuery>,
    options: Query<SlaReportOptions>,
) -> Result<HttpResponse, ApiError> {
    let (period, options) = (period.into_inner(), options.into_inner());
    let format = chosen(&request, options.format);
    let report = run_as(&desk, bearer, move |desk, caller| {
        desk.sla_report(&caller, &period, options.group_by.as_deref())
    })
    .await?;
    answer(format, &report)
}

/// Availability of every service over a period.
///
/// Refused with:
/// - 403: A Tier 1 account
/// - 422: A bad period, month or format
#[utoipa::path(get, path = "/api/v1/reports/availability", tag = "reports",
    operation_id = "availability_report", security(("bearer" = [])), params(PeriodQuery, ReportOptions),
    responses(
        (status = 200, description = "The report (JSON, CSV or a workbook, as asked)", content(
            (AvailabilityReport = "application/json"),
            (String = "text/csv"),
            (Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn availability_report(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
    period: Query<PeriodQuery>,
    options: Query<ReportOptions>,
) -> Result<HttpResponse, ApiError> {
    let format = chosen(&request, options.format);
    let period = period.into_inner();
    let report = run_as(&desk, bearer, move |desk, caller| {
        desk.availability_report(&caller, &period)
    })
    .await?;
    answer(format, &report)
}

/// The Tim Teknis Monev's problem inventory: the open problem tickets with their linked
/// incidents and the feedback given on them (Dinas staff, auditors, admins).
///
/// Refused with:
/// - 403: Tier 1 or an integration
/// - 422: A bad format
#[utoipa::path(get, path = "/api/v1/reports/problem-inventory", tag = "reports",
    operation_id = "problem_inventory", security(("bearer" = [])), params(ReportOptions),
    responses(
        (status = 200, description = "The inventory (JSON, CSV or a workbook, as asked)", content(
            (ProblemInventory = "application/json"),
            (String = "text/csv"),
            (Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn problem_inventory(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
    options: Query<ReportOptions>,
) -> Result<HttpResponse, ApiError> {
    let format = chosen(&request, options.format);
    let report = run_as(&desk, bearer, move |desk, caller| {
        desk.problem_inventory(&caller)
    })
    .await?;
    answer(format, &report)
}
