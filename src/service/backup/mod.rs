//! Backup and restore inside the application (Perwali Palangka Raya 23/2020 Pasal 30 (2), 37;
//! Perwali Ambon Pasal 13 (5)–(7)): a consistent snapshot of every table and stored file into
//! one archive, a restore into an empty database of either backend, and the restore test.

pub mod archive;
mod progress;
mod record;
mod restore;
pub mod schedule;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use self::archive::{FilePart, Manifest, TablePart, TrailHead, Writer};
pub use self::progress::Progress;
pub use self::record::{BACKUP_COMPLETED, BACKUP_FAILED, BACKUP_VERIFIED};
pub use self::restore::{RestoreSummary, Verification, restore, verify};
use crate::db::{self, DatabaseUrl, DbConn, snapshot};
use crate::domain::digest::sha256_hex;

/// Where stored files live under the data directory: the mail outbox of file mode, one
/// `<notification id>.eml` per mail.
const OUTBOX: &str = "outbox";

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    /// The archive.
    pub file: PathBuf,
    /// SHA-256 of the whole archive, hex: what `sha256sum` says of it.
    pub sha256: String,
    /// Tables written.
    pub tables: usize,
    /// Rows written, all tables together.
    pub rows: i64,
    /// Stored files written.
    pub files: usize,
    /// The trail's head at the snapshot.
    pub trail_head: TrailHead,
}

/// Takes a consistent snapshot of the database at `url` (and the stored files under
/// `data_dir`) into a new archive at `output`, which appears whole or not at all and is
/// readable by its owner only: it holds personal data and password hashes.
pub fn backup(
    url: &DatabaseUrl,
    data_dir: &Path,
    output: &Path,
    now: DateTime<Utc>,
    progress: &Progress,
) -> anyhow::Result<BackupSummary> {
    if output.symlink_metadata().is_ok() {
        bail!(
            "{} exists already: back up into a new file",
            output.display()
        );
    }
    let partial = with_suffix(output, ".partial");
    let written = write_archive(url, data_dir, &partial, now, progress);
    let summary = written.and_then(|summary| {
        std::fs::rename(&partial, output)
            .with_context(|| format!("cannot move the archive to {}", output.display()))?;
        Ok(summary)
    });
    if summary.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    let mut summary = summary?;
    summary.file = output.to_owned();
    summary.sha256 = sha256_hex(
        &std::fs::read(output).with_context(|| format!("cannot read {}", output.display()))?,
    );
    Ok(summary)
}

fn write_archive(
    url: &DatabaseUrl,
    data_dir: &Path,
    path: &Path,
    now: DateTime<Utc>,
    progress: &Progress,
) -> anyhow::Result<BackupSummary> {
    let mut writer = Writer::create(path)?;
    let (mut manifest, mailed) = match url {
        DatabaseUrl::Postgres(_) => {
            let mut conn = establish(url)?;
            db::read_tx(&mut conn, |conn| {
                dump(conn, &mut writer, now, "postgres", progress)
            })?
        }
        // A copy made by SQLite itself is one consistent moment of the file, and reading it
        // holds nothing on the live database.
        DatabaseUrl::Sqlite(_) => {
            let copy = with_suffix(path, ".db");
            let dumped = archive::private_file(&copy)
                .and_then(|_| vacuum_into(url, &copy))
                .and_then(|()| {
                    let mut conn = establish(&DatabaseUrl::Sqlite(copy.clone()))?;
                    dump(&mut conn, &mut writer, now, "sqlite", progress)
                });
            let _ = std::fs::remove_file(&copy);
            dumped?
        }
    };
    manifest.files = store_mail(data_dir, &mailed, &mut writer)?;
    let summary = BackupSummary {
        file: path.to_owned(),
        sha256: String::new(),
        tables: manifest.tables.len(),
        rows: manifest.tables.iter().map(|table| table.rows).sum(),
        files: manifest.files.len(),
        trail_head: manifest.trail_head.clone(),
    };
    writer.finish(&manifest)?;
    progress.done();
    Ok(summary)
}

fn vacuum_into(url: &DatabaseUrl, copy: &Path) -> anyhow::Result<()> {
    snapshot::copy_sqlite(&mut establish(url)?, copy).context("SQLite could not copy the database")
}

/// Every table into the archive, from one snapshot; with the manifest, the ids of the mails
/// the snapshot holds, whose files go along.
fn dump(
    conn: &mut DbConn,
    writer: &mut Writer,
    now: DateTime<Utc>,
    backend: &str,
    progress: &Progress,
) -> anyhow::Result<(Manifest, HashSet<String>)> {
    let schema_version = snapshot::schema_version(conn)?;
    let mut total = 0;
    for table in snapshot::TABLES {
        total += snapshot::count(conn, table)?;
    }
    progress.start("backup", total);
    let mut tables = Vec::new();
    let mut mailed = HashSet::new();
    for table in snapshot::TABLES {
        let columns = snapshot::columns(conn, table)?;
        let rows = snapshot::rows(conn, table, &columns)?;
        if table == "notifications" {
            mailed = ids(&columns, &rows)?;
        }
        let text = archive::table_text(&rows);
        writer.table(table, &text)?;
        let count = i64::try_from(rows.len())?;
        progress.table(table, count);
        tables.push(TablePart {
            name: table.to_owned(),
            columns,
            rows: count,
            sha256: sha256_hex(text.as_bytes()),
        });
    }
    let (seq, hash) = db::trail::head(conn)?.context("the trail's head row is missing")?;
    let manifest = Manifest {
        format: archive::FORMAT.to_owned(),
        format_version: archive::FORMAT_VERSION,
        schema_version,
        created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        source_backend: backend.to_owned(),
        trail_head: TrailHead { seq, hash },
        tables,
        files: Vec::new(),
    };
    Ok((manifest, mailed))
}

/// The `id` column of canonical rows.
fn ids(columns: &[snapshot::Column], rows: &[String]) -> anyhow::Result<HashSet<String>> {
    let at = columns
        .iter()
        .position(|column| column.name == "id")
        .context("a table without an id column")?;
    rows.iter()
        .map(|row| {
            let values: Vec<serde_json::Value> = serde_json::from_str(row)?;
            Ok(values[at].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The mail files of the mails in the snapshot: one sent after it belongs to a row the
/// archive does not hold, and a file half written is not a mail yet.
fn store_mail(
    data_dir: &Path,
    mailed: &HashSet<String>,
    writer: &mut Writer,
) -> anyhow::Result<Vec<FilePart>> {
    let mut parts = Vec::new();
    let Ok(entries) = std::fs::read_dir(data_dir.join(OUTBOX)) else {
        return Ok(parts);
    };
    for entry in entries {
        let path = entry?.path();
        let Some(id) = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".eml"))
        else {
            continue;
        };
        if !mailed.contains(id) || !path.is_file() {
            continue;
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let relative = format!("{OUTBOX}/{id}.eml");
        writer.file(&relative, &bytes)?;
        parts.push(FilePart {
            path: relative,
            bytes: u64::try_from(bytes.len())?,
            sha256: sha256_hex(&bytes),
        });
    }
    parts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(parts)
}

fn establish(url: &DatabaseUrl) -> anyhow::Result<DbConn> {
    url.establish()
        .with_context(|| format!("cannot open {}", url.redacted()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
