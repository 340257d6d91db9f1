//! Reports for the Tim Koordinasi SPBE, the Inspektorat and the Dinas: SLA compliance per
//! PD, service, tier or priority, and availability per service; as JSON or CSV.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outages::{AvailabilityView, period, service_figures};
use super::{Desk, ServiceError, fields, region, require};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db;
use crate::db::reports::{Grouping, SlaFigures};
use crate::domain::role::Role;

const READERS: &[Role] = &[
    Role::Tier2,
    Role::Supervisor,
    Role::Auditor,
    Role::Admin,
    Role::Integration,
];

/// `GET /reports/sla`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SlaReportQuery {
    /// Tickets created at or after (RFC 3339, 1970 to 9999).
    #[param(format = DateTime, max_length = 64)]
    pub from: String,
    /// Tickets created before (RFC 3339); at most 366 days after `from`.
    #[param(format = DateTime, max_length = 64)]
    pub to: String,
    /// `unit` (default), `service`, `tier` or `priority`.
    #[param(schema_with = grouping)]
    pub group_by: Option<String>,
    /// `csv` for a spreadsheet (or send `Accept: text/csv`); `json` (default) for JSON.
    #[param(schema_with = report_format)]
    pub format: Option<String>,
}

/// `GET /reports/availability`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// Start (RFC 3339, 1970 to 9999).
    #[param(format = DateTime, max_length = 64)]
    pub from: String,
    /// End (RFC 3339), after `from` and at most 366 days later.
    #[param(format = DateTime, max_length = 64)]
    pub to: String,
    /// `csv` for a spreadsheet (or send `Accept: text/csv`); `json` (default) for JSON.
    #[param(schema_with = report_format)]
    pub format: Option<String>,
}

fn grouping() -> utoipa::openapi::schema::ObjectBuilder {
    fields::one_of(["unit", "service", "tier", "priority"]).description(Some("Default `unit`"))
}

fn report_format() -> utoipa::openapi::schema::ObjectBuilder {
    fields::one_of(["json", "csv"]).description(Some(
        "`csv` for a spreadsheet (or send `Accept: text/csv`); `json` (default) for JSON",
    ))
}

/// One group of the SLA report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReportRow {
    /// Unit id, service id (`""` for none), tier or priority.
    pub key: String,
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
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub from: DateTime<Utc>,
    /// End of the period.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub to: DateTime<Utc>,
    /// `unit`, `service`, `tier` or `priority`.
    pub group_by: String,
    /// One row per group with tickets.
    pub rows: Vec<SlaReportRow>,
}

/// The availability report: one row per service.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityReport {
    /// Start of the period.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub from: DateTime<Utc>,
    /// End of the period.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub to: DateTime<Utc>,
    /// Every service of the catalogue.
    pub rows: Vec<ServiceAvailability>,
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

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (10_000.0 * part as f64 / whole as f64).round() / 100.0)
}

