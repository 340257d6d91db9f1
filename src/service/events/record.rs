//! Appending to a ticket's trail.

use chrono::{DateTime, Utc};

use crate::db::models::EventRow;
use crate::db::{self, DbConn};
use crate::domain::ids::{EventId, TicketId, UserId};
use crate::service::{ServiceError, new_id};

/// A new entry of a ticket's trail.
pub(in crate::service) fn event_row(
    ticket_id: &str,
    event_type: &str,
    actor_id: Option<&str>,
    at: DateTime<Utc>,
    data: serde_json::Value,
) -> EventRow {
    EventRow {
        id: new_id(),
        ticket_id: TicketId::from(ticket_id),
        event_type: event_type.to_owned(),
        actor_id: actor_id.map(UserId::from),
        at: at.into(),
        data: data.to_string(),
    }
}

/// Appends an event to the ticket's trail, inside the caller's transaction; returns its id.
pub(in crate::service) fn record_event(
    conn: &mut DbConn,
    ticket_id: &str,
    event_type: &str,
    actor_id: Option<&str>,
    at: DateTime<Utc>,
    data: serde_json::Value,
) -> Result<EventId, ServiceError> {
    let event = event_row(ticket_id, event_type, actor_id, at, data);
    db::ticket_events::insert(conn, &event)?;
    Ok(event.id)
}
