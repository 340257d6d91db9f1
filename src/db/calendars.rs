//! Business calendars and their holidays.

use diesel::prelude::*;

use crate::domain::ids::CalendarId;

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

/// A calendar by id.
pub fn find(conn: &mut DbConn, id: &CalendarId) -> DbResult<Option<CalendarRow>> {
    calendars::table
        .find(id)
        .select(CalendarRow::as_select())
        .first(conn)
        .optional()
}

/// Calendars in creation order after the cursor.
pub fn list(conn: &mut DbConn, after: Option<&str>, limit: i64) -> DbResult<Vec<CalendarRow>> {
    page_after!(conn, calendars, CalendarRow, after, limit)
}

/// A calendar's holidays, by date.
pub fn holidays(conn: &mut DbConn, calendar_id: &CalendarId) -> DbResult<Vec<HolidayRow>> {
    calendar_holidays::table
        .filter(calendar_holidays::calendar_id.eq(calendar_id))
        .order(calendar_holidays::day)
        .select(HolidayRow::as_select())
        .load(conn)
}

/// Replaces a calendar's settings and holidays.
pub fn replace(conn: &mut DbConn, row: &CalendarRow, holidays: &[HolidayRow]) -> DbResult<()> {
    diesel::update(calendars::table.find(&row.id))
        .set((
            calendars::name.eq(&row.name),
            calendars::timezone.eq(&row.timezone),
            calendars::always_open.eq(row.always_open),
            calendars::working_hours.eq(&row.working_hours),
            calendars::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    diesel::delete(calendar_holidays::table.filter(calendar_holidays::calendar_id.eq(&row.id)))
        .execute(conn)?;
    for holiday in holidays {
        add_holiday(conn, holiday)?;
    }
    Ok(())
}

/// Adds one holiday.
pub fn add_holiday(conn: &mut DbConn, holiday: &HolidayRow) -> DbResult<()> {
    diesel::insert_into(calendar_holidays::table)
        .values(holiday)
        .execute(conn)
        .map(drop)
}
