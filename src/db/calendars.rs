//! Business calendars and their holidays.

use diesel::prelude::*;

use super::models::{CalendarRow, HolidayRow};
use super::schema::{calendar_holidays, calendars};
use super::{DbConn, DbResult};

/// Adds a calendar with its holidays.
pub fn insert(conn: &mut DbConn, row: &CalendarRow, holidays: &[HolidayRow]) -> DbResult<()> {
    diesel::insert_into(calendars::table)
        .values(row)
        .execute(conn)?;
    // One statement per row: multi-row VALUES does not compile through the connection enum.
    for holiday in holidays {
        diesel::insert_into(calendar_holidays::table)
            .values(holiday)
            .execute(conn)?;
    }
    Ok(())
}
