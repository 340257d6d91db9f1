//! The contract of each ticket event type's `data`, and of the frames of the event stream.
//! The service builds each `data` as JSON; these schemas are what it builds, held to it by a
//! test that validates every type's events against them.

use serde_json::{Value, json};
use utoipa::Modify;
use utoipa::openapi::{ContentBuilder, RefOr, Schema};

/// `from_status` and `to_status` of a move of the action table.
fn moved(extra: Value, required: &[&str]) -> (Value, Vec<String>) {
    let mut properties = json!({
        "from_status": {"$ref": "#/components/schemas/Status", "description": "Before the move."},
        "to_status": {"$ref": "#/components/schemas/Status", "description": "After the move."},
    });
    if let (Some(all), Some(extra)) = (properties.as_object_mut(), extra.as_object()) {
        all.extend(extra.clone());
    }
    let mut names = vec!["from_status".to_owned(), "to_status".to_owned()];
    names.extend(required.iter().map(|name| (*name).to_owned()));
    (properties, names)
}

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn reason() -> Value {
    text("The reason the caller gave.")
}

fn change() -> Value {
    json!({"$ref": "#/components/schemas/FieldChange"})
}

fn mail(error: Value) -> (Value, Vec<String>) {
    (
        json!({
            "notification_id": text("The mail (`GET /notifications`)."),
            "kind": text("What the mail announced (`escalated`, `sla_breached`, …)."),
            "to": {"type": "array", "items": {"type": "string"},
                   "description": "Its recipients; staff only."},
            "cc": {"type": "array", "items": {"type": "string"},
                   "description": "Its copies; staff only."},
            "attempts": {"type": "integer", "description": "Attempts made to send it."},
            "error": error,
        }),
        vec!["notification_id".into(), "kind".into(), "attempts".into()],
    )
}

fn sla_alert() -> (Value, Vec<String>) {
    (
        json!({
            "clock": {"type": "string", "enum": ["response", "tier1", "resolution"],
                      "description": "The SLA clock."},
            "due_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "When the clock is due; `null` once it has no deadline."},
            "at": {"type": "string", "format": "date-time",
                   "description": "When the alert fell due (it is recorded at or after this)."},
            "tier": {"type": "integer", "description": "The ticket's tier then."},
            "priority": {"$ref": "#/components/schemas/Priority"},
        }),
        vec![
            "clock".into(),
            "due_at".into(),
            "at".into(),
            "tier".into(),
            "priority".into(),
        ],
    )
}

