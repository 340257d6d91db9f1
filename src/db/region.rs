//! The region settings row.

use diesel::prelude::*;

use super::models::RegionRow;
use super::schema::region_settings;
use super::{DbConn, DbResult};

/// The region, once seeded.
pub fn get(conn: &mut DbConn) -> DbResult<Option<RegionRow>> {
    region_settings::table
        .select(RegionRow::as_select())
        .first(conn)
        .optional()
}

/// The region, locked until the transaction ends on PostgreSQL (SQLite's writer is alone
/// anyway), so that two processes starting at once apply a preset once.
pub fn get_for_update(conn: &mut DbConn) -> DbResult<Option<RegionRow>> {
    match conn {
        DbConn::Pg(pg) => region_settings::table
            .select(RegionRow::as_select())
            .for_update()
            .first(pg)
            .optional(),
        DbConn::Sqlite(sqlite) => region_settings::table
            .select(RegionRow::as_select())
            .first(sqlite)
            .optional(),
    }
}

/// Stores the region for the first time.
pub fn insert(conn: &mut DbConn, row: &RegionRow) -> DbResult<()> {
    diesel::insert_into(region_settings::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Replaces the region's settings.
pub fn update(conn: &mut DbConn, row: &RegionRow) -> DbResult<()> {
    diesel::update(region_settings::table.find(row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// Whether nobody has configured the desk since it was seeded: only the seed's own Dinas unit,
/// no account, no ticket, no service and no audit entry but the seed's.
pub fn untouched_since_seed(conn: &mut DbConn) -> DbResult<bool> {
    use super::schema::{audit_log, services, tickets, units, users};
    let units: i64 = units::table.count().get_result(conn)?;
    let users: i64 = users::table.count().get_result(conn)?;
    let tickets: i64 = tickets::table.count().get_result(conn)?;
    let services: i64 = services::table.count().get_result(conn)?;
    let audited: i64 = audit_log::table
        .filter(audit_log::action.ne("region_seeded"))
        .count()
        .get_result(conn)?;
    Ok(units <= 1 && users == 0 && tickets == 0 && services == 0 && audited == 0)
}
