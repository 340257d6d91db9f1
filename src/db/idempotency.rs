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

/// Remembers a key with the ticket it created.
pub fn insert(conn: &mut DbConn, row: &IdempotencyRow) -> DbResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(drop)
}
