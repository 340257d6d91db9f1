//! Remembered `Idempotency-Key`s of ticket creation.

use diesel::prelude::*;

use super::models::IdempotencyRow;
use super::schema::idempotency_keys;
use super::{DbConn, DbResult};

/// The first request a caller sent with `key`.
pub fn find(conn: &mut DbConn, user_id: &str, key: &str) -> DbResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .find((user_id, key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

/// Remembers keys with the tickets they created (one statement on PostgreSQL).
pub fn insert_many(conn: &mut DbConn, rows: &[IdempotencyRow]) -> DbResult<()> {
    match conn {
        DbConn::Pg(pg) => diesel::insert_into(idempotency_keys::table)
            .values(rows)
            .execute(pg)
            .map(drop),
        DbConn::Sqlite(sqlite) => rows.iter().try_for_each(|row| {
            diesel::insert_into(idempotency_keys::table)
                .values(row)
                .execute(sqlite)
                .map(drop)
        }),
    }
}