/// Every ticket event type: its name, its `data` schema's name, what it means, and the schema's
/// properties with those required.
fn event_types() -> Vec<(&'static str, &'static str, &'static str, Value, Vec<String>)> {
    let escalated = json!({
        "reason": text("Why; `sla_tier1_window_elapsed` when the SLA engine did it."),
        "automatic": {"type": "boolean", "description": "The SLA engine escalated it."},
        "taken_over": {"type": "boolean", "description": "Tier 2 took it over itself."},
    });
    let updated = json!({
        "title": change(), "impact": change(), "urgency": change(), "priority": change(),
        "service_id": change(), "assignee_id": change(), "classification": change(),
        "description_changed": {"type": "boolean", "description":
            "The description was rewritten; its text is on the ticket, not in the trail."},
    });
    let m = |extra: Value, required: &[&str]| moved(extra, required);
    let created = json!({
        "number": text("`SD-<year>-<6 digits>`."),
        "kind": {"$ref": "#/components/schemas/Kind"},
        "priority": {"$ref": "#/components/schemas/Priority"},
        "tier": {"type": "integer", "description": "1 or 2."},
        "classification": {"$ref": "#/components/schemas/Classification"},
    });
    let all = ["number", "kind", "priority", "tier", "classification"];
    let (created, created_required) = (created, all.map(str::to_owned).to_vec());
    let (ack, ack_required) = m(
        json!({"assignee_id": text("Who now works it, when nobody did before.")}),
        &[],
    );
    let (assigned, assigned_required) = m(
        json!({"assignee_id": text("Who works it now.")}),
        &["assignee_id"],
    );
    let (pended, pended_required) = m(json!({"reason": reason()}), &["reason"]);
    let (resumed, resumed_required) = m(json!({}), &[]);
    let (escalated, escalated_required) = m(escalated, &["reason", "automatic", "taken_over"]);
    let (returned, returned_required) = m(
        json!({"solution": text("Tier 2's directions for Tier 1.")}),
        &["solution"],
    );
    let (resolved, resolved_required) = m(
        json!({"resolution": text("How it was resolved.")}),
        &["resolution"],
    );
    let (reopened, reopened_required) = m(json!({"reason": reason()}), &["reason"]);
    let (closed, closed_required) = m(json!({}), &[]);
    let (cancelled, cancelled_required) = m(json!({"reason": reason()}), &["reason"]);
    let commented = json!({
        "comment_id": text("The comment (`GET /tickets/{id}/comments`)."),
        "internal": {"type": "boolean", "description": "Staff only; integrations never see the event."},
    });
    let skipped = json!({
        "address": text("The address left out; staff only."),
        "reason": text("Why it was left out (`not_official_domain`, `invalid_address`)."),
        "notice": text("What the mail announced."),
        "event_id": text("The event the mail was for, when it was left out on queueing."),
        "notification_id": text("The queued mail, when it was left out on sending."),
    });
    let (sent, sent_required) = mail(json!({"type": "null", "description": "Always `null`."}));
    let (failed, failed_required) = mail(text("The relay's last answer; staff only."));
    let (warning, warning_required) = sla_alert();
    let (breached, breached_required) = sla_alert();
    vec![
        (
            "created",
            "CreatedEventData",
            "The ticket was recorded.",
            created,
            created_required,
        ),
        (
            "acknowledged",
            "AcknowledgedEventData",
            "An agent answered it.",
            ack,
            ack_required,
        ),
        (
            "assigned",
            "AssignedEventData",
            "Someone was given it.",
            assigned,
            assigned_required,
        ),
        (
            "pended",
            "PendedEventData",
            "It waits on someone else; the clocks stop.",
            pended,
            pended_required,
        ),
        (
            "resumed",
            "ResumedEventData",
            "Work on it goes on.",
            resumed,
            resumed_required,
        ),
        (
            "escalated",
            "EscalatedEventData",
            "It went to Tier 2.",
            escalated,
            escalated_required,
        ),
        (
            "returned",
            "ReturnedEventData",
            "Tier 2 gave it back to Tier 1.",
            returned,
            returned_required,
        ),
        (
            "resolved",
            "ResolvedEventData",
            "It was resolved.",
            resolved,
            resolved_required,
        ),
        (
            "reopened",
            "ReopenedEventData",
            "A resolution was refused.",
            reopened,
            reopened_required,
        ),
        (
            "closed",
            "ClosedEventData",
            "It was closed.",
            closed,
            closed_required,
        ),
        (
            "cancelled",
            "CancelledEventData",
            "It was cancelled.",
            cancelled,
            cancelled_required,
        ),
        (
            "commented",
            "CommentedEventData",
            "A comment was added.",
            commented,
            vec!["comment_id".into(), "internal".into()],
        ),
        (
            "updated",
            "UpdatedEventData",
            "Fields were changed with `PATCH`: each one changed, \
          from what to what.",
            updated,
            vec![],
        ),
        (
            "sla_warning",
            "SlaWarningEventData",
            "An SLA clock nears its deadline.",
            warning,
            warning_required,
        ),
        (
            "sla_breached",
            "SlaBreachedEventData",
            "An SLA clock passed its deadline.",
            breached,
            breached_required,
        ),
        (
            "notification_skipped",
            "NotificationSkippedEventData",
            "A recipient outside the official domains, or not a valid address, was left out of a mail.",
            skipped,
            vec!["reason".into(), "notice".into()],
        ),
        (
            "notification_sent",
            "NotificationSentEventData",
            "A mail of the ticket went out.",
            sent,
            sent_required,
        ),
        (
            "notification_failed",
            "NotificationFailedEventData",
            "A mail of the ticket was given up.",
            failed,
            failed_required,
        ),
    ]
}

fn schema(value: Value) -> Schema {
    // The values are the literals above; one that utoipa cannot read is a bug of this file,
    // found by every test that reads the document.
    serde_json::from_value(value).expect("an event schema utoipa reads")
}

