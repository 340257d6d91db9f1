//! The backup archive: one zip holding `manifest.json`, each table as JSON Lines under
//! `tables/` and each stored file under `files/`, every part with its SHA-256 in the manifest.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use zip::write::SimpleFileOptions;

use crate::db::snapshot::Column;
use crate::domain::digest::sha256_hex;

/// What the manifest's `format` says.
pub const FORMAT: &str = "spbe-servicedesk-backup";
/// The layout's version; a later layout gets a new number.
pub const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";

/// What an archive holds, written last and read first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the build that wrote it.
    pub format_version: u32,
    /// The newest migration of the source database.
    pub schema_version: String,
    /// When the snapshot was taken (RFC 3339, UTC).
    pub created_at: String,
    /// `postgres` or `sqlite`.
    pub source_backend: String,
    /// The trail's head at the snapshot: `(seq, hash)`.
    pub trail_head: TrailHead,
    /// Every table, in the order a restore writes them.
    pub tables: Vec<TablePart>,
    /// Every stored file.
    pub files: Vec<FilePart>,
}

/// The trail's head in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailHead {
    /// The last link's place.
    pub seq: i64,
    /// The last link's hash.
    pub hash: String,
}

/// One table of the archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TablePart {
    /// The table.
    pub name: String,
    /// Its columns in name order, which is the order of each row's values.
    pub columns: Vec<Column>,
    /// How many rows.
    pub rows: i64,
    /// SHA-256 of its part (each canonical row and a newline, rows sorted), hex.
    pub sha256: String,
}

/// One stored file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilePart {
    /// Its path under the data directory, `/`-separated.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its content, hex.
    pub sha256: String,
}

/// A table's part: its canonical rows, one per line.
pub fn table_text(rows: &[String]) -> String {
    let mut text = String::with_capacity(rows.iter().map(|row| row.len() + 1).sum());
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn table_entry(name: &str) -> String {
    format!("tables/{name}.jsonl")
}

fn file_entry(path: &str) -> String {
    format!("files/{path}")
}

/// A new file at `path` that only its owner may read. What a killed run left there is removed
/// first, never followed: were it a link, the archive would land wherever it points.
pub fn private_file(path: &Path) -> anyhow::Result<File> {
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Writes an archive part by part.
pub struct Writer {
    zip: zip::ZipWriter<File>,
}

impl Writer {
    /// Starts an archive at `path` (see [`private_file`]).
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        Ok(Writer {
            zip: zip::ZipWriter::new(private_file(path)?),
        })
    }

    fn part(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        self.zip.start_file(name, options)?;
        self.zip.write_all(bytes)?;
        Ok(())
    }

    /// Adds a table's part.
    pub fn table(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        self.part(&table_entry(name), text.as_bytes())
    }

    /// Adds a stored file.
    pub fn file(&mut self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.part(&file_entry(path), bytes)
    }

    /// Adds the manifest and makes the archive durable.
    pub fn finish(mut self, manifest: &Manifest) -> anyhow::Result<()> {
        self.part(MANIFEST, &serde_json::to_vec_pretty(manifest)?)?;
        let file = self.zip.finish()?;
        file.sync_all()?;
        Ok(())
    }
}

/// An archive opened for reading.
pub struct Reader {
    zip: zip::ZipArchive<File>,
    /// Its manifest.
    pub manifest: Manifest,
}

impl Reader {
    /// Opens an archive and reads its manifest.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut zip = zip::ZipArchive::new(file)
            .with_context(|| format!("{} is not a backup archive", path.display()))?;
        let manifest: Manifest = serde_json::from_slice(&read(&mut zip, MANIFEST)?)
            .context("the archive's manifest is not one this build can read")?;
        if manifest.format != FORMAT || manifest.format_version > FORMAT_VERSION {
            bail!(
                "{} is a {} archive of layout {}; this build reads {FORMAT} up to layout \
                 {FORMAT_VERSION}",
                path.display(),
                manifest.format,
                manifest.format_version
            );
        }
        Ok(Reader { zip, manifest })
    }

    /// A table's part, checked against the manifest: its SHA-256 and its row count.
    pub fn table(&mut self, part: &TablePart) -> anyhow::Result<String> {
        let bytes = read(&mut self.zip, &table_entry(&part.name))
            .with_context(|| format!("table {}", part.name))?;
        if sha256_hex(&bytes) != part.sha256 {
            bail!(
                "table {}: its checksum differs from the manifest's; the archive is damaged or \
                 was changed",
                part.name
            );
        }
        let text = String::from_utf8(bytes)
            .with_context(|| format!("table {}: not UTF-8 text", part.name))?;
        let rows = text.lines().count();
        if i64::try_from(rows).ok() != Some(part.rows) {
            bail!(
                "table {}: {rows} rows, the manifest says {}",
                part.name,
                part.rows
            );
        }
        Ok(text)
    }

    /// A stored file, checked against the manifest.
    pub fn file(&mut self, part: &FilePart) -> anyhow::Result<Vec<u8>> {
        let bytes = read(&mut self.zip, &file_entry(&part.path))
            .with_context(|| format!("file {}", part.path))?;
        if u64::try_from(bytes.len()).ok() != Some(part.bytes) || sha256_hex(&bytes) != part.sha256
        {
            bail!(
                "file {}: its checksum differs from the manifest's",
                part.path
            );
        }
        Ok(bytes)
    }
}

/// Deflate packs the desk's rows some ten times, and nothing past about a thousand; an entry
/// that says it inflates past this is a bomb, refused before it is read into memory.
const MOST_INFLATION: u64 = 250;

fn read(zip: &mut zip::ZipArchive<File>, name: &str) -> anyhow::Result<Vec<u8>> {
    let entry = zip
        .by_name(name)
        .with_context(|| format!("the archive has no {name}"))?;
    let (size, packed) = (entry.size(), entry.compressed_size());
    if size > packed.saturating_mul(MOST_INFLATION).max(1 << 20) {
        bail!("{name} would inflate {size} bytes out of {packed}: not an archive this desk wrote");
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(1 << 26)).unwrap_or(0));
    entry
        .take(size + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{name} cannot be read from the archive"))?;
    if u64::try_from(bytes.len()).ok() != Some(size) {
        bail!("{name} is not the size the archive says");
    }
    Ok(bytes)
}
