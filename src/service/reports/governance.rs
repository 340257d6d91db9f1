//! Governance records as files: the problem inventory as CSV and as a workbook, and a month's
//! breach register, letters, closures and supervisions as CSV for the evidence archive.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::csv_text::{ToCsv, computed, csv_text, text};
use super::workbook::{HEADER_ROW, ToXlsx, failed, finish, sheet};
use crate::clock::UtcTime;
use crate::db::{self, DbConn};
use crate::mail::local_time;
use crate::service::ServiceError;
use crate::service::governance::letters::breaches_in;
use crate::service::governance::problems::{InventoryEntry, ProblemInventory};

fn incident_numbers(entry: &InventoryEntry) -> String {
    let numbers: Vec<&str> = entry.incidents.iter().map(|i| i.number.as_str()).collect();
    numbers.join(" ")
}

impl ToCsv for ProblemInventory {
    /// One row per open problem; its linked tickets' numbers separated by spaces.
    fn to_csv(&self) -> Result<String, ServiceError> {
        csv_text(
            &[
                "at",
                "ticket_id",
                "number",
                "title",
                "unit_code",
                "priority",
                "status",
                "tier",
                "created_at",
                "incident_count",
                "incidents",
                "feedback_count",
                "last_feedback_at",
                "last_feedback",
            ],
            self.rows
                .iter()
                .map(|r| {
                    let last = r.feedback.last();
                    vec![
                        computed(self.at.to_rfc3339()),
                        text(&r.ticket_id),
                        text(&r.number),
                        text(&r.title),
                        text(&r.unit_code),
                        computed(r.priority),
                        computed(r.status),
                        computed(r.tier),
                        computed(r.created_at.to_rfc3339()),
                        computed(r.incidents.len()),
                        text(&incident_numbers(r)),
                        computed(r.feedback.len()),
                        computed(last.map(|f| f.at.to_rfc3339()).unwrap_or_default()),
                        text(last.map(|f| f.body.as_str()).unwrap_or_default()),
                    ]
                })
                .collect(),
        )
    }
}

impl ToXlsx for ProblemInventory {
    /// One sheet `Inventaris Masalah`.
    fn to_xlsx(&self) -> Result<Vec<u8>, ServiceError> {
        let heading = &self.heading;
        let mut workbook = Workbook::new();
        let title = format!(
            "Inventaris Permasalahan — {} — per {} ({})",
            heading.region,
            local_time(self.at.get(), heading.timezone),
            heading.timezone.name()
        );
        let sheet = sheet(
            &mut workbook,
            "Inventaris Masalah",
            &title,
            &[
                "Nomor",
                "Judul",
                "Kode PD",
                "Perangkat Daerah",
                "Prioritas",
                "Status",
                "Tier",
                "Dicatat",
                "Jumlah Insiden Terkait",
                "Insiden Terkait",
                "Jumlah Umpan Balik",
                "Umpan Balik Terakhir",
            ],
        )
        .map_err(failed)?;
        for (row, r) in (HEADER_ROW + 1..).zip(&self.rows) {
            (|| {
                sheet.write_string(row, 0, &r.number)?;
                sheet.write_string(row, 1, &r.title)?;
                sheet.write_string(row, 2, &r.unit_code)?;
                sheet.write_string(row, 3, &r.unit_name)?;
                sheet.write_string(row, 4, r.priority.as_str())?;
                sheet.write_string(row, 5, r.status.as_str())?;
                sheet.write_number(row, 6, r.tier as f64)?;
                sheet.write_string(row, 7, local_time(r.created_at.get(), heading.timezone))?;
                sheet.write_number(row, 8, r.incidents.len() as f64)?;
                sheet.write_string(row, 9, incident_numbers(r))?;
                sheet.write_number(row, 10, r.feedback.len() as f64)?;
                let last = r
                    .feedback
                    .last()
                    .map(|f| f.body.as_str())
                    .unwrap_or_default();
                sheet.write_string(row, 11, last)?;
                Ok::<(), XlsxError>(())
            })()
            .map_err(failed)?;
        }
        finish(workbook)
    }
}

