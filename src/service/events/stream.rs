//! The live event stream (`GET /events/stream`): ticket events as Server-Sent Events, read from
//! the event table by one shared poller and filtered per caller.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::auth::Caller;
use crate::db;
use crate::domain::ids::{EventId, UserId};
use crate::domain::role::Role;
use crate::domain::ticket::Classification;
use crate::service::accounts::names::staff_names;
use crate::service::events::view::{EventView, event_for};
use crate::service::{Desk, ServiceError};

/// Events behind the newest one that the poller still looks back at: a transaction that
/// commits an older event id later than a newer one is still seen, if it takes less.
pub const LOOK_BACK: Duration = Duration::seconds(5);

/// One event, ready to send.
#[derive(Debug, Clone)]
pub struct StreamEvent {
    /// The event id (UUID v7, in time order): the SSE `id`.
    pub id: EventId,
    /// The SSE `event` name: the event type.
    pub event_type: String,
    /// The ticket's PD.
    unit_id: String,
    /// Whether integrations may see its ticket.
    public: bool,
    /// The SSE `data` for staff: the event as JSON, with the ticket number.
    pub data: String,
    /// The same as callers who are not staff see it; `None` for an event they never see.
    data_without_people: Option<String>,
}

#[derive(Serialize)]
struct Payload {
    #[serde(flatten)]
    event: EventView,
    ticket_number: String,
}

impl StreamEvent {
    /// The SSE `data` `caller` may see of this event, if any: Tier 1 its own PD's events,
    /// integrations public tickets' events without personal data.
    pub fn data_for(&self, caller: &Caller) -> Option<&str> {
        match caller.role {
            Role::Tier1 => (caller.unit_id.as_deref() == Some(self.unit_id.as_str()))
                .then_some(self.data.as_str()),
            Role::Integration => self.data_without_people.as_deref().filter(|_| self.public),
            Role::Tier2 | Role::Supervisor | Role::Auditor | Role::Admin => Some(&self.data),
            Role::Monitoring => None,
        }
    }
}

fn payload(event: EventView, ticket_number: &str) -> Result<String, ServiceError> {
    serde_json::to_string(&Payload {
        event,
        ticket_number: ticket_number.to_owned(),
    })
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

fn with_actor_name(mut event: EventView, names: &HashMap<UserId, String>) -> EventView {
    event.actor_name = event
        .actor_id
        .as_ref()
        .and_then(|id| names.get(id))
        .cloned();
    event
}

/// The smallest event id of an instant: ids are UUID v7, which begin with the milliseconds.
pub fn first_id_at(at: DateTime<Utc>) -> EventId {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or_default();
    EventId::from(format!(
        "{:08x}-{:04x}-0000-0000-000000000000",
        millis >> 16,
        millis & 0xffff
    ))
}

impl Desk {
    /// Events after `after` (an event id), in order, at most `limit`.
    pub fn events_after(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<Arc<StreamEvent>>, ServiceError> {
        let mut conn = self.conn()?;
        let rows = db::ticket_events::after_with_tickets(&mut conn, after, limit)?;
        // Staff see who made each event, as they do in a ticket's trail; integrations do not.
        let names = staff_names(
            &mut conn,
            rows.iter().filter_map(|(row, ..)| row.actor_id.as_deref()),
        )?;
        rows.into_iter()
            .map(|(row, number, unit_id, classification)| {
                let (id, event_type) = (row.id.clone(), row.event_type.clone());
                let data_without_people = event_for(Role::Integration, row.clone())
                    .map(|event| payload(event, &number))
                    .transpose()?;
                Ok(Arc::new(StreamEvent {
                    id,
                    event_type,
                    unit_id,
                    public: classification == Classification::Public.as_str(),
                    data: payload(with_actor_name(EventView::from(row), &names), &number)?,
                    data_without_people,
                }))
            })
            .collect()
    }
}

/// The event hub's side of the stream: it hands each new event to this process's listeners.
/// Only the hub's thread makes one.
pub struct Hub<'a> {
    desk: &'a Desk,
}

impl<'a> Hub<'a> {
    /// The hub of `desk`'s listeners.
    pub fn of(desk: &'a Desk) -> Self {
        Self { desk }
    }

    /// Hands events to every listener (none may be listening).
    pub fn publish(&self, events: Vec<Arc<StreamEvent>>) {
        for event in events {
            let _ = self.desk.events.send(event);
        }
    }

    /// Whether any stream listens.
    pub fn has_listeners(&self) -> bool {
        self.desk.events.receiver_count() > 0
    }
}