/// Pascal case of an event type, for the frame schemas' names.
fn frame_name(data_name: &str) -> String {
    format!("StreamFrame{}", data_name.trim_end_matches("EventData"))
}

/// The `data` schemas, the stream's frames, and `EventView.data`'s description naming them.
pub struct EventSchemas;

impl Modify for EventSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let types = event_types();
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            "FieldChange".into(),
            RefOr::T(schema(json!({
                "type": "object", "description": "One field's change.",
                "required": ["from", "to"], "additionalProperties": false,
                "properties": {"from": {"type": ["string", "null"], "description": "Before."},
                               "to": {"type": ["string", "null"], "description": "After."}},
            }))),
        );
        let mut frames = Vec::new();
        for (event_type, name, description, properties, required) in &types {
            components.schemas.insert(
                (*name).into(),
                RefOr::T(schema(json!({
                    "type": "object", "additionalProperties": false,
                    "description": format!("`data` of the `{event_type}` event: {description}"),
                    "required": required, "properties": properties,
                }))),
            );
            let frame = frame_name(name);
            components
                .schemas
                .insert(frame.clone(), RefOr::T(frame_schema(event_type, name)));
            frames.push(json!({"$ref": format!("#/components/schemas/{frame}")}));
        }
        components.schemas.insert(
            "StreamEvent".into(),
            RefOr::T(schema(json!({
                "description": "A frame's `data` line: the event as in `GET /tickets/{id}/events`, with the ticket's number.",
                "allOf": [
                    {"$ref": "#/components/schemas/EventView"},
                    {"type": "object", "required": ["ticket_number"],
                     "properties": {"ticket_number": text("The ticket's `SD-<year>-<6 digits>`.")}},
                ],
            }))),
        );
        let names: Vec<String> = types
            .iter()
            .map(|(event_type, name, ..)| format!("`{event_type}` ({name})"))
            .collect();
        if let Some(RefOr::T(Schema::Object(view))) = components.schemas.get_mut("EventView")
            && let Some(RefOr::T(Schema::Object(data))) = view.properties.get_mut("data")
        {
            data.description = Some(format!(
                "Details of the event, by its `type`: {}.",
                names.join(", ")
            ));
        }
        describe_stream(openapi, frames);
    }
}

/// The stream's frame of `event_type`, whose data's schema is `name`.
fn frame_schema(event_type: &str, name: &str) -> Schema {
    schema(json!({
        "type": "object",
        "description": format!("The `{event_type}` frame of the event stream."),
        "required": ["event", "id", "data"],
        "properties": {
            "event": {"type": "string", "enum": [event_type]},
            "id": text("The event id (UUID v7, in time order); send it as `Last-Event-ID` to resume after it."),
            // A `data` line is text on the wire: JSON whose schema is the content's.
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"allOf": [
                    {"$ref": "#/components/schemas/StreamEvent"},
                    {"type": "object", "properties": {
                        "type": {"type": "string", "enum": [event_type]},
                        "data": {"$ref": format!("#/components/schemas/{name}")},
                    }},
                ]},
            },
        },
    }))
}

/// `GET /events/stream`'s answer: the frames, one of `frames`.
fn describe_stream(openapi: &mut utoipa::openapi::OpenApi, frames: Vec<serde_json::Value>) {
    let stream = openapi
        .paths
        .paths
        .get_mut("/api/v1/events/stream")
        .and_then(|item| item.get.as_mut())
        .and_then(|get| get.responses.responses.get_mut("200"));
    if let Some(RefOr::T(response)) = stream {
        response.description = "The stream, as `text/event-stream`: after `retry: 3000` and a \
            `: connected` comment, one frame per event the caller may see, `id: <event id>`, \
            `event: <type>`, `data: <StreamEvent JSON>` lines and a blank line, and a \
            `: heartbeat` comment now and then. The schema describes a frame's fields, with \
            `data` parsed."
            .into();
        response.content.insert(
            "text/event-stream".into(),
            ContentBuilder::new()
                .schema(Some(schema(json!({"oneOf": frames}))))
                .build(),
        );
    }
}
