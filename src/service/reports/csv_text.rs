//! The reports as CSV, for machines: one header row, the period in ISO 8601 (UTC) on every
//! row, percentages always with three decimals, durations in whole seconds, flags `true` or
//! `false`, so that a reader can parse every column the same way in every report.

use super::registers::{BreachRegister, EscalationRegister};
use super::{AvailabilityReport, SlaReport};
use crate::service::ServiceError;

/// A percentage as CSV writes it: exactly three decimals.
fn percent(value: f64) -> String {
    format!("{value:.3}")
}

/// One CSV cell: what we compute (counts, percentages, instants, flags) stays as it is, so
/// a spreadsheet reads it as a number; text that came from officials (names, codes, ids) is
/// always quoted and cannot start a formula.
pub(super) enum Cell {
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

pub(super) fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

pub(super) fn computed(value: impl ToString) -> Cell {
    Cell::Computed(value.to_string())
}

pub(super) fn csv_text(header: &[&str], rows: Vec<Vec<Cell>>) -> Result<String, ServiceError> {
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

fn optional(value: Option<String>) -> Cell {
    computed(value.unwrap_or_default())
}

/// A report as CSV, for machines.
pub trait ToCsv {
    /// The report as CSV.
    fn to_csv(&self) -> Result<String, ServiceError>;
}

impl ToCsv for SlaReport {
    /// The report as CSV: a header row, one row per group, the period in ISO 8601 on each.
    fn to_csv(&self) -> Result<String, ServiceError> {
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
                        computed(self.from.to_rfc3339()),
                        computed(self.to.to_rfc3339()),
                        computed(&self.group_by),
                        text(&r.key),
                        text(&r.label),
                        computed(r.tickets),
                        computed(r.resolved),
                        optional(r.response_met_percent.map(percent)),
                        optional(r.resolution_met_percent.map(percent)),
                        optional(r.mean_time_to_resolve_seconds.map(|s| s.to_string())),
                        computed(r.escalated),
                        computed(r.breached),
                    ]
                })
                .collect(),
        )
    }
}

impl ToCsv for AvailabilityReport {
    /// The report as CSV: a header row, one row per service; the months over budget are
    /// `YYYY-MM` separated by spaces (no separator of any locale).
    fn to_csv(&self) -> Result<String, ServiceError> {
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
                "budget_breaches",
            ],
            self.rows
                .iter()
                .map(|row| {
                    let r = &row.figures;
                    vec![
                        computed(self.from.to_rfc3339()),
                        computed(self.to.to_rfc3339()),
                        text(&r.service_id),
                        text(&row.code),
                        text(&row.name),
                        computed(percent(r.target_percent)),
                        computed(percent(r.availability_percent)),
                        computed(r.downtime_seconds),
                        computed(r.planned_downtime_seconds),
                        computed(r.met),
                        computed(months(r)),
                    ]
                })
                .collect(),
        )
    }
}

fn months(figures: &crate::service::availability::AvailabilityView) -> String {
    figures
        .budget_breaches
        .iter()
        .map(|breach| breach.month.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl ToCsv for BreachRegister {
    /// The breach register: one row per breach, oldest first.
    fn to_csv(&self) -> Result<String, ServiceError> {
        csv_text(
            &[
                "from",
                "to",
                "ticket",
                "unit",
                "clock",
                "tier",
                "priority",
                "due_at",
                "recorded_at",
            ],
            self.rows
                .iter()
                .map(|r| {
                    vec![
                        computed(self.from.to_rfc3339()),
                        computed(self.to.to_rfc3339()),
                        text(&r.number),
                        text(&r.unit),
                        computed(&r.clock),
                        computed(r.tier),
                        computed(&r.priority),
                        computed(&r.due_at),
                        computed(r.recorded_at.to_rfc3339()),
                    ]
                })
                .collect(),
        )
    }
}

impl ToCsv for EscalationRegister {
    /// The escalation register: one row per escalation, oldest first.
    fn to_csv(&self) -> Result<String, ServiceError> {
        csv_text(
            &["from", "to", "ticket", "unit", "automatic", "reason", "at"],
            self.rows
                .iter()
                .map(|r| {
                    vec![
                        computed(self.from.to_rfc3339()),
                        computed(self.to.to_rfc3339()),
                        text(&r.number),
                        text(&r.unit),
                        computed(r.automatic),
                        text(&r.reason),
                        computed(r.at.to_rfc3339()),
                    ]
                })
                .collect(),
        )
    }
}
