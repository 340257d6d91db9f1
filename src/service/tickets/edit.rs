//! Editing a ticket's fields: priority follows impact and urgency, the clocks their targets.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::models::TicketRow;
use crate::db::{self, DbConn};
use crate::domain::access::Operation;
use crate::domain::ids::{ServiceId, UserId};
use crate::domain::ticket::{self, Classification, Level, Worker};
use crate::domain::ticket_sla::Position;
use crate::service::fields::{self, present};
use crate::service::tickets::change::TicketChange;
use crate::service::tickets::checks::{check_assignee, check_version, invalid_transition};
use crate::service::tickets::create::{MAX_DESCRIPTION, MAX_TITLE};
use crate::service::tickets::draft::closed_service;
use crate::service::tickets::view::TicketView;
use crate::service::{Desk, ServiceError, permit};

/// `PATCH /tickets/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({
    "title": "SIMPEG tidak bisa diakses dari semua PD",
    "impact": "high",
    "urgency": "high"
})))]
pub struct TicketChanges {
    /// New summary.
    pub title: Option<String>,
    /// New text.
    pub description: Option<String>,
    /// New impact (priority follows).
    pub impact: Option<Level>,
    /// New urgency (priority follows).
    pub urgency: Option<Level>,
    /// New service; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub service_id: Option<Option<String>>,
    /// New assignee; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
    /// New classification.
    pub classification: Option<Classification>,
}

impl Desk {
    /// Edits a ticket's fields (whoever works its tier); priority follows impact and urgency.
    pub fn update_ticket(
        &self,
        caller: &Caller,
        id_or_number: &str,
        changes: TicketChanges,
        if_match: Option<i64>,
    ) -> Result<TicketView, ServiceError> {
        permit(caller, Operation::WorkTickets)?;
        let mut errors = Vec::new();
        let title = changes
            .title
            .as_deref()
            .map(|t| fields::text(&mut errors, "title", t, MAX_TITLE));
        let description = changes
            .description
            .as_deref()
            .map(|d| fields::optional_text(&mut errors, "description", d, MAX_DESCRIPTION));
        ServiceError::check(errors)?;
        let changes = TicketChanges {
            title,
            description,
            ..changes
        };
        self.change_ticket(
            caller,
            id_or_number,
            |conn, change| self.edit(conn, change, caller, changes, if_match),
            |conn, committed, ()| committed.view_for(conn, caller),
        )
    }

    /// The edit of an open ticket, with its `updated` event if it changed anything.
    fn edit(
        &self,
        conn: &mut DbConn,
        change: &mut TicketChange,
        caller: &Caller,
        changes: TicketChanges,
        if_match: Option<i64>,
    ) -> Result<(), ServiceError> {
        let Position { status, tier } = change.position()?;
        let worker = Worker::of(
            caller.role,
            caller.unit_id.as_deref(),
            &change.row().unit_id,
        );
        worker
            .may_work(tier)
            .map_err(|why| ServiceError::Denied(why.to_string()))?;
        check_version(change.row(), if_match)?;
        if !status.is_open() {
            let what = format!(
                "{status} ticket at tier {}: it can no longer be edited",
                tier.number()
            );
            return Err(invalid_transition(what, status, tier, worker));
        }
        let before = editable_fields(change.row());
        let description_before = change.row().description.clone();
        let row = change.fields();
        if let Some(title) = changes.title {
            row.title = title;
        }
        if let Some(description) = changes.description {
            row.description = description;
        }
        let impact = changes.impact.unwrap_or(row.impact);
        let urgency = changes.urgency.unwrap_or(row.urgency);
        row.impact = impact;
        row.urgency = urgency;
        let priority = ticket::priority(impact, urgency, row.security_incident);
        row.priority = priority;
        change.retarget(self, conn, priority)?;
        // An unchanged service or assignee is not judged again: a PATCH that repeats the
        // ticket as it stands changes nothing.
        if let Some(service_id) = changes.service_id.map(|id| id.map(ServiceId::from))
            && service_id != change.row().service_id
        {
            if let Some(id) = &service_id
                && !db::services::find(conn, id)?.is_some_and(|s| s.active)
            {
                return Err(ServiceError::field(
                    "service_id",
                    "must be the id of an active service of the catalogue",
                ));
            }
            // A closed service takes no tickets, new or moved onto it.
            if let Some(id) = &service_id
                && let Some(closure) = db::governance::open_closures(conn, &[id.as_str()])?.first()
            {
                return Err(closed_service(closure));
            }
            change.fields().service_id = service_id;
        }
        if let Some(assignee_id) = changes.assignee_id.map(|id| id.map(UserId::from))
            && assignee_id != change.row().assignee_id
        {
            if let Some(id) = &assignee_id {
                check_assignee(conn, change.row(), id)?;
            }
            change.handle(|handling| handling.assign(tier, assignee_id));
        }
        if let Some(classification) = changes.classification {
            change.fields().classification = classification;
        }
        // A PATCH that changes nothing makes no new version and no `updated` event; what
        // the SLA engine owed the ticket at this moment is kept all the same.
        if change.changed() {
            let mut data = changed_fields(&before, &editable_fields(change.row()));
            // The text itself is on the ticket; the trail says only that it was rewritten.
            if change.row().description != description_before {
                data["description_changed"] = true.into();
            }
            change.record(conn, "updated", &caller.user_id, data)?;
        }
        Ok(())
    }
}

/// The fields `PATCH` may change, for the `updated` event.
fn editable_fields(row: &TicketRow) -> serde_json::Value {
    serde_json::json!({"title": row.title, "impact": row.impact, "urgency": row.urgency,
        "priority": row.priority, "service_id": row.service_id, "assignee_id": row.assignee_id,
        "classification": row.classification})
}

/// `{field: {from, to}}` for the fields that differ.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut changes = serde_json::Map::new();
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (field, new) in after {
            let old = before.get(field).unwrap_or(&serde_json::Value::Null);
            if old != new {
                changes.insert(field.clone(), serde_json::json!({"from": old, "to": new}));
            }
        }
    }
    serde_json::Value::Object(changes)
}
