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
