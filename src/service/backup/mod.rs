//! Backup and restore inside the application (Perwali Palangka Raya 23/2020 Pasal 30 (2), 37;
//! Perwali Ambon Pasal 13 (5)–(7)): a consistent snapshot of every table and stored file into
//! one archive, a restore into an empty database of either backend, and the restore test.

pub mod archive;
mod progress;
pub mod schedule;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use self::archive::{FilePart, Manifest, Reader, TablePart, TrailHead, Writer};
pub use self::progress::Progress;
use super::ServiceError;
use super::audit::{self, Actor};
use crate::db::{self, DatabaseUrl, DbConn, snapshot};

/// Where stored files live under the data directory: the mail outbox of file mode.
const STORED: [&str; 1] = ["outbox"];

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
/// `data_dir`) into an archive at `output`, which appears whole or not at all.
pub fn backup(
    url: &DatabaseUrl,
    data_dir: &Path,
    output: &Path,
    now: DateTime<Utc>,
    progress: &Progress,
) -> anyhow::Result<BackupSummary> {
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
    summary.sha256 = archive::sha256(
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
    let (source_backend, mut manifest) = match url {
        DatabaseUrl::Postgres(_) => {
            let mut conn = establish(url)?;
            let manifest = db::read_tx(&mut conn, |conn| {
                dump(conn, &mut writer, now, "postgres", progress)
            })?;
            ("postgres", manifest)
        }
        // A copy made by SQLite itself is one consistent moment of the file, and reading it
        // holds nothing on the live database.
        DatabaseUrl::Sqlite(file) => {
            let copy = with_suffix(path, ".db");
            let _ = std::fs::remove_file(&copy);
            let vacuumed = vacuum_into(url, &copy).and_then(|()| {
                let mut conn = establish(&DatabaseUrl::Sqlite(copy.clone()))?;
                dump(&mut conn, &mut writer, now, "sqlite", progress)
            });
            let _ = std::fs::remove_file(&copy);
            tracing::debug!(source = %file.display(), "snapshot read");
            ("sqlite", vacuumed?)
        }
    };
    manifest.source_backend = source_backend.to_owned();
    manifest.files = store_files(data_dir, &mut writer)?;
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
    let mut conn = establish(url)?;
    let target = copy.to_string_lossy().replace('\'', "''");
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!("VACUUM INTO '{target}'")),
        &mut conn,
    )
    .context("SQLite could not copy the database")?;
    Ok(())
}

/// Every table into the archive, from one snapshot.
fn dump(
    conn: &mut DbConn,
    writer: &mut Writer,
    now: DateTime<Utc>,
    backend: &str,
    progress: &Progress,
) -> anyhow::Result<Manifest> {
    let schema_version = snapshot::schema_version(conn)?;
    let mut total = 0;
    for table in snapshot::TABLES {
        total += snapshot::count(conn, table)?;
    }
    progress.start("backup", total);
    let mut tables = Vec::new();
    for table in snapshot::TABLES {
        let columns = snapshot::columns(conn, table)?;
        let rows = snapshot::rows(conn, table, &columns)?;
        let text = archive::table_text(&rows);
        writer.table(table, &text)?;
        let count = i64::try_from(rows.len())?;
        progress.table(table, count);
        tables.push(TablePart {
            name: table.to_owned(),
            columns,
            rows: count,
            sha256: archive::sha256(text.as_bytes()),
        });
    }
    let (seq, hash) = db::trail::head(conn)?;
    Ok(Manifest {
        format: archive::FORMAT.to_owned(),
        format_version: archive::FORMAT_VERSION,
        schema_version,
        created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        source_backend: backend.to_owned(),
        trail_head: TrailHead { seq, hash },
        tables,
        files: Vec::new(),
    })
}

fn store_files(data_dir: &Path, writer: &mut Writer) -> anyhow::Result<Vec<FilePart>> {
    let mut parts = Vec::new();
    for dir in STORED {
        let mut pending = vec![data_dir.join(dir)];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let relative = path
                    .strip_prefix(data_dir)?
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                writer.file(&relative, &bytes)?;
                parts.push(FilePart {
                    path: relative,
                    bytes: u64::try_from(bytes.len())?,
                    sha256: archive::sha256(&bytes),
                });
            }
        }
    }
    parts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(parts)
}

