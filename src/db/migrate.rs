use diesel::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConn;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Any fixed number works; it only has to be the same in every process of this service.
const MIGRATION_LOCK_KEY: i64 = 0x5344_4d49_4752; // "SDMIGR"

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies pending migrations, then takes an earlier trail into the chain if it has not begun.
/// On PostgreSQL under a session advisory lock, so that two processes starting at once do not
/// race on the same migration.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, BoxError> {
    let applied = apply(conn)?;
    super::write_tx(conn, super::trail::adopt_existing)?;
    Ok(applied)
}

fn apply(conn: &mut DbConn) -> Result<usize, BoxError> {
    match conn {
        DbConn::Pg(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            let applied = pg.run_pending_migrations(POSTGRES).map(|v| v.len());
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            applied
        }
        // SQLite has no advisory lock; holding its write lock for the whole run serialises
        // processes that start at once (each migration then runs in a savepoint).
        DbConn::Sqlite(sqlite) => sqlite
            .immediate_transaction(|sqlite| sqlite.run_pending_migrations(SQLITE).map(|v| v.len())),
    }
}

/// Whether the database lacks a migration this build knows (readiness check).
pub fn migrations_pending(conn: &mut DbConn) -> Result<bool, BoxError> {
    match conn {
        DbConn::Pg(pg) => pg.has_pending_migration(POSTGRES),
        DbConn::Sqlite(sqlite) => sqlite.has_pending_migration(SQLITE),
    }
}
