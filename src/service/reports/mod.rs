//! Reports for the Tim Koordinasi SPBE, the Inspektorat and the Dinas: SLA compliance per
//! PD, service, tier or priority, and availability per service; as JSON, CSV or a workbook.

mod csv_text;
pub mod dashboard;
mod governance;
pub mod registers;
mod workbook;

pub use csv_text::ToCsv;
pub(in crate::service) use governance::month_files as governance_files;
pub use workbook::ToXlsx;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db;
use crate::db::reports::{Grouping, SlaFigures};
use crate::domain::role::Role;
use crate::service::availability::{AvailabilityView, service_figures};
use crate::service::period::PeriodQuery;
use crate::service::{Desk, ServiceError, fields, region, require};

const READERS: &[Role] = &[
    Role::Tier2,
    Role::Supervisor,
    Role::Auditor,
    Role::Admin,
    Role::Integration,
];

/// A report as JSON, CSV for machines or a workbook for officials.
pub trait Report: Serialize + ToCsv + ToXlsx {
    /// Its file name, without the extension.
    const FILE: &'static str;
}

impl Report for SlaReport {
    const FILE: &'static str = "laporan-sla";
}

impl Report for AvailabilityReport {
    const FILE: &'static str = "laporan-ketersediaan";
}

impl Report for crate::service::governance::problems::ProblemInventory {
    const FILE: &'static str = "inventaris-masalah";
}

/// How a report answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// JSON.
    Json,
    /// CSV for machines: fixed decimals, ISO 8601 instants.
    Csv,
    /// An Excel workbook for officials: typed cells, Indonesian headers, local times.
    Xlsx,
}

/// `GET /reports/sla`: how to group and answer, besides the period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SlaReportOptions {
    /// `unit` (default), `service`, `tier` or `priority`.
    #[param(schema_with = grouping)]
    pub group_by: Option<String>,
    /// `json`, `csv` or `xlsx`; without it the `Accept` header decides (`text/csv`, the
    /// spreadsheet media type), else JSON.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// `GET /reports/availability`: how to answer, besides the period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportOptions {
    /// `json`, `csv` or `xlsx`; without it the `Accept` header decides (`text/csv`, the
    /// spreadsheet media type), else JSON.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

fn grouping() -> utoipa::openapi::schema::ObjectBuilder {
    fields::one_of(["unit", "service", "tier", "priority"]).description(Some("Default `unit`"))
}

/// One group of the SLA report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReportRow {
    /// Unit id, service id (`""` for none), tier or priority.
    pub key: String,
    /// The unit's or service's code (`""` for none); the tier or priority itself.
    pub code: String,
    /// What officials call it.
    pub label: String,
    /// Tickets created in the period (cancelled ones excluded).
    pub tickets: i64,
    /// Of those, resolved.
    pub resolved: i64,
    /// Answered within the response target, percent of those answered or breached.
    pub response_met_percent: Option<f64>,
    /// Resolved within the resolution target, percent of those resolved or breached.
    pub resolution_met_percent: Option<f64>,
    /// Mean business time to resolution (pending time excluded).
    pub mean_time_to_resolve_seconds: Option<i64>,
    /// Escalated to Tier 2.
    pub escalated: i64,
    /// With a breached SLA clock.
    pub breached: i64,
}

/// The SLA report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReport {
    /// Start of the period.
    pub from: UtcTime,
    /// End of the period.
    pub to: UtcTime,
    /// `unit`, `service`, `tier` or `priority`.
    pub group_by: String,
    /// One row per group with tickets.
    pub rows: Vec<SlaReportRow>,
    /// Whose report it is, for the workbook's title.
    #[serde(skip)]
    pub heading: Heading,
}

/// A report's period, `[from, to)`.
pub(crate) type Period = (DateTime<Utc>, DateTime<Utc>);

/// The region a report is of, and the timezone its workbook shows instants in.
#[derive(Debug, Clone)]
pub struct Heading {
    /// The region's name.
    pub region: String,
    /// The region's timezone.
    pub timezone: Tz,
}

/// The availability report: one row per service.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityReport {
    /// Start of the period.
    pub from: UtcTime,
    /// End of the period.
    pub to: UtcTime,
    /// Every service of the catalogue.
    pub rows: Vec<ServiceAvailability>,
    /// Whose report it is, for the workbook's title.
    #[serde(skip)]
    pub heading: Heading,
}

/// One service's availability in the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAvailability {
    /// The service's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: AvailabilityView,
}

/// `part` of `whole` as a percentage to a thousandth, the three decimals CSV always writes.
fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (100_000.0 * part as f64 / whole as f64).round() / 1_000.0)
}