fn row(figures: SlaFigures, label: String) -> SlaReportRow {
    SlaReportRow {
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
        query: &SlaReportQuery,
    ) -> Result<SlaReport, ServiceError> {
        require(caller, READERS)?;
        let (from, to) = period(&query.from, &query.to)?;
        let (grouping, group_by) = match query.group_by.as_deref().unwrap_or("unit") {
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
        let figures =
            db::reports::sla_figures(&mut conn, grouping, from.naive_utc(), to.naive_utc())?;
        let labels: HashMap<String, String> = match grouping {
            Grouping::Unit => db::units::list(&mut conn, None, i64::MAX)?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect(),
            Grouping::Service => db::services::list(&mut conn, None, i64::MAX)?
                .into_iter()
                .map(|s| (s.id, s.name))
                .chain([(String::new(), "Tanpa layanan".to_owned())])
                .collect(),
            Grouping::Tier => {
                let region = region::load(&mut conn)?.row;
                [
                    ("1".into(), region.tier1_label),
                    ("2".into(), region.tier2_label),
                ]
                .into()
            }
            Grouping::Priority => [
                ("critical", "Kritis"),
                ("high", "Tinggi"),
                ("medium", "Sedang"),
                ("low", "Rendah"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into(),
        };
        Ok(SlaReport {
            from,
            to,
            group_by: group_by.into(),
            rows: figures
                .into_iter()
                .map(|f| {
                    let label = labels.get(&f.key).cloned().unwrap_or_else(|| f.key.clone());
                    row(f, label)
                })
                .collect(),
        })
    }

    /// Availability of every service over a period.
    pub fn availability_report(
        &self,
        caller: &Caller,
        query: &PeriodQuery,
    ) -> Result<AvailabilityReport, ServiceError> {
        require(caller, READERS)?;
        let (from, to) = period(&query.from, &query.to)?;
        let now = self.now();
        let mut conn = self.conn()?;
        let rows = db::services::list(&mut conn, None, i64::MAX)?
            .into_iter()
            .map(|service| {
                let (code, name) = (service.code.clone(), service.name.clone());
                service_figures(&mut conn, service, (from, to), now).map(|figures| {
                    ServiceAvailability {
                        code,
                        name,
                        figures,
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(AvailabilityReport { from, to, rows })
    }
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One CSV cell: what we compute (counts, percentages, instants, flags) stays as it is, so
/// a spreadsheet reads it as a number; text that came from officials (names, codes, ids) is
/// always quoted and cannot start a formula.
enum Cell {
    Computed(String),
    Text(String),
}

impl Cell {
    /// OWASP's advice against CSV injection: a text starting with `=`, `+`, `-`, `@`, tab or
    /// carriage return gets a leading single quote, and every text cell is quoted with its
    /// quotes doubled, so that no separator (`,`, or `;` where the spreadsheet's locale uses
    /// it) can end the cell early.
    fn write(self) -> String {
        match self {
            Cell::Computed(value) => value,
            Cell::Text(value) => {
                let quote = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    "'"
                } else {
                    ""
                };
                format!("\"{quote}{}\"", value.replace('"', "\"\""))
            }
        }
    }
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

fn computed(value: impl ToString) -> Cell {
    Cell::Computed(value.to_string())
}

fn csv_text(header: &[&str], rows: Vec<Vec<Cell>>) -> Result<String, ServiceError> {
    // Text cells arrive quoted already; the header and computed cells need no quotes.
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Never)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| ServiceError::Internal(format!("CSV: {e}"));
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer
            .write_record(row.into_iter().map(Cell::write))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ServiceError::Internal(format!("CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Internal(format!("CSV: {e}")))
}

fn optional<T: ToString>(value: Option<T>) -> Cell {
    computed(value.map(|v| v.to_string()).unwrap_or_default())
}

impl SlaReport {
    /// The report as CSV: a header row, one row per group, the period in ISO 8601 on each.
    pub fn to_csv(&self) -> Result<String, ServiceError> {
        csv_text(
            &[
                "from",
                "to",
                "group_by",
                "key",
                "label",
                "tickets",
                "resolved",
                "response_met_percent",
                "resolution_met_percent",
                "mean_time_to_resolve_seconds",
                "escalated",
                "breached",
            ],
            self.rows
                .iter()
                .map(|r| {
                    vec![
                        computed(iso(self.from)),
                        computed(iso(self.to)),
                        computed(&self.group_by),
                        text(&r.key),
                        text(&r.label),
                        computed(r.tickets),
                        computed(r.resolved),
                        optional(r.response_met_percent),
                        optional(r.resolution_met_percent),
                        optional(r.mean_time_to_resolve_seconds),
                        computed(r.escalated),
                        computed(r.breached),
                    ]
                })
                .collect(),
        )
    }
}

impl AvailabilityReport {
    /// The report as CSV: a header row, one row per service.
    pub fn to_csv(&self) -> Result<String, ServiceError> {
        csv_text(
            &[
                "from",
                "to",
                "service_id",
                "code",
                "name",
                "target_percent",
                "availability_percent",
                "downtime_seconds",
                "planned_downtime_seconds",
                "met",
            ],
            self.rows
                .iter()
                .map(|row| {
                    let r = &row.figures;
                    vec![
                        computed(iso(self.from)),
                        computed(iso(self.to)),
                        text(&r.service_id),
                        text(&row.code),
                        text(&row.name),
                        computed(r.target_percent),
                        computed(format!("{:.4}", r.availability_percent)),
                        computed(r.downtime_seconds),
                        computed(r.planned_downtime_seconds),
                        computed(r.met),
                    ]
                })
                .collect(),
        )
    }
}
