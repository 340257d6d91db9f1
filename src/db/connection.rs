use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::result::Error as DieselError;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

use super::storage::{self, FaultWatch, StorageHealth};
use super::trail;

/// One connection type for both backends; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Production backend.
    Pg(PgConnection),
    /// Embedded default.
    Sqlite(SqliteConnection),
}

/// A pool of [`DbConn`]s of one backend.
pub type DbPool = r2d2::Pool<ConnectionManager>;

/// A connection borrowed from the pool.
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// A database location, parsed from `SERVICEDESK_DATABASE_URL` by its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://` or `postgresql://`, kept whole for libpq.
    Postgres(String),
    /// `sqlite://PATH`: the file path.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Picks the backend from the URL scheme; any other scheme is refused so that a typo never
    /// silently creates an SQLite file named after a PostgreSQL URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(
                    "sqlite:// needs a file path, e.g. sqlite://./data/servicedesk.db".into(),
                );
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else {
            Err(format!(
                "unsupported database URL scheme in {:?}: use sqlite://PATH or postgres://...",
                redact(url)
            ))
        }
    }

    /// Opens one connection, with the SQLite pragmas the service relies on.
    pub fn establish(&self) -> Result<DbConn, ConnectionError> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConn::Pg),
            Self::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                configure_sqlite(&mut conn).map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// The URL with any password replaced, for logs and errors.
    pub fn redacted(&self) -> String {
        match self {
            Self::Postgres(url) => redact(url),
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
        }
    }
}

/// WAL lets readers run beside the single writer; FULL sync makes a 2xx survive a power cut,
/// not only a killed process; foreign keys are off by default in SQLite. No memory-mapped
/// reads: an I/O error on a mapped page arrives as SIGBUS and kills the process instead of
/// failing one request; 0 is the bundled SQLite's default, pinned so that no other build's
/// default can change it.
fn configure_sqlite(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    conn.batch_execute(
        "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA mmap_size = 0;",
    )?;
    // WAL mode is stored in the file, so only the very first connections to a new database
    // switch it; that switch answers SQLITE_BUSY at once (without the busy handler) while a
    // sibling process holds a lock, so it is retried for a while.
    let mut attempts = 0;
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL") {
            Err(DieselError::DatabaseError(_, info))
                if attempts < 200 && info.message().contains("locked") =>
            {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// r2d2 manager that dispatches on the URL scheme instead of trying each backend in turn,
/// and watches its connections for storage faults.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    health: Arc<StorageHealth>,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let mut conn = self.url.establish().map_err(r2d2::Error::ConnectionError)?;
        conn.set_instrumentation(FaultWatch::new(self.health.clone()));
        Ok(conn)
    }

    /// Runs at every checkout. A stale connection (see [`storage::stale`]) is swapped for a
    /// fresh one if the database takes one now; if it does not, the stale one is handed out
    /// and fails its first statement at once, rather than leaving the caller waiting for the
    /// pool's timeout while the database is away.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        if storage::stale(conn)
            && let Ok(fresh) = self.connect()
        {
            *conn = fresh;
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Builds the pool. SQLite serialises writers anyway, so a few connections are enough there.
pub fn connect_pool(url: &DatabaseUrl) -> Result<DbPool, r2d2::PoolError> {
    let max_size = match url {
        DatabaseUrl::Postgres(_) => 16,
        DatabaseUrl::Sqlite(_) => 8,
    };
    r2d2::Pool::builder()
        .max_size(max_size)
        // `is_valid` is local bookkeeping, no round trip.
        .test_on_check_out(true)
        .connection_timeout(Duration::from_secs(10))
        .build(ConnectionManager {
            url: url.clone(),
            health: Arc::new(StorageHealth::for_url(url)),
        })
}

/// Runs `work` in one write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock
/// up front: a deferred transaction that reads and then writes fails with `SQLITE_BUSY` under
/// concurrent writers whatever the busy timeout. Every use case that writes comes through here,
/// and the trail entries it adds are linked into the chain as its last step.
pub fn write_tx<T, E>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    trail::forget_after(0);
    let outcome = run_tx(conn, "BEGIN IMMEDIATE", "BEGIN", |conn| {
        let value = work(conn)?;
        trail::link_pending(conn)?;
        Ok(value)
    });
    trail::forget_after(0);
    outcome
}

/// Runs `work` in one read-only transaction that sees a single moment of the database:
/// `REPEATABLE READ` on PostgreSQL, a deferred transaction on SQLite, whose WAL snapshot is
/// taken at the first read and kept to the end. Writers go on meanwhile.
pub fn read_tx<T, E>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    run_tx(
        conn,
        "BEGIN DEFERRED",
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        work,
    )
}

fn run_tx<T, E>(
    conn: &mut DbConn,
    sqlite_begin: &str,
    pg_begin: &str,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    match conn {
        DbConn::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, sqlite_begin)?
        }
        DbConn::Pg(pg) => AnsiTransactionManager::begin_transaction_sql(pg, pg_begin)?,
    }
    match work(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            match <DbConn as Connection>::TransactionManager::rollback_transaction(conn) {
                Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
                Err(rollback_error) => Err(rollback_error.into()),
            }
        }
    }
}

/// Runs `work` inside the current transaction under a savepoint: if it fails, what it did is
/// undone (trail entries it noted included) and the transaction goes on.
pub fn savepoint<T, E>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    let mark = trail::pending_mark();
    let outcome = conn.transaction(work);
    if outcome.is_err() {
        trail::forget_after(mark);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_picks_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://./data/x.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("./data/x.db")))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://u@h/db").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db:5432/sd").expect("valid url");
        assert_eq!(url.redacted(), "postgres://app:***@db:5432/sd");
        let error = DatabaseUrl::parse("mysql://app:s3cret@db/sd").expect_err("bad scheme");
        assert!(!error.contains("s3cret"), "{error}");
    }
}
