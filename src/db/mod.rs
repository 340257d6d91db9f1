//! Persistence: the connection enum over PostgreSQL and SQLite, the pool, migrations and the
//! queries. The only module that knows SQL dialects.

pub mod audit;
pub mod calendars;
mod connection;
pub mod dashboard;
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
pub mod ticket_events;
pub mod ticket_sla;
pub mod tickets;
pub mod tokens;
pub mod units;
pub mod users;

pub use connection::{DatabaseUrl, DbConn, DbPool, PooledConn, connect_pool, savepoint, write_tx};
pub use migrate::{migrations_pending, run_migrations};

/// What every query returns.
pub type DbResult<T> = Result<T, diesel::result::Error>;