/// What a restore wrote.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreSummary {
    /// Tables written.
    pub tables: usize,
    /// Rows written.
    pub rows: i64,
    /// Stored files written.
    pub files: usize,
    /// The schema version of the archive, before the later migrations ran.
    pub schema_version: String,
}

/// The checked contents of an archive: every part read and matched against the manifest.
struct Checked {
    manifest: Manifest,
    tables: Vec<(TablePart, Vec<Vec<Value>>)>,
    files: Vec<(FilePart, Vec<u8>)>,
}

fn check(input: &Path) -> anyhow::Result<Checked> {
    let mut reader = Reader::open(input)?;
    let manifest = reader.manifest.clone();
    let newest = db::newest_migration().map_err(|e| anyhow::anyhow!("{e}"))?;
    if manifest.schema_version > newest {
        bail!(
            "the archive was made by a newer version of the desk (schema {}; this build knows \
             up to {newest}): restore it with that version or a later one",
            manifest.schema_version
        );
    }
    if !db::knows_migration(&manifest.schema_version).map_err(|e| anyhow::anyhow!("{e}"))? {
        bail!(
            "the archive's schema {} is not one this build knows",
            manifest.schema_version
        );
    }
    let mut tables = Vec::new();
    for part in &manifest.tables {
        if !snapshot::TABLES.contains(&part.name.as_str()) {
            bail!("table {}: not a table of the desk", part.name);
        }
        let text = reader.table(part)?;
        let rows = text
            .lines()
            .map(serde_json::from_str::<Vec<Value>>)
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("table {}: a row is not a JSON array", part.name))?;
        if rows.iter().any(|row| row.len() != part.columns.len()) {
            bail!(
                "table {}: a row does not have its {} columns",
                part.name,
                part.columns.len()
            );
        }
        tables.push((part.clone(), rows));
    }
    let mut files = Vec::new();
    for part in &manifest.files {
        if part
            .path
            .split('/')
            .any(|piece| piece == ".." || piece.is_empty())
            || !STORED
                .iter()
                .any(|dir| part.path.starts_with(&format!("{dir}/")))
        {
            bail!("file {}: not a path the desk stores files at", part.path);
        }
        files.push((part.clone(), reader.file(part)?));
    }
    Ok(Checked {
        manifest,
        tables,
        files,
    })
}

/// Restores the archive at `input` into the empty database at `url` (either backend) and its
/// stored files under `data_dir`. Every checksum is checked before anything is written; the
/// rows go in one transaction; later migrations then carry an older archive forward.
pub fn restore(
    url: &DatabaseUrl,
    data_dir: &Path,
    input: &Path,
    progress: &Progress,
) -> anyhow::Result<RestoreSummary> {
    let checked = check(input)?;
    let mut conn = establish(url)?;
    let version = &checked.manifest.schema_version;
    db::run_migrations_up_to(&mut conn, version).map_err(|e| anyhow::anyhow!("{e}"))?;
    refuse_unless_empty(&mut conn, &checked.manifest.tables)?;
    for (part, _) in &checked.files {
        let target = data_dir.join(&part.path);
        if target.exists() {
            bail!(
                "{} exists already: restore into an empty data directory",
                target.display()
            );
        }
    }
    let rows: i64 = checked.manifest.tables.iter().map(|table| table.rows).sum();
    progress.start("restore", rows);
    db::write_tx(&mut conn, |conn| -> anyhow::Result<()> {
        snapshot::clear_seeded(conn)?;
        for (part, rows) in &checked.tables {
            let columns = snapshot::columns(conn, &part.name)?;
            if columns != part.columns {
                bail!(
                    "table {}: its columns differ from this database's at schema {version}",
                    part.name
                );
            }
            snapshot::insert(conn, &part.name, &columns, rows)?;
            progress.table(&part.name, part.rows);
        }
        Ok(())
    })?;
    for (part, bytes) in &checked.files {
        let target = data_dir.join(&part.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, bytes)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    progress.done();
    Ok(RestoreSummary {
        tables: checked.tables.len(),
        rows,
        files: checked.files.len(),
        schema_version: version.clone(),
    })
}

fn refuse_unless_empty(conn: &mut DbConn, tables: &[TablePart]) -> anyhow::Result<()> {
    for part in tables {
        let rows = snapshot::count(conn, &part.name)?;
        let seeded = i64::from(part.name == "trail_head");
        if rows > seeded || (seeded == 1 && db::trail::head(conn)?.0 != 0) {
            bail!(
                "the target database is not empty: table {} holds {rows} rows. Restore into a \
                 new, empty database",
                part.name
            );
        }
    }
    Ok(())
}

/// What the restore test found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Whether every table restored with its row count and checksum.
    pub verified: bool,
    /// SHA-256 of the archive.
    pub sha256: String,
    /// Tables compared.
    pub tables: usize,
    /// Rows compared.
    pub rows: i64,
    /// The tables whose restored rows differ from the archive's, if any.
    pub differing: Vec<String>,
}

