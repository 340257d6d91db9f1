//! The month's evidence for the Inspektorat (Perwali Palangka Raya 23/2020 Pasal 32, 47): the
//! SLA and availability reports, the breach and escalation registers, the sanctions and
//! supervision records, the trail's head at the
//! month's end, and the SHA-256 of every file, in one zip an auditor takes away and checks
//! later against `verify-audit`.

use std::io::Write;

use chrono::SecondsFormat;
use serde_json::json;
use zip::write::SimpleFileOptions;

use super::period::PeriodQuery;
use super::reports::{Report, ToCsv, ToXlsx, registers};
use super::{Desk, ServiceError, require};
use crate::auth::Caller;
use crate::db;
use crate::domain::digest::sha256_hex;
use crate::domain::role::Role;
use crate::domain::trail::GENESIS;

/// A month's evidence file.
#[derive(Debug)]
pub struct Evidence {
    /// `bukti-audit-YYYY-MM.zip`.
    pub file_name: String,
    /// The zip.
    pub bytes: Vec<u8>,
}

impl Desk {
    /// The evidence of `month` (`YYYY-MM`, the region's local month), for auditors and admins.
    pub fn evidence(&self, caller: &Caller, month: &str) -> Result<Evidence, ServiceError> {
        require(caller, &[Role::Auditor, Role::Admin])?;
        self.evidence_of(month)
    }

    /// The evidence of `month`, for whoever holds the database (the command line).
    pub fn evidence_of(&self, month: &str) -> Result<Evidence, ServiceError> {
        let period = PeriodQuery {
            from: None,
            to: None,
            month: Some(month.to_owned()),
        };
        let sla = self.sla_report_of(&period, None)?;
        let availability = self.availability_report_of(&period)?;
        let span = (sla.from.get(), sla.to.get());
        let mut conn = self.conn()?;
        let breaches = registers::breaches(&mut conn, span)?;
        let escalations = registers::escalations(&mut conn, span)?;
        let timezone = sla.heading.timezone;
        let day = |at: chrono::DateTime<chrono::Utc>| {
            at.with_timezone(&timezone).date_naive().to_string()
        };
        let days = (day(span.0), day(span.1 - chrono::TimeDelta::seconds(1)));
        let governance = super::reports::governance_files(
            &mut conn,
            month,
            (sla.from, sla.to),
            (&days.0, &days.1),
        )?;
        let (seq, hash) =
            db::trail::head_before(&mut conn, sla.to)?.unwrap_or((0, GENESIS.to_owned()));
        let now = super::trail::verify(&mut conn, None)?;
        drop(conn);

        // Evidence of a month not over yet says so: its head is only the head so far.
        let complete = self.now() >= sla.to.get();
        let trail = json!({
            "month_complete": complete,
            "head_at_month_end": { "seq": seq, "hash": hash },
            "verified_when_made": now,
        });
        let mut files: Vec<(String, Vec<u8>)> = vec![
            (
                format!("{}-{month}.csv", super::reports::SlaReport::FILE),
                sla.to_csv()?.into_bytes(),
            ),
            (
                format!("{}-{month}.xlsx", super::reports::SlaReport::FILE),
                sla.to_xlsx()?,
            ),
            (
                format!("{}-{month}.csv", super::reports::AvailabilityReport::FILE),
                availability.to_csv()?.into_bytes(),
            ),
            (
                format!("{}-{month}.xlsx", super::reports::AvailabilityReport::FILE),
                availability.to_xlsx()?,
            ),
            (
                format!("register-pelanggaran-sla-{month}.csv"),
                breaches.to_csv()?.into_bytes(),
            ),
            (
                format!("register-eskalasi-{month}.csv"),
                escalations.to_csv()?.into_bytes(),
            ),
            ("rantai-audit.json".to_owned(), pretty(&trail)?),
        ];
        files.extend(governance);
        let sums: Vec<_> = files
            .iter()
            .map(|(name, bytes)| json!({ "file": name, "bytes": bytes.len(), "sha256": sha256_hex(bytes) }))
            .collect();
        let manifest = json!({
            "region": sla.heading.region,
            "month": month,
            "from": sla.from,
            "to": sla.to,
            "created_at": self.now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "month_complete": complete,
            "trail_head_at_month_end": { "seq": seq, "hash": hash },
            "files": sums,
        });
        let checklist: String = files
            .iter()
            .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
            .collect();
        let bytes = zipped(&files, &pretty(&manifest)?, checklist.as_bytes())
            .map_err(|e| ServiceError::Internal(format!("evidence zip: {e}")))?;
        Ok(Evidence {
            file_name: format!("bukti-audit-{month}.zip"),
            bytes,
        })
    }
}

fn pretty(value: &serde_json::Value) -> Result<Vec<u8>, ServiceError> {
    serde_json::to_vec_pretty(value).map_err(|e| ServiceError::Internal(format!("JSON: {e}")))
}

/// The files, then `manifest.json` and `SHA256SUMS` (which `sha256sum -c` reads).
fn zipped(
    files: &[(String, Vec<u8>)],
    manifest: &[u8],
    checklist: &[u8],
) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .chain([("manifest.json", manifest), ("SHA256SUMS", checklist)]);
    for (name, bytes) in parts {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