fn optional_instant(at: Option<UtcTime>) -> String {
    at.map(|at| at.to_rfc3339()).unwrap_or_default()
}

/// A month's governance records as CSV files, named for `month`: the breach register of
/// critical services, the Komite's letters and the closures of the month's instants `span`,
/// and the supervisions held on its local days `days` (first, last).
pub(in crate::service) fn month_files(
    conn: &mut DbConn,
    month: &str,
    span: (UtcTime, UtcTime),
    days: (&str, &str),
) -> Result<Vec<(String, Vec<u8>)>, ServiceError> {
    let breaches = csv_text(
        &[
            "id",
            "service_id",
            "ticket_id",
            "ticket_number",
            "event_id",
            "due_at",
            "breached_at",
        ],
        breaches_in(conn, None, span)?
            .iter()
            .map(|b| {
                vec![
                    text(&b.id),
                    text(&b.service_id),
                    text(&b.ticket_id),
                    text(&b.ticket_number),
                    text(&b.event_id),
                    computed(b.due_at.to_rfc3339()),
                    computed(b.breached_at.to_rfc3339()),
                ]
            })
            .collect(),
    )?;
    let letters = csv_text(
        &[
            "id",
            "kind",
            "number",
            "dated",
            "addressee_unit_id",
            "service_id",
            "breach_ids",
            "note",
            "recorded_by",
            "recorded_at",
        ],
        db::governance::letters_in(conn, span)?
            .iter()
            .map(|l| {
                vec![
                    text(&l.id),
                    computed(l.kind),
                    text(&l.number),
                    computed(&l.dated),
                    text(&l.addressee_unit_id),
                    text(&l.service_id),
                    text(&l.breach_ids),
                    text(&l.note),
                    text(&l.recorded_by),
                    computed(l.recorded_at.to_rfc3339()),
                ]
            })
            .collect(),
    )?;
    let closures = csv_text(
        &[
            "id",
            "service_id",
            "letter_id",
            "reason",
            "outage_id",
            "closed_by",
            "closed_at",
            "repair_note",
            "repaired_by",
            "reopened_at",
        ],
        db::governance::closures_in(conn, span)?
            .iter()
            .map(|c| {
                vec![
                    text(&c.id),
                    text(&c.service_id),
                    text(c.letter_id.as_deref().unwrap_or_default()),
                    text(&c.reason),
                    text(&c.outage_id),
                    text(&c.closed_by),
                    computed(c.closed_at.to_rfc3339()),
                    text(c.repair_note.as_deref().unwrap_or_default()),
                    text(c.repaired_by.as_deref().unwrap_or_default()),
                    computed(optional_instant(c.reopened_at)),
                ]
            })
            .collect(),
    )?;
    let supervisions = csv_text(
        &[
            "id",
            "unit_id",
            "held_on",
            "findings",
            "follow_ups",
            "recorded_by",
            "recorded_at",
        ],
        db::governance::supervisions_held(conn, days)?
            .iter()
            .map(|s| {
                vec![
                    text(&s.id),
                    text(&s.unit_id),
                    computed(&s.held_on),
                    text(&s.findings),
                    text(&s.follow_ups),
                    text(&s.recorded_by),
                    computed(s.recorded_at.to_rfc3339()),
                ]
            })
            .collect(),
    )?;
    Ok(vec![
        (
            format!("register-pelanggaran-layanan-kritikal-{month}.csv"),
            breaches.into_bytes(),
        ),
        (format!("surat-komite-{month}.csv"), letters.into_bytes()),
        (
            format!("penutupan-sementara-{month}.csv"),
            closures.into_bytes(),
        ),
        (format!("supervisi-{month}.csv"), supervisions.into_bytes()),
    ])
}