fn row(figures: SlaFigures, (code, label): (String, String)) -> SlaReportRow {
    SlaReportRow {
        code,
        label,
        tickets: figures.tickets,
        resolved: figures.resolved,
        response_met_percent: percent(figures.response_met, figures.response_decided),
        resolution_met_percent: percent(figures.resolution_met, figures.resolution_decided),
        mean_time_to_resolve_seconds: (figures.resolved_timed > 0)
            .then(|| figures.resolve_seconds / figures.resolved_timed),
        escalated: figures.escalated,
        breached: figures.breached,
        key: figures.key,
    }
}

impl Desk {
    /// SLA compliance of the tickets created in a period, per group.
    pub fn sla_report(
        &self,
        caller: &Caller,
        period: &PeriodQuery,
        group_by: Option<&str>,
    ) -> Result<SlaReport, ServiceError> {
        require(caller, READERS)?;
        self.sla_report_of(period, group_by)
    }

    /// The SLA report, for whoever may read it.
    pub(crate) fn sla_report_of(
        &self,
        period: &PeriodQuery,
        group_by: Option<&str>,
    ) -> Result<SlaReport, ServiceError> {
        let (grouping, group_by) = match group_by.unwrap_or("unit") {
            "unit" => (Grouping::Unit, "unit"),
            "service" => (Grouping::Service, "service"),
            "tier" => (Grouping::Tier, "tier"),
            "priority" => (Grouping::Priority, "priority"),
            _ => {
                return Err(ServiceError::field(
                    "group_by",
                    "must be unit, service, tier or priority",
                ));
            }
        };
        let mut conn = self.conn()?;
        let (heading, (from, to)) = heading_and_period(&mut conn, period)?;
        let figures = db::reports::sla_figures(&mut conn, grouping, from.into(), to.into())?;
        // Each key's code and name.
        let names: HashMap<String, (String, String)> = match grouping {
            Grouping::Unit => db::units::list(&mut conn, None, i64::MAX)?
                .into_iter()
                .map(|u| (u.id.to_string(), (u.code, u.name)))
                .collect(),
            Grouping::Service => db::services::list(&mut conn, None, i64::MAX)?
                .into_iter()
                .map(|s| (s.id.to_string(), (s.code, s.name)))
                .chain([(String::new(), (String::new(), "Tanpa layanan".to_owned()))])
                .collect(),
            Grouping::Tier => {
                let region = region::load(&mut conn)?.row;
                [
                    ("1".into(), ("1".into(), region.tier1_label)),
                    ("2".into(), ("2".into(), region.tier2_label)),
                ]
                .into()
            }
            Grouping::Priority => [
                ("critical", "Kritis"),
                ("high", "Tinggi"),
                ("medium", "Sedang"),
                ("low", "Rendah"),
            ]
            .map(|(k, v)| (k.to_owned(), (k.to_owned(), v.to_owned())))
            .into(),
        };
        Ok(SlaReport {
            from: from.into(),
            to: to.into(),
            group_by: group_by.into(),
            rows: figures
                .into_iter()
                .map(|f| {
                    let names = names
                        .get(&f.key)
                        .cloned()
                        .unwrap_or_else(|| (f.key.clone(), f.key.clone()));
                    row(f, names)
                })
                .collect(),
            heading,
        })
    }

    /// Availability of every service over a period.
    pub fn availability_report(
        &self,
        caller: &Caller,
        period: &PeriodQuery,
    ) -> Result<AvailabilityReport, ServiceError> {
        require(caller, READERS)?;
        self.availability_report_of(period)
    }

    /// The availability report, for whoever may read it.
    pub(crate) fn availability_report_of(
        &self,
        period: &PeriodQuery,
    ) -> Result<AvailabilityReport, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        let (heading, (from, to)) = heading_and_period(&mut conn, period)?;
        let rows = db::services::list(&mut conn, None, i64::MAX)?
            .into_iter()
            .map(|service| {
                let (code, name) = (service.code.clone(), service.name.clone());
                let figures =
                    service_figures(&mut conn, service, (from, to), now, heading.timezone)?;
                Ok(ServiceAvailability {
                    code,
                    name,
                    figures,
                })
            })
            .collect::<Result<_, ServiceError>>()?;
        Ok(AvailabilityReport {
            from: from.into(),
            to: to.into(),
            rows,
            heading,
        })
    }
}

/// The region's heading and the period the query names, in its timezone.
fn heading_and_period(
    conn: &mut db::DbConn,
    period: &PeriodQuery,
) -> Result<(Heading, Period), ServiceError> {
    let region = region::load(conn)?.row;
    let timezone = region.timezone.0;
    let period = period.resolve(timezone)?;
    let heading = Heading {
        region: region.name,
        timezone,
    };
    Ok((heading, period))
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_keep_the_thousandth_csv_writes() {
        // Rounded to hundredths, 30 of 39 was 76.92 and CSV wrote a made-up 76.920.
        assert_eq!(percent(30, 39), Some(76.923));
        assert_eq!(percent(2, 3), Some(66.667));
        assert_eq!(percent(1, 0), None);
    }
}
