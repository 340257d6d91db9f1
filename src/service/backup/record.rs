//! Backups in the audit log: every backup, failed one and restore test is an entry of the one
//! record `backup`/`backups`, so that `GET /audit-log?entity=backup&entity_id=backups` lists
//! them all, whatever the files were called.

use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};

use super::{BackupSummary, Progress, Verification};
use crate::db;
use crate::service::audit::{self, Actor};
use crate::service::{Desk, ServiceError};

/// A backup written.
pub const BACKUP_COMPLETED: &str = "backup_completed";
/// A backup or restore test that failed.
pub const BACKUP_FAILED: &str = "backup_failed";
/// A restore test.
pub const BACKUP_VERIFIED: &str = "backup_verified";

/// The audit record all backups are entries of.
const RECORD: (&str, &str) = ("backup", "backups");

impl Desk {
    /// Backs up this desk's database (at `url`, with the stored files under `data_dir`) into
    /// `output`, and records the backup or its failure.
    pub fn back_up(
        &self,
        url: &crate::db::DatabaseUrl,
        data_dir: &Path,
        output: &Path,
        progress: &Progress,
    ) -> anyhow::Result<BackupSummary> {
        match super::backup(url, data_dir, output, self.now(), progress) {
            Ok(summary) => {
                self.record_backup(&summary)?;
                Ok(summary)
            }
            Err(error) => {
                self.record_backup_failure(output, &error)?;
                Err(error)
            }
        }
    }

    /// The restore test of the archive at `input` (see [`super::verify`]), with whether this
    /// desk recorded it, recorded as `backup_verified`, or as `backup_failed` when it does not
    /// restore.
    pub fn test_restore(&self, input: &Path, progress: &Progress) -> anyhow::Result<Verification> {
        let mut verification = match super::verify(input, progress)
            .with_context(|| format!("{} does not restore", input.display()))
        {
            Ok(verification) => verification,
            Err(error) => {
                self.record_backup_failure(input, &error)?;
                return Err(error);
            }
        };
        verification.recorded = self.backup_recorded(&verification.sha256)?;
        self.record_verification(input, &verification)?;
        Ok(verification)
    }

    /// Records a finished backup, with its checksum and the trail's head.
    pub(super) fn record_backup(&self, summary: &BackupSummary) -> Result<(), ServiceError> {
        let data = json!({
            "file": summary.file.display().to_string(),
            "sha256": summary.sha256,
            "tables": summary.tables,
            "rows": summary.rows,
            "files": summary.files,
            "trail_head": summary.trail_head,
        });
        self.record_backup_event(BACKUP_COMPLETED, data)
    }

    /// Records a backup or restore test that failed, and why.
    pub(super) fn record_backup_failure(
        &self,
        file: &Path,
        error: &anyhow::Error,
    ) -> Result<(), ServiceError> {
        let data = json!({ "file": file.display().to_string(), "error": format!("{error:#}") });
        self.record_backup_event(BACKUP_FAILED, data)
    }

    /// Records the outcome of a restore test.
    fn record_verification(
        &self,
        file: &Path,
        verification: &Verification,
    ) -> Result<(), ServiceError> {
        let data = json!({
            "file": file.display().to_string(),
            "verified": verification.verified,
            "recorded": verification.recorded,
            "sha256": verification.sha256,
            "tables": verification.tables,
            "rows": verification.rows,
            "differing": verification.differing,
        });
        self.record_backup_event(BACKUP_VERIFIED, data)
    }

    /// Whether this desk recorded a backup whose archive has `sha256`.
    fn backup_recorded(&self, sha256: &str) -> Result<bool, ServiceError> {
        let entries = db::audit::for_entity(&mut *self.conn()?, RECORD.0, RECORD.1)?;
        Ok(entries.iter().any(|entry| {
            entry.action == BACKUP_COMPLETED
                && serde_json::from_str::<Value>(&entry.data)
                    .is_ok_and(|data| data["sha256"] == sha256)
        }))
    }

    fn record_backup_event(&self, action: &str, data: Value) -> Result<(), ServiceError> {
        let at = self.now();
        db::write_tx(&mut *self.conn()?, |conn| {
            audit::record(conn, Actor::system(at), action, RECORD, data)
        })
    }
}
