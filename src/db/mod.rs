//! Persistence: the connection enum over PostgreSQL and SQLite, the pool, migrations and the
//! queries. The only module that knows SQL dialects.

/// Inserts a slice of rows into a table: one statement on PostgreSQL (multi-row `VALUES` does
/// not compile through the connection enum), one per row on SQLite, where statements are cheap
/// calls; nothing at all for no rows, where diesel would still send a dummy statement.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        if rows.is_empty() {
            Ok(())
        } else {
            match $conn {
                $crate::db::DbConn::Pg(pg) => diesel::insert_into($table)
                    .values(rows)
                    .execute(pg)
                    .map(drop),
                $crate::db::DbConn::Sqlite(sqlite) => rows.iter().try_for_each(|row| {
                    diesel::insert_into($table)
                        .values(row)
                        .execute(sqlite)
                        .map(drop)
                }),
            }
        }
    }};
}

/// One keyset page of a table whose ids are UUID v7, so in creation order: the rows after the
/// cursor `$after`, at most `$limit`. Every paged list of the catalogue reads this way.
macro_rules! page_after {
    ($conn:expr, $table:ident, $row:ty, $after:expr, $limit:expr) => {{
        let mut query = $table::table
            .select(<$row>::as_select())
            .order($table::id)
            .limit($limit)
            .into_boxed();
        if let Some(after) = $after {
            query = query.filter($table::id.gt(after));
        }
        query.load($conn)
    }};
}

pub mod alerts;
pub mod audit;
pub mod calendars;
mod columns;
mod connection;
pub mod dashboard;
pub mod governance;
mod hold;
pub mod idempotency;
mod migrate;
pub mod models;
pub mod notifications;
pub mod outages;
pub mod region;
pub mod reports;
pub mod schema;
pub mod services;
pub mod sla_policies;
pub mod snapshot;
mod storage;
pub mod ticket_events;
pub mod ticket_sla;
pub mod tickets;
pub mod tokens;
pub mod trail;
pub mod units;
pub mod users;

pub use connection::{
    DatabaseUrl, DbConn, DbPool, PooledConn, connect_pool, read_tx, savepoint, write_tx,
};
pub use hold::{DatabaseHold, HoldError, HoldKind, hold};
pub use migrate::{
    knows as knows_migration, migrations_pending, newest_known as newest_migration, run_migrations,
    run_migrations_up_to,
};
pub use storage::{check_storage, is_storage_fault};

/// What every query returns.
pub type DbResult<T> = Result<T, diesel::result::Error>;
