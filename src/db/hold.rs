//! Who is at work on a database, across processes: every `serve` holds it shared for its whole
//! life, `seed-demo` alone. The demo plays a made-up past whose mail and SLA passes a running
//! server's dispatcher and engine must never see, so the two never run on one database at once.
//! The hold is released when the process ends, however it ends.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use diesel::pg::PgConnection;
use diesel::sql_types::Bool;
use diesel::{Connection, RunQueryDsl};
use rustix::fs::{FlockOperation, flock};
use rustix::io::Errno;

use super::DatabaseUrl;

/// Any fixed number works; it only has to be the same in every process of this service and
/// differ from the migrations' lock.
const HOLD_KEY: i64 = 0x5344_484f_4c44; // "SDHOLD"

/// How a process holds the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldKind {
    /// Beside other holders of the same kind (servers).
    Shared,
    /// Alone (the demo seed).
    Exclusive,
}

/// Why a hold was not taken.
#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    /// Another process holds the database in a way that excludes this one.
    #[error("another process holds the database")]
    Busy,
    /// The lock itself could not be asked for.
    #[error("cannot lock {what}: {why}")]
    Failed { what: String, why: String },
}

/// A held database; dropping it releases the hold.
pub struct DatabaseHold {
    url: DatabaseUrl,
    kind: HoldKind,
    held: Held,
}

/// On PostgreSQL the session's advisory lock lives as long as its connection; on SQLite the
/// `flock` as long as its open file.
enum Held {
    Postgres { session: PgConnection },
    File { locked: File, path: PathBuf },
}

impl DatabaseHold {
    /// Takes the hold again if this process lost it: an operator's `pg_terminate_backend`,
    /// an `idle_session_timeout`, a database restart end the session and its lock; a deleted
    /// hold file leaves the next seed a fresh one to lock. Busy when a seed took it meanwhile.
    pub fn keep(&mut self) -> Result<(), HoldError> {
        if !self.still_held() {
            *self = hold(&self.url, self.kind)?;
        }
        Ok(())
    }

    fn still_held(&mut self) -> bool {
        match &mut self.held {
            // Also keeps the session from counting as idle.
            Held::Postgres { session } => diesel::select(diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
                 AND pid = pg_backend_pid() AND granted)",
            ))
            .get_result::<bool>(session)
            .unwrap_or(false),
            Held::File { locked, path } => {
                use std::os::unix::fs::MetadataExt;
                let inode = |meta: std::fs::Metadata| (meta.dev(), meta.ino());
                match (locked.metadata(), std::fs::metadata(path)) {
                    (Ok(open), Ok(named)) => inode(open) == inode(named),
                    _ => false,
                }
            }
        }
    }
}

impl Drop for DatabaseHold {
    /// PostgreSQL frees a session's advisory locks when its backend ends, which it does a moment
    /// after the client has gone: a `serve` started right after a `seed-demo` exits would find
    /// the demo's hold still there. Let go of it before the connection closes.
    fn drop(&mut self) {
        if let Held::Postgres { session } = &mut self.held {
            let _ = diesel::sql_query("SELECT pg_advisory_unlock_all()").execute(session);
        }
    }
}

impl std::fmt::Debug for DatabaseHold {
    // Not the URL: it may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.held {
            Held::Postgres { .. } => "advisory lock",
            Held::File { .. } => "lock file",
        };
        write!(f, "DatabaseHold({what}, {:?})", self.kind)
    }
}

/// Takes the hold at once or not at all (never waits).
pub fn hold(url: &DatabaseUrl, kind: HoldKind) -> Result<DatabaseHold, HoldError> {
    let failed = |why: String| HoldError::Failed {
        what: url.redacted(),
        why,
    };
    let held = match url {
        DatabaseUrl::Postgres(address) => {
            let mut conn = PgConnection::establish(address).map_err(|e| failed(e.to_string()))?;
            let function = match kind {
                HoldKind::Shared => "pg_try_advisory_lock_shared",
                HoldKind::Exclusive => "pg_try_advisory_lock",
            };
            let taken =
                diesel::select(diesel::dsl::sql::<Bool>(&format!("{function}({HOLD_KEY})")))
                    .get_result::<bool>(&mut conn)
                    .map_err(|e| failed(e.to_string()))?;
            if !taken {
                return Err(HoldError::Busy);
            }
            Held::Postgres { session: conn }
        }
        DatabaseUrl::Sqlite(path) => {
            let mut name = real_path(path).into_os_string();
            name.push(".hold");
            let name = PathBuf::from(name);
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(&name)
                .map_err(|e| failed(format!("{}: {e}", name.display())))?;
            let operation = match kind {
                HoldKind::Shared => FlockOperation::NonBlockingLockShared,
                HoldKind::Exclusive => FlockOperation::NonBlockingLockExclusive,
            };
            match flock(&file, operation) {
                Ok(()) => Held::File {
                    locked: file,
                    path: name,
                },
                Err(Errno::WOULDBLOCK) => return Err(HoldError::Busy),
                Err(e) => return Err(failed(e.to_string())),
            }
        }
    };
    Ok(DatabaseHold {
        url: url.clone(),
        kind,
        held,
    })
}

/// The database file's path with symlinks and `..` resolved, so that every path to one file
/// (relative, absolute, through a link) shares one hold; the file itself may not exist yet.
fn real_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| {
            let parent = path.parent().filter(|dir| !dir.as_os_str().is_empty());
            let name = path.file_name().ok_or(std::io::ErrorKind::InvalidInput)?;
            std::fs::canonicalize(parent.unwrap_or(Path::new("."))).map(|dir| dir.join(name))
        })
        .unwrap_or_else(|_| path.to_path_buf())
}
