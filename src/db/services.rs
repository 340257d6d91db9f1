//! The service catalogue.

use diesel::prelude::*;

use crate::domain::ids::ServiceId;

use super::models::ServiceRow;
use super::schema::services;
use super::{DbConn, DbResult};

/// Adds a service.
pub fn insert(conn: &mut DbConn, row: &ServiceRow) -> DbResult<()> {
    diesel::insert_into(services::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A service by id.
pub fn find(conn: &mut DbConn, id: &ServiceId) -> DbResult<Option<ServiceRow>> {
    services::table
        .find(id)
        .select(ServiceRow::as_select())
        .first(conn)
        .optional()
}

/// The same, locking the row until the transaction ends (PostgreSQL; SQLite's write
/// transaction already excludes other writers): governance steps on one service queue.
pub fn find_for_update(conn: &mut DbConn, id: &ServiceId) -> DbResult<Option<ServiceRow>> {
    let by_id = services::table.find(id);
    match conn {
        DbConn::Pg(pg) => by_id
            .select(ServiceRow::as_select())
            .for_update()
            .first(pg)
            .optional(),
        DbConn::Sqlite(sqlite) => by_id
            .select(ServiceRow::as_select())
            .first(sqlite)
            .optional(),
    }
}

/// The id of the service whose id or code is `id_or_code`, in any case.
pub fn id_for(conn: &mut DbConn, id_or_code: &str) -> DbResult<Option<ServiceId>> {
    services::table
        .filter(
            services::id
                .eq(id_or_code.to_ascii_lowercase())
                .or(services::code.eq(id_or_code.to_ascii_uppercase())),
        )
        .select(services::id)
        .first(conn)
        .optional()
}

/// Whether another service already uses `code`.
pub fn code_taken(conn: &mut DbConn, code: &str, except_id: Option<&str>) -> DbResult<bool> {
    let mut query = services::table
        .filter(services::code.eq(code))
        .select(services::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(services::id.ne(id));
    }
    Ok(query.first::<String>(conn).optional()?.is_some())
}

/// Services in creation order after the cursor.
pub fn list(conn: &mut DbConn, after: Option<&str>, limit: i64) -> DbResult<Vec<ServiceRow>> {
    page_after!(conn, services, ServiceRow, after, limit)
}

/// Saves a changed service.
pub fn update(conn: &mut DbConn, row: &ServiceRow) -> DbResult<()> {
    diesel::update(services::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// Which of `ids` are active services.
pub fn active(conn: &mut DbConn, ids: &[&str]) -> DbResult<Vec<ServiceId>> {
    services::table
        .filter(services::id.eq_any(ids))
        .filter(services::active.eq(true))
        .select(services::id)
        .load(conn)
}
