//! Alerts received from monitoring.

use diesel::prelude::*;

use super::models::{AlertRow, ServiceRow};
use super::schema::{alerts, services};
use super::{DbConn, DbResult};
use crate::clock::UtcTime;
use crate::domain::ids::OutageId;

/// Any fixed number works; it only has to be the same in every process of this service.
const ALERT_LOCK_KEY: i64 = 0x5344_414c_5254; // "SDALRT"

/// Makes alert intake one at a time until the transaction ends, across processes: a retry
/// and its original, or two alerts of one service, then never both find nothing open and both
/// open something. (SQLite's write transaction already excludes other writers.)
pub fn serialise(conn: &mut DbConn) -> DbResult<()> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({ALERT_LOCK_KEY})")).execute(pg)?;
    }
    Ok(())
}

/// Records an alert.
pub fn insert(conn: &mut DbConn, row: &AlertRow) -> DbResult<()> {
    diesel::insert_into(alerts::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Saves a changed alert.
pub fn update(conn: &mut DbConn, row: &AlertRow) -> DbResult<()> {
    diesel::update(alerts::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The alert of `fingerprint` for the service `code` still firing, if any.
pub fn firing(conn: &mut DbConn, code: &str, fingerprint: &str) -> DbResult<Option<AlertRow>> {
    alerts::table
        .filter(alerts::service_code.eq(code))
        .filter(alerts::fingerprint.eq(fingerprint))
        .filter(alerts::ended_at.is_null())
        .select(AlertRow::as_select())
        .first(conn)
        .optional()
}

/// The alert of `fingerprint` for the service `code` that started at `started_at`, firing
/// or not.
pub fn find(
    conn: &mut DbConn,
    (code, fingerprint): (&str, &str),
    started_at: UtcTime,
) -> DbResult<Option<AlertRow>> {
    alerts::table
        .filter(alerts::service_code.eq(code))
        .filter(alerts::fingerprint.eq(fingerprint))
        .filter(alerts::started_at.eq(started_at))
        .select(AlertRow::as_select())
        .first(conn)
        .optional()
}

/// How many alerts other than `except` still fire on `outage`.
pub fn firing_on(conn: &mut DbConn, outage: &OutageId, except: &str) -> DbResult<i64> {
    alerts::table
        .filter(alerts::outage_id.eq(outage))
        .filter(alerts::ended_at.is_null())
        .filter(alerts::id.ne(except))
        .count()
        .get_result(conn)
}

/// The service whose code is `code` (upper-case).
pub fn service_by_code(conn: &mut DbConn, code: &str) -> DbResult<Option<ServiceRow>> {
    services::table
        .filter(services::code.eq(code))
        .select(ServiceRow::as_select())
        .first(conn)
        .optional()
}

/// Alerts newest first, after the cursor; `matched` keeps those that found a service, or
/// those that did not.
pub fn list(
    conn: &mut DbConn,
    matched: Option<bool>,
    after_id: Option<&str>,
    limit: i64,
) -> DbResult<Vec<AlertRow>> {
    let mut query = alerts::table
        .select(AlertRow::as_select())
        .order(alerts::id.desc())
        .limit(limit)
        .into_boxed();
    match matched {
        Some(true) => query = query.filter(alerts::service_id.is_not_null()),
        Some(false) => query = query.filter(alerts::service_id.is_null()),
        None => {}
    }
    if let Some(after) = after_id {
        query = query.filter(alerts::id.lt(after));
    }
    query.load(conn)
}
