//! The append-only ticket event trail and ticket comments.

use diesel::prelude::*;

use crate::domain::ids::{TicketId, UserId};

use super::models::{CommentRow, EventRow};
use super::schema::{ticket_comments, ticket_events, tickets};
use super::{DbConn, DbResult};

/// Appends an event; it is linked into the trail's chain at commit.
pub fn insert(conn: &mut DbConn, row: &EventRow) -> DbResult<()> {
    diesel::insert_into(ticket_events::table)
        .values(row)
        .execute(conn)?;
    super::trail::note_events(std::slice::from_ref(row));
    Ok(())
}

/// Appends several events (one statement on PostgreSQL).
pub fn insert_many(conn: &mut DbConn, rows: &[EventRow]) -> DbResult<()> {
    insert_rows!(conn, ticket_events::table, rows)?;
    super::trail::note_events(rows);
    Ok(())
}

/// A ticket's events, oldest first.
pub fn for_ticket(conn: &mut DbConn, ticket_id: &TicketId) -> DbResult<Vec<EventRow>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .order(ticket_events::id)
        .select(EventRow::as_select())
        .load(conn)
}

/// Who resolved each of `ticket_ids`: `(ticket, actor)` of their `resolved` events, oldest
/// first, so that a map made of them keeps the last resolver of each.
pub fn resolvers(conn: &mut DbConn, ticket_ids: &[&str]) -> DbResult<Vec<(TicketId, UserId)>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq_any(ticket_ids))
        .filter(ticket_events::event_type.eq("resolved"))
        .filter(ticket_events::actor_id.is_not_null())
        .order(ticket_events::id)
        .select((
            ticket_events::ticket_id,
            ticket_events::actor_id.assume_not_null(),
        ))
        .load(conn)
}

/// Adds a comment.
pub fn insert_comment(conn: &mut DbConn, row: &CommentRow) -> DbResult<()> {
    diesel::insert_into(ticket_comments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A ticket's comments, oldest first; internal ones only when asked.
pub fn comments(
    conn: &mut DbConn,
    ticket_id: &str,
    with_internal: bool,
) -> DbResult<Vec<CommentRow>> {
    let mut query = ticket_comments::table
        .filter(ticket_comments::ticket_id.eq(ticket_id))
        .order(ticket_comments::id)
        .select(CommentRow::as_select())
        .into_boxed();
    if !with_internal {
        query = query.filter(ticket_comments::internal.eq(false));
    }
    query.load(conn)
}

/// An event with what the stream needs of its ticket.
pub type StreamedEvent = (EventRow, String, String, String);

/// Events with an id after `after`, in id order, each with its ticket's number, unit and
/// classification.
pub fn after_with_tickets(
    conn: &mut DbConn,
    after: &str,
    limit: i64,
) -> DbResult<Vec<StreamedEvent>> {
    ticket_events::table
        .inner_join(tickets::table)
        .filter(ticket_events::id.gt(after.to_owned()))
        .order(ticket_events::id)
        .limit(limit)
        .select((
            EventRow::as_select(),
            tickets::number,
            tickets::unit_id,
            tickets::classification,
        ))
        .load(conn)
}
