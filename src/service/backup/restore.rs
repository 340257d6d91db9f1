//! Restoring an archive into an empty database of either backend, and the restore test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::Value;

use super::archive::{self, FilePart, Manifest, Reader, TablePart};
use super::{OUTBOX, Progress, establish};
use crate::db::{self, DatabaseUrl, DbConn, snapshot};
use crate::domain::digest::sha256_hex;

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
        let mail = part
            .path
            .strip_prefix(&format!("{OUTBOX}/"))
            .and_then(|name| name.strip_suffix(".eml"));
        if !mail.is_some_and(|id| {
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }) {
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
/// stored files under `data_dir`. Every checksum is checked before anything is written, the
/// archive must hold every table of its schema, the rows go in one transaction whose trail
/// must verify to the manifest's head, and a failure leaves neither rows nor files behind;
/// later migrations then carry an older archive forward.
pub fn restore(
    url: &DatabaseUrl,
    data_dir: &Path,
    input: &Path,
    progress: &Progress,
) -> anyhow::Result<RestoreSummary> {
    let checked = check(input)?;
    let manifest = &checked.manifest;
    let mut conn = establish(url)?;
    let version = &manifest.schema_version;
    db::run_migrations_up_to(&mut conn, version).map_err(|e| anyhow::anyhow!("{e}"))?;
    refuse_unfit(&mut conn, manifest)?;
    let rows: i64 = manifest.tables.iter().map(|table| table.rows).sum();
    progress.start("restore", rows);
    let written = write_files(data_dir, &checked.files)?;
    let stored = db::write_tx(&mut conn, |conn| -> anyhow::Result<()> {
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
        check_trail(conn, manifest)
    });
    if let Err(error) = stored {
        for file in &written {
            let _ = std::fs::remove_file(file);
        }
        return Err(error);
    }
    db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    progress.done();
    Ok(RestoreSummary {
        tables: checked.tables.len(),
        rows,
        files: written.len(),
        schema_version: version.clone(),
    })
}

/// Refuses a target that holds anything, or an archive that lacks a table of its schema or
/// holds one the schema does not have.
fn refuse_unfit(conn: &mut DbConn, manifest: &Manifest) -> anyhow::Result<()> {
    let present: BTreeSet<String> = snapshot::tables(conn)?.into_iter().collect();
    let expected: BTreeSet<&str> = snapshot::TABLES
        .into_iter()
        .filter(|table| present.contains(*table))
        .collect();
    let archived: BTreeSet<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
    if let Some(missing) = expected.difference(&archived).next() {
        bail!("table {missing}: missing from the archive");
    }
    if let Some(extra) = archived.difference(&expected).next() {
        bail!(
            "table {extra}: not a table of the desk at schema {}",
            manifest.schema_version
        );
    }
    for table in expected {
        let rows = snapshot::count(conn, table)?;
        let seeded = i64::from(table == "trail_head");
        let moved = seeded == 1 && db::trail::head(conn)?.is_some_and(|(seq, _)| seq != 0);
        if rows > seeded || moved {
            bail!(
                "the target database is not empty: table {table} holds {rows} rows. Restore \
                 into a new, empty database"
            );
        }
    }
    Ok(())
}

/// The restored trail must verify, and end at the head the manifest names.
fn check_trail(conn: &mut DbConn, manifest: &Manifest) -> anyhow::Result<()> {
    if !manifest
        .tables
        .iter()
        .any(|table| table.name == "trail_links")
    {
        return Ok(());
    }
    let walked = crate::service::trail::walk(conn, None)?;
    if !walked.verified || walked.head != manifest.trail_head.hash {
        bail!(
            "the archive's trail does not verify to its manifest's head {} (walked: {})",
            manifest.trail_head.hash,
            serde_json::to_string(&walked)?
        );
    }
    Ok(())
}

/// Writes the stored files, none over an existing one; on a failure removes those written.
fn write_files(data_dir: &Path, files: &[(FilePart, Vec<u8>)]) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let outcome = files.iter().try_for_each(|(part, bytes)| {
        let target = data_dir.join(&part.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .with_context(|| {
                format!(
                    "cannot write {} (restore into an empty data directory)",
                    target.display()
                )
            })?;
        written.push(target.clone());
        std::io::Write::write_all(&mut file, bytes)
            .with_context(|| format!("cannot write {}", target.display()))
    });
    if let Err(error) = outcome {
        for file in &written {
            let _ = std::fs::remove_file(file);
        }
        return Err(error);
    }
    Ok(written)
}

/// What the restore test found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Whether every table restored with its row count and checksum.
    pub verified: bool,
    /// SHA-256 of the archive.
    pub sha256: String,
    /// Whether this desk recorded a backup with that SHA-256 (`backup_completed`): an archive
    /// it never recorded was made elsewhere, or edited together with its manifest.
    pub recorded: bool,
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
        let same_sum = !current || sha256_hex(archive::table_text(&rows).as_bytes()) == part.sha256;
        if !(same_rows && same_sum) {
            differing.push(part.name.clone());
        }
    }
    Ok(Verification {
        verified: differing.is_empty(),
        sha256: sha256_hex(&std::fs::read(input)?),
        recorded: false,
        tables: manifest.tables.len(),
        rows: manifest.tables.iter().map(|table| table.rows).sum(),
        differing,
    })
}
