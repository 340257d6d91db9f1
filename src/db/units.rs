//! Units: the PDs and the Dinas.

use diesel::prelude::*;

use crate::domain::ids::UnitId;
use crate::domain::role::UnitKind;

use super::models::UnitRow;
use super::schema::units;
use super::{DbConn, DbResult};

/// Adds a unit.
pub fn insert(conn: &mut DbConn, row: &UnitRow) -> DbResult<()> {
    diesel::insert_into(units::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A unit by id.
pub fn find(conn: &mut DbConn, id: &UnitId) -> DbResult<Option<UnitRow>> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()
}

/// The id of the unit whose id or code is `id_or_code`, in any case.
pub fn id_for(conn: &mut DbConn, id_or_code: &str) -> DbResult<Option<UnitId>> {
    units::table
        .filter(
            units::id
                .eq(id_or_code.to_ascii_lowercase())
                .or(units::code.eq(id_or_code.to_ascii_uppercase())),
        )
        .select(units::id)
        .first(conn)
        .optional()
}

/// Whether another unit already uses `code`.
pub fn code_taken(conn: &mut DbConn, code: &str, except_id: Option<&str>) -> DbResult<bool> {
    let mut query = units::table
        .filter(units::code.eq(code))
        .select(units::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(units::id.ne(id));
    }
    Ok(query.first::<String>(conn).optional()?.is_some())
}

/// The Dinas unit, if there is one yet.
pub fn dinas(conn: &mut DbConn) -> DbResult<Option<UnitRow>> {
    units::table
        .filter(units::kind.eq(UnitKind::Dinas))
        .select(UnitRow::as_select())
        .first(conn)
        .optional()
}

/// Units in id order (creation order), after the cursor.
pub fn list(conn: &mut DbConn, after: Option<&str>, limit: i64) -> DbResult<Vec<UnitRow>> {
    page_after!(conn, units, UnitRow, after, limit)
}

/// Saves a changed unit.
pub fn update(conn: &mut DbConn, row: &UnitRow) -> DbResult<()> {
    diesel::update(units::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The active PD units, in code order.
pub fn active_pd_units(conn: &mut DbConn) -> DbResult<Vec<UnitRow>> {
    units::table
        .filter(units::active.eq(true))
        .filter(units::kind.eq(UnitKind::Pd))
        .order(units::code)
        .select(UnitRow::as_select())
        .load(conn)
}

/// Which of `ids` are active PD units (where Tier 1 records tickets).
pub fn active_pds(conn: &mut DbConn, ids: &[&str]) -> DbResult<Vec<UnitId>> {
    units::table
        .filter(units::id.eq_any(ids))
        .filter(units::active.eq(true))
        .filter(units::kind.eq(UnitKind::Pd))
        .select(units::id)
        .load(conn)
}
