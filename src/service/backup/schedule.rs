//! Scheduled backups: `serve` takes one into `SERVICEDESK_BACKUP_DIR` when the newest archive
//! there is older than the interval, keeps the newest few, and records every run.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{BackupSummary, Progress};
use crate::config::{BackupSchedule, Config};
use crate::db::DatabaseUrl;
use crate::service::Desk;

/// What scheduled archives are called: `servicedesk-<UTC instant>.zip`.
const PREFIX: &str = "servicedesk-";
const SUFFIX: &str = ".zip";
/// After a failed run, the next try comes at most this much later.
const RETRY: Duration = Duration::from_secs(15 * 60);

/// The scheduled backups of one `serve`.
pub struct Scheduled {
    url: DatabaseUrl,
    data_dir: PathBuf,
    schedule: BackupSchedule,
}

impl Scheduled {
    /// The schedule of `config`, if it has one.
    pub fn of(config: &Config) -> Option<Self> {
        config.backups.clone().map(|schedule| Scheduled {
            url: config.database_url.clone(),
            data_dir: config.data_dir.clone(),
            schedule,
        })
    }

    /// How long until the next backup is due: none there yet, or the newest older than the
    /// interval, is due now.
    pub fn due_in(&self) -> Duration {
        let newest = archives(&self.schedule.dir)
            .last()
            .and_then(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
        newest.map_or(Duration::ZERO, |at| {
            let age = SystemTime::now().duration_since(at).unwrap_or_default();
            self.schedule.interval.saturating_sub(age)
        })
    }

    /// Takes a backup now, records it (or its failure) in the audit log and the metrics, and
    /// removes archives beyond the retention count. Returns when the next run is due.
    pub fn run(&self, desk: &Desk) -> Duration {
        let now = desk.now();
        let name = format!("{PREFIX}{}{SUFFIX}", now.format("%Y%m%dT%H%M%S%.3fZ"));
        let output = self.schedule.dir.join(name);
        remove_partials(&self.schedule.dir);
        match super::backup(&self.url, &self.data_dir, &output, now, &Progress::logged()) {
            Ok(summary) => {
                self.succeeded(desk, &summary);
                self.schedule.interval
            }
            Err(error) => {
                tracing::error!(file = %output.display(), error = format!("{error:#}"), "scheduled backup failed");
                desk.metrics().backup_failed();
                if let Err(record) = desk.record_backup_failure(&output, &error) {
                    tracing::error!(%record, "the failed backup could not be recorded in the audit log");
                }
                self.schedule.interval.min(RETRY)
            }
        }
    }

    fn succeeded(&self, desk: &Desk, summary: &BackupSummary) {
        tracing::info!(file = %summary.file.display(), sha256 = summary.sha256, rows = summary.rows, "scheduled backup written");
        desk.metrics().backup_completed(desk.now());
        if let Err(error) = desk.record_backup(summary) {
            tracing::error!(%error, "the backup could not be recorded in the audit log");
        }
        let archives = archives(&self.schedule.dir);
        let surplus = archives.len().saturating_sub(self.schedule.keep);
        for old in &archives[..surplus] {
            match std::fs::remove_file(old) {
                Ok(()) => tracing::info!(file = %old.display(), "old backup removed"),
                Err(error) => {
                    tracing::warn!(file = %old.display(), %error, "old backup not removed")
                }
            }
        }
    }
}

/// Whether `name` is one the scheduler gives: `servicedesk-YYYYMMDDTHHMMSS.mmmZ.zip`. Only
/// those are its to count and to remove; an operator's own archives beside them are not.
fn scheduled_name(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .and_then(|instant| {
            chrono::NaiveDateTime::parse_from_str(instant, "%Y%m%dT%H%M%S%.3fZ").ok()
        })
        .is_some()
}

/// The scheduler's archives in `dir`, oldest written first.
fn archives(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_str().is_some_and(scheduled_name))
                .filter_map(|entry| {
                    let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
                    Some((modified, entry.path()))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.into_iter().map(|(_, path)| path).collect()
}

/// What a run killed midway left behind.
fn remove_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        let made = name
            .strip_suffix(".partial")
            .or_else(|| name.strip_suffix(".partial.db"));
        if made.is_some_and(scheduled_name) {
            let _ = std::fs::remove_file(&path);
        }
    }
}
