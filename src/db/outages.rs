//! Outages of services.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::OutageRow;
use super::schema::outages;
use super::{DbConn, DbResult};

/// Records an outage.
pub fn insert(conn: &mut DbConn, row: &OutageRow) -> DbResult<()> {
    diesel::insert_into(outages::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An outage of a service.
pub fn find(conn: &mut DbConn, service_id: &str, id: &str) -> DbResult<Option<OutageRow>> {
    outages::table
        .find(id)
        .filter(outages::service_id.eq(service_id))
        .select(OutageRow::as_select())
        .first(conn)
        .optional()
}

/// Saves a changed outage.
pub fn update(conn: &mut DbConn, row: &OutageRow) -> DbResult<()> {
    diesel::update(outages::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// A service's outages that overlap `[from, to)`.
pub fn overlapping(
    conn: &mut DbConn,
    service_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<Vec<OutageRow>> {
    outages::table
        .filter(outages::service_id.eq(service_id))
        .filter(outages::started_at.lt(to))
        .filter(outages::ended_at.is_null().or(outages::ended_at.gt(from)))
        .order(outages::started_at)
        .select(OutageRow::as_select())
        .load(conn)
}
