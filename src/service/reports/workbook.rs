//! The reports as an Excel workbook, for officials: a title row naming the region and the
//! period in its local time, Indonesian headers, codes beside names, and typed cells —
//! percentages as numbers shown with a percent format, durations as hours, flags as
//! booleans — so that a spreadsheet sums and sorts them without conversion. Text is always a
//! string cell, never a formula, whatever it starts with.

use chrono::{DateTime, TimeDelta, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{AvailabilityReport, Heading, SlaReport};
use crate::mail::local_time;
use crate::service::ServiceError;

/// The row of the column headers; the title is on the first row, the data follow.
pub(super) const HEADER_ROW: u32 = 2;

/// The SLA report's percentages are rounded to hundredths.
const SLA_PERCENT: &str = "0.00%";
/// Availability needs a thousandth: 99.9% and 99.95% are different targets.
const AVAILABILITY_PERCENT: &str = "0.000%";
const HOURS: &str = "0.00";

pub(super) fn failed(error: XlsxError) -> ServiceError {
    ServiceError::Internal(format!("workbook: {error}"))
}

/// The title: what the report is, of which region, over which period in its local time.
/// "s.d." (up to and including) reads the end as inclusive, so the title shows the period's
/// last minute (30-11-2026 23:59), not its exclusive end (01-12-2026 00:00).
fn title(what: &str, heading: &Heading, (from, to): (DateTime<Utc>, DateTime<Utc>)) -> String {
    format!(
        "{what} — {} — {} s.d. {} ({})",
        heading.region,
        local_time(from, heading.timezone),
        local_time(to - TimeDelta::seconds(1), heading.timezone),
        heading.timezone.name()
    )
}

/// A sheet with its title row and header row written.
pub(super) fn sheet<'a>(
    workbook: &'a mut Workbook,
    name: &str,
    title: &str,
    headers: &[&str],
) -> Result<&'a mut Worksheet, XlsxError> {
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (column, header) in (0u16..).zip(headers) {
        sheet.write_string_with_format(HEADER_ROW, column, *header, &bold)?;
    }
    Ok(sheet)
}

/// Writes a percentage (`50.0` for 50%) as the fraction a percent format shows, or leaves
/// the cell empty when there is none.
fn percent_cell(
    sheet: &mut Worksheet,
    (row, column): (u32, u16),
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    if let Some(value) = value {
        sheet.write_number_with_format(row, column, value / 100.0, format)?;
    }
    Ok(())
}

fn hours(seconds: i64) -> f64 {
    seconds as f64 / 3600.0
}

pub(super) fn finish(mut workbook: Workbook) -> Result<Vec<u8>, ServiceError> {
    workbook.save_to_buffer().map_err(failed)
}

/// A report as an Excel workbook, for officials.
pub trait ToXlsx {
    /// The report as a workbook.
    fn to_xlsx(&self) -> Result<Vec<u8>, ServiceError>;
}

impl ToXlsx for SlaReport {
    /// The report as a workbook, one sheet `Laporan SLA`.
    fn to_xlsx(&self) -> Result<Vec<u8>, ServiceError> {
        let (what, code, name) = match self.group_by.as_str() {
            "service" => ("per layanan", "Kode Layanan", "Layanan"),
            "tier" => ("per tier", "Tier", "Nama Tier"),
            "priority" => ("per prioritas", "Kode Prioritas", "Prioritas"),
            _ => ("per perangkat daerah", "Kode PD", "Perangkat Daerah"),
        };
        let mut workbook = Workbook::new();
        let sheet = sheet(
            &mut workbook,
            "Laporan SLA",
            &title(
                &format!("Laporan Kepatuhan SLA {what}"),
                &self.heading,
                (self.from.get(), self.to.get()),
            ),
            &[
                code,
                name,
                "Jumlah Tiket",
                "Selesai",
                "Respons Tepat Waktu",
                "Penyelesaian Tepat Waktu",
                "Rata-rata Waktu Penyelesaian (jam)",
                "Dieskalasi",
                "Melanggar SLA",
            ],
        )
        .map_err(failed)?;
        let percent = Format::new().set_num_format(SLA_PERCENT);
        let hours_format = Format::new().set_num_format(HOURS);
        for (row, r) in (HEADER_ROW + 1..).zip(&self.rows) {
            (|| {
                sheet.write_string(row, 0, &r.code)?;
                sheet.write_string(row, 1, &r.label)?;
                sheet.write_number(row, 2, r.tickets as f64)?;
                sheet.write_number(row, 3, r.resolved as f64)?;
                percent_cell(sheet, (row, 4), r.response_met_percent, &percent)?;
                percent_cell(sheet, (row, 5), r.resolution_met_percent, &percent)?;
                if let Some(seconds) = r.mean_time_to_resolve_seconds {
                    sheet.write_number_with_format(row, 6, hours(seconds), &hours_format)?;
                }
                sheet.write_number(row, 7, r.escalated as f64)?;
                sheet.write_number(row, 8, r.breached as f64)?;
                Ok::<(), XlsxError>(())
            })()
            .map_err(failed)?;
        }
        sheet.autofit();
        finish(workbook)
    }
}

impl ToXlsx for AvailabilityReport {
    /// The report as a workbook, one sheet `Ketersediaan Layanan`.
    fn to_xlsx(&self) -> Result<Vec<u8>, ServiceError> {
        let mut workbook = Workbook::new();
        let sheet = sheet(
            &mut workbook,
            "Ketersediaan Layanan",
            &title(
                "Laporan Ketersediaan Layanan",
                &self.heading,
                (self.from.get(), self.to.get()),
            ),
            &[
                "Kode Layanan",
                "Layanan",
                "Target Ketersediaan",
                "Ketersediaan",
                "Waktu Henti Tak Terencana (jam)",
                "Pemeliharaan Terencana (jam)",
                "Memenuhi Target",
                "Bulan Melampaui Batas Waktu Henti",
            ],
        )
        .map_err(failed)?;
        let percent = Format::new().set_num_format(AVAILABILITY_PERCENT);
        let hours_format = Format::new().set_num_format(HOURS);
        for (row, r) in (HEADER_ROW + 1..).zip(&self.rows) {
            let figures = &r.figures;
            let months: Vec<&str> = figures
                .budget_breaches
                .iter()
                .map(|breach| breach.month.as_str())
                .collect();
            (|| {
                sheet.write_string(row, 0, &r.code)?;
                sheet.write_string(row, 1, &r.name)?;
                percent_cell(sheet, (row, 2), Some(figures.target_percent), &percent)?;
                percent_cell(
                    sheet,
                    (row, 3),
                    Some(figures.availability_percent),
                    &percent,
                )?;
                sheet.write_number_with_format(
                    row,
                    4,
                    hours(figures.downtime_seconds),
                    &hours_format,
                )?;
                sheet.write_number_with_format(
                    row,
                    5,
                    hours(figures.planned_downtime_seconds),
                    &hours_format,
                )?;
                sheet.write_boolean(row, 6, figures.met)?;
                sheet.write_string(row, 7, months.join(", "))?;
                Ok::<(), XlsxError>(())
            })()
            .map_err(failed)?;
        }
        sheet.autofit();
        finish(workbook)
    }
}
