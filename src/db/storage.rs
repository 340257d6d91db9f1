//! Storage faults: telling a database that cannot write (disk full, read-only, gone) from other
//! errors, replacing pooled connections that met one, and probing for recovery.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::Integer;

use super::{DatabaseUrl, DbConn, DbResult, write_tx};

/// Whether `error` means the database cannot store changes now, rather than that the request
/// or our code is wrong. Diesel hands SQLite's result code only as its fixed English message
/// (`sqlite3_errstr`, never translated), and PostgreSQL's SQLSTATE only as a kind for a few
/// classes; both are read here.
pub fn is_storage_fault(error: &Error) -> bool {
    match error {
        Error::DatabaseError(kind, info) => match kind {
            // 25006 on a read-only session or a standby; a session the server ended
            // (57P01 admin shutdown, a restart) or could not keep.
            DatabaseErrorKind::ReadOnlyTransaction | DatabaseErrorKind::ClosedConnection => true,
            _ => SQLITE_STORAGE_MESSAGES
                .iter()
                .any(|message| info.message().starts_with(message)),
        },
        Error::RollbackErrorOnCommit { commit_error, .. } => is_storage_fault(commit_error),
        _ => false,
    }
}

/// SQLITE_FULL, SQLITE_IOERR (every extended code), SQLITE_READONLY (every extended code) and
/// SQLITE_CANTOPEN, as `sqlite3_errmsg` words them.
const SQLITE_STORAGE_MESSAGES: [&str; 4] = [
    "database or disk is full",
    "disk I/O error",
    "attempt to write a readonly database",
    "unable to open database file",
];

/// What the pool's connections share: whether one of them met a storage fault since the last
/// write probe went through, and how many faults have ended so far.
#[derive(Debug, Default)]
pub struct StorageHealth {
    faulty: AtomicBool,
    recoveries: AtomicU64,
    /// The folder of an SQLite database, whose file system readiness watches for room.
    sqlite_dir: Option<PathBuf>,
}

/// Less room than this on an SQLite database's file system counts as full: a batch of tickets
/// and its mail takes a few hundred KiB of WAL, while a one-page probe write still fits into
/// WAL space already taken, so a probe alone would call a full disk ready.
const MIN_FREE_BYTES: u64 = 4 * 1024 * 1024;

impl StorageHealth {
    /// Health for the pool of `url`.
    pub(super) fn for_url(url: &DatabaseUrl) -> Self {
        Self {
            sqlite_dir: match url {
                DatabaseUrl::Sqlite(path) => path
                    .parent()
                    .map(|dir| {
                        if dir.as_os_str().is_empty() {
                            Path::new(".")
                        } else {
                            dir
                        }
                    })
                    .map(Path::to_path_buf),
                DatabaseUrl::Postgres(_) => None,
            },
            ..Self::default()
        }
    }

    /// Refuses when the SQLite database's file system has less than `MIN_FREE_BYTES` left.
    fn check_room(&self) -> DbResult<()> {
        let Some(dir) = &self.sqlite_dir else {
            return Ok(());
        };
        let Ok(stats) = rustix::fs::statvfs(dir.as_path()) else {
            return Ok(());
        };
        let free = stats.f_bavail.saturating_mul(stats.f_frsize);
        if free >= MIN_FREE_BYTES {
            return Ok(());
        }
        self.faulty.store(true, Ordering::Relaxed);
        Err(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(format!(
                "database or disk is full: {free} bytes left on the file system of {}",
                dir.display()
            )),
        ))
    }
}

/// Rides on every pooled connection as its diesel instrumentation and marks the connection
/// (and the pool's [`StorageHealth`]) when one of its statements meets a storage fault.
pub(super) struct FaultWatch {
    health: Arc<StorageHealth>,
    faulted: bool,
    /// The count of ended faults when this connection was opened during a fault.
    opened_during_fault: Option<u64>,
}