/// The restore test: restores the archive into a scratch SQLite database, reads every table
/// back and compares row counts and checksums with the manifest.
pub fn verify(input: &Path, progress: &Progress) -> anyhow::Result<Verification> {
    let scratch = std::env::temp_dir().join(format!("servicedesk-verify-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&scratch)?;
    let outcome = verify_in(input, &scratch, progress);
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

fn verify_in(input: &Path, scratch: &Path, progress: &Progress) -> anyhow::Result<Verification> {
    let url = DatabaseUrl::Sqlite(scratch.join("restored.db"));
    restore(&url, &scratch.join("data"), input, progress)?;
    let manifest = Reader::open(input)?.manifest;
    let mut conn = establish(&url)?;
    let current = snapshot::schema_version(&mut conn)? == manifest.schema_version;
    let mut differing = Vec::new();
    for part in &manifest.tables {
        let columns = snapshot::columns(&mut conn, &part.name)?;
        let rows = snapshot::rows(&mut conn, &part.name, &columns)?;
        let same_rows = i64::try_from(rows.len()).ok() == Some(part.rows);
        // Later migrations may rightly reshape an older archive's rows; the count still holds.
        let same_sum =
            !current || archive::sha256(archive::table_text(&rows).as_bytes()) == part.sha256;
        if !(same_rows && same_sum) {
            differing.push(part.name.clone());
        }
    }
    Ok(Verification {
        verified: differing.is_empty(),
        sha256: archive::sha256(&std::fs::read(input)?),
        tables: manifest.tables.len(),
        rows: manifest.tables.iter().map(|table| table.rows).sum(),
        differing,
    })
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

impl crate::service::Desk {
    /// Records a finished backup in the audit log, with its checksum and the trail's head.
    pub fn record_backup(&self, summary: &BackupSummary) -> Result<(), ServiceError> {
        let data = serde_json::json!({
            "file": file_name(&summary.file),
            "sha256": summary.sha256,
            "tables": summary.tables,
            "rows": summary.rows,
            "files": summary.files,
            "trail_head": summary.trail_head,
        });
        self.record_backup_event(BACKUP_COMPLETED, &summary.file, data)
    }

    /// Records a backup that failed, and why.
    pub fn record_backup_failure(
        &self,
        file: &Path,
        error: &anyhow::Error,
    ) -> Result<(), ServiceError> {
        let data = serde_json::json!({ "file": file_name(file), "error": format!("{error:#}") });
        self.record_backup_event(BACKUP_FAILED, file, data)
    }

    /// Records the outcome of a restore test.
    pub fn record_verification(
        &self,
        file: &Path,
        verification: &Verification,
    ) -> Result<(), ServiceError> {
        let data = serde_json::json!({
            "file": file_name(file),
            "verified": verification.verified,
            "sha256": verification.sha256,
            "tables": verification.tables,
            "rows": verification.rows,
            "differing": verification.differing,
        });
        self.record_backup_event(BACKUP_VERIFIED, file, data)
    }

    fn record_backup_event(
        &self,
        action: &str,
        file: &Path,
        data: Value,
    ) -> Result<(), ServiceError> {
        let at = self.now();
        db::write_tx(&mut *self.conn()?, |conn| {
            audit::record(
                conn,
                Actor::system(at),
                action,
                ("backup", &file_name(file)),
                data,
            )
        })
    }
}

/// The audit actions of backups.
pub const BACKUP_COMPLETED: &str = "backup_completed";
/// A backup that failed.
pub const BACKUP_FAILED: &str = "backup_failed";
/// A restore test.
pub const BACKUP_VERIFIED: &str = "backup_verified";

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
