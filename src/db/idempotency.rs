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
    insert_rows!(conn, idempotency_keys::table, rows)
}