impl FaultWatch {
    /// A watch reporting to `health`.
    pub(super) fn new(health: Arc<StorageHealth>) -> Self {
        let opened_during_fault = health
            .faulty
            .load(Ordering::Relaxed)
            .then(|| health.recoveries.load(Ordering::Relaxed));
        Self {
            health,
            faulted: false,
            opened_during_fault,
        }
    }
}

impl Instrumentation for FaultWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery {
            error: Some(error), ..
        } = event
            && is_storage_fault(error)
        {
            self.faulted = true;
            self.health.faulty.store(true, Ordering::Relaxed);
        }
    }
}

fn watch(conn: &mut DbConn) -> Option<&mut FaultWatch> {
    conn.instrumentation().downcast_mut::<FaultWatch>()
}

/// Whether this connection should give way to a fresh one before it is handed out: it met a
/// storage fault itself (a PostgreSQL session stays read-only for its life, and an SQLite
/// connection opened while the file was read-only stays read-only even once the file is
/// writable again), or it was opened during a fault that has ended since, so it may carry the
/// fault without having met it yet. Asks the database nothing. (A connection the server cut
/// off needs nothing of this: diesel marks it broken on its first failure and the pool drops
/// it.)
pub(super) fn stale(conn: &mut DbConn) -> bool {
    watch(conn).is_some_and(|watch| {
        let recoveries = watch.health.recoveries.load(Ordering::Relaxed);
        watch.faulted
            || watch
                .opened_during_fault
                .is_some_and(|seen| seen != recoveries)
    })
}

/// `Ok` unless a storage fault was met since the last successful probe and a write probe on
/// `conn` still fails. Healthy, this costs nothing; after a fault it commits one tiny write,
/// because reads keep working on a full disk and only a write tells.
pub fn check_storage(conn: &mut DbConn) -> DbResult<()> {
    let Some(health) = watch(conn).map(|watch| watch.health.clone()) else {
        return Ok(());
    };
    health.check_room()?;
    if !health.faulty.load(Ordering::Relaxed) {
        return Ok(());
    }
    probe_write(conn)?;
    if health.faulty.swap(false, Ordering::Relaxed) {
        health.recoveries.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

#[derive(QueryableByName)]
struct UserVersion {
    #[diesel(sql_type = Integer)]
    user_version: i32,
}

/// Commits a write that changes nothing anyone reads. On SQLite, setting `user_version` to its
/// own value still rewrites the header page, so the commit needs room in the WAL like any
/// other; on PostgreSQL, taking a transaction id fails in a read-only session and its commit
/// writes WAL.
fn probe_write(conn: &mut DbConn) -> DbResult<()> {
    write_tx(conn, |conn| match conn {
        DbConn::Sqlite(sqlite) => {
            let current = diesel::sql_query("PRAGMA user_version")
                .get_result::<UserVersion>(sqlite)?
                .user_version;
            sqlite.batch_execute(&format!("PRAGMA user_version = {current}"))
        }
        DbConn::Pg(pg) => diesel::sql_query("SELECT txid_current()")
            .execute(pg)
            .map(drop),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_error(message: &str) -> Error {
        Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    #[test]
    fn full_read_only_and_failing_disks_are_storage_faults() {
        for message in SQLITE_STORAGE_MESSAGES {
            assert!(is_storage_fault(&sqlite_error(message)), "{message}");
        }
        let on_commit = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(sqlite_error("cannot rollback - no transaction is active")),
            commit_error: Box::new(sqlite_error("database or disk is full")),
        };
        assert!(is_storage_fault(&on_commit));
        let read_only = Error::DatabaseError(
            DatabaseErrorKind::ReadOnlyTransaction,
            Box::new("cannot execute INSERT in a read-only transaction".to_owned()),
        );
        assert!(is_storage_fault(&read_only));
    }

    #[test]
    fn bad_requests_and_bugs_are_not_storage_faults() {
        assert!(!is_storage_fault(&sqlite_error("no such column: nmae")));
        assert!(!is_storage_fault(&Error::NotFound));
        let unique = Error::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("UNIQUE constraint failed: users.email".to_owned()),
        );
        assert!(!is_storage_fault(&unique));
    }
}
