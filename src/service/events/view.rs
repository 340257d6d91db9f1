//! Ticket events as callers see them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::UtcTime;
use crate::db::models::EventRow;
use crate::domain::ids::{EventId, TicketId, UserId};
use crate::domain::role::Role;

/// One entry of a ticket's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Event id.
    pub id: EventId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// `created`, `acknowledged`, `escalated`, `commented`, …
    #[serde(rename = "type")]
    pub event_type: String,
    /// Who; `null` for the SLA engine.
    pub actor_id: Option<UserId>,
    /// Their name, for staff; `null` for integrations and the SLA engine.
    pub actor_name: Option<String>,
    /// When.
    pub at: UtcTime,
    /// Details of the event.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// What an event of a mail says about people: its recipients, a skipped address, and the
/// relay's answer, which may quote an address.
const MAIL_PERSONAL_DATA: [&str; 4] = ["to", "cc", "address", "error"];

/// An event as a caller of `role` may see it. One who is not staff never learns of an
/// internal comment (`None`), nor who a mail went to.
pub(in crate::service) fn event_for(role: Role, row: EventRow) -> Option<EventView> {
    let mut view = EventView::from(row);
    if role.is_staff() {
        return Some(view);
    }
    if view.event_type == "commented" && view.data["internal"] != false {
        return None;
    }
    if view.event_type.starts_with("notification_")
        && let Some(data) = view.data.as_object_mut()
    {
        for field in MAIL_PERSONAL_DATA {
            data.remove(field);
        }
    }
    Some(view)
}

impl From<EventRow> for EventView {
    fn from(row: EventRow) -> Self {
        EventView {
            id: row.id,
            ticket_id: row.ticket_id,
            event_type: row.event_type,
            actor_id: row.actor_id,
            actor_name: None,
            at: row.at,
            data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
        }
    }
}
