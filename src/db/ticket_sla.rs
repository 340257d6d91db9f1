//! Tickets' SLA rows: the clocks, and the SLA engine's claim on due tickets.

use crate::clock::UtcTime;
use diesel::prelude::*;

use crate::domain::ids::TicketId;

use crate::domain::sla::Priority;

use super::models::{TicketRow, TicketSlaRow};
use super::schema::{ticket_sla, tickets};
use super::{DbConn, DbResult};

/// Stores new tickets' SLA rows (one statement on PostgreSQL, one per row on SQLite).
pub fn insert_many(conn: &mut DbConn, rows: &[TicketSlaRow]) -> DbResult<()> {
    insert_rows!(conn, ticket_sla::table, rows)
}

/// A ticket's SLA row, locked until the transaction ends on PostgreSQL (a calendar edit may
/// be rewriting it).
pub fn find_for_update(conn: &mut DbConn, ticket_id: &TicketId) -> DbResult<Option<TicketSlaRow>> {
    let query = ticket_sla::table.find(ticket_id);
    match conn {
        DbConn::Pg(pg) => query
            .select(TicketSlaRow::as_select())
            .for_update()
            .first(pg)
            .optional(),
        DbConn::Sqlite(sqlite) => query
            .select(TicketSlaRow::as_select())
            .first(sqlite)
            .optional(),
    }
}

/// Saves a changed SLA row.
pub fn update(conn: &mut DbConn, row: &TicketSlaRow) -> DbResult<()> {
    diesel::update(ticket_sla::table.find(&row.ticket_id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The earliest instant any ticket's SLA needs the engine. The `IS NOT NULL` term is what lets
/// SQLite read it off the partial index; without it SQLite scans every SLA row on each wake.
pub fn next_event_at(conn: &mut DbConn) -> DbResult<Option<UtcTime>> {
    ticket_sla::table
        .filter(ticket_sla::next_event_at.is_not_null())
        .select(diesel::dsl::min(ticket_sla::next_event_at))
        .first(conn)
}

/// Up to `limit` tickets whose next SLA instant is at or before `now`, earliest first, with
/// their rows locked. On PostgreSQL rows another transaction holds (another engine, or a user
/// acting on the ticket) are skipped, and the condition is checked again on the locked row, so
/// two engines never handle one ticket's instant twice. SQLite's write transaction admits one
/// writer at a time.
pub fn claim_due(
    conn: &mut DbConn,
    now: UtcTime,
    limit: i64,
) -> DbResult<Vec<(TicketRow, TicketSlaRow)>> {
    let due = tickets::table
        .inner_join(ticket_sla::table)
        .filter(ticket_sla::next_event_at.le(now))
        .order(ticket_sla::next_event_at)
        .limit(limit);
    match conn {
        DbConn::Pg(pg) => due
            .select((TicketRow::as_select(), TicketSlaRow::as_select()))
            .for_update()
            .skip_locked()
            .load(pg),
        DbConn::Sqlite(sqlite) => due
            .select((TicketRow::as_select(), TicketSlaRow::as_select()))
            .load(sqlite),
    }
}

/// The priority and SLA row of every ticket with a running clock on `calendar_id`, locked on
/// PostgreSQL: what a calendar edit recomputes.
pub fn running_on_calendar(
    conn: &mut DbConn,
    calendar_id: &str,
) -> DbResult<Vec<(Priority, TicketSlaRow)>> {
    let running = tickets::table
        .inner_join(ticket_sla::table)
        .filter(ticket_sla::calendar_id.eq(calendar_id))
        .filter(ticket_sla::due_at.is_not_null());
    match conn {
        DbConn::Pg(pg) => running
            .select((tickets::priority, TicketSlaRow::as_select()))
            .for_update()
            .load(pg),
        DbConn::Sqlite(sqlite) => running
            .select((tickets::priority, TicketSlaRow::as_select()))
            .load(sqlite),
    }
}
