use diesel::RunQueryDsl;
use diesel::migration::MigrationSource;
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

/// The versions of the migrations this build carries, as `__diesel_schema_migrations` spells
/// them; both backends' folders have the same names.
fn known_versions() -> Result<Vec<String>, BoxError> {
    Ok(
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE)?
            .iter()
            .map(|migration| migration.name().version().to_string())
            .collect(),
    )
}

/// The newest migration this build carries: the schema version a backup records.
pub fn newest_known() -> Result<String, BoxError> {
    Ok(known_versions()?.into_iter().max().unwrap_or_default())
}

/// Whether this build carries the migration `version`.
pub fn knows(version: &str) -> Result<bool, BoxError> {
    Ok(known_versions()?.iter().any(|known| known == version))
}

/// Applies pending migrations up to and including `version`, and no later one: a backup of
/// an older schema is written into the schema it was taken from, and the later migrations
/// then carry it forward as they would have carried the source.
pub fn run_migrations_up_to(conn: &mut DbConn, version: &str) -> Result<(), BoxError> {
    fn next_is_due<DB: diesel::backend::Backend>(
        harness: &mut impl MigrationHarness<DB>,
        source: EmbeddedMigrations,
        version: &str,
    ) -> Result<bool, BoxError> {
        Ok(harness
            .pending_migrations(source)?
            .first()
            .is_some_and(|next| next.name().version().to_string().as_str() <= version))
    }
    match conn {
        DbConn::Pg(pg) => {
            while next_is_due(pg, POSTGRES, version)? {
                pg.run_next_migration(POSTGRES)?;
            }
        }
        DbConn::Sqlite(sqlite) => {
            while next_is_due(sqlite, SQLITE, version)? {
                sqlite.run_next_migration(SQLITE)?;
            }
        }
    }
    Ok(())
}
