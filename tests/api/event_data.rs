//! Every ticket event type's `data` is what the contract says: a ticket life that makes each
//! type, read back from the event stream and validated against the served `/openapi.json`.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::stream::{Event, Events};
use crate::support::smtp::Mode;
use crate::support::{Backend, Cast, TestApp, desk_with_sink};

/// Asserts that the ticket has an event of `kind`.
async fn assert_event(app: &TestApp, cast: &Cast, ticket: &Value, kind: &str) {
    let events = app.ticket_events(&cast.supervisor.token, ticket).await;
    assert!(
        events.iter().any(|e| e["type"] == kind),
        "no {kind} event on {ticket}"
    );
}

/// Validates `value` against `schema` with the served document as the root of its `$ref`s.
fn validate(document: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let mut root = schema.clone();
    root["components"] = document["components"].clone();
    let validator = jsonschema::validator_for(&root).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Fails unless `frame` (its `data` line as the text sent) is one the stream's documented
/// schema allows, and its `data`, read as JSON, is what its type's `contentSchema` says (a
/// validator only notes a `contentSchema`, so it is checked here), naming what is wrong.
fn check_frame(document: &Value, frame: &Value) {
    let stream = &document["paths"]["/api/v1/events/stream"]["get"]["responses"]["200"]["content"]
        ["text/event-stream"]["schema"];
    let kind = &frame["event"];
    let own = document["components"]["schemas"]
        .as_object()
        .and_then(|schemas| {
            schemas
                .values()
                .find(|schema| schema["properties"]["event"]["enum"][0] == *kind)
        })
        .unwrap_or_else(|| panic!("no documented schema for {kind} frames: {frame}"));
    if let Err(errors) = validate(document, stream, frame) {
        let errors = validate(document, own, frame).err().unwrap_or(errors);
        panic!("the {kind} frame is not what the contract says: {errors}\n{frame}");
    }
    let data: Value = frame["data"]
        .as_str()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_else(|| panic!("the {kind} frame's data is no JSON text: {frame}"));
    let content = &own["properties"]["data"]["contentSchema"];
    if let Err(errors) = validate(document, content, &data) {
        panic!("the {kind} frame's data is not what the contract says: {errors}\n{data}");
    }
}

/// Takes `ticket` through every move, with a change and a comment; its mails go out, and the
/// citizen's address is left out of them.
async fn every_move_of(app: &TestApp, cast: &Cast, ticket: &Value) {
    let (tier1, tier2) = (&cast.tier1.token, &cast.tier2.token);
    let id = ticket["id"].as_str().expect("id");
    app.act(tier1, ticket, "acknowledge", json!({})).await;
    let (status, body) = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            tier1,
            json!({"title": "SIMPEG mati"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.act(
        tier1,
        ticket,
        "assign",
        json!({"assignee_id": cast.tier1_colleague.id}),
    )
    .await;
    let (status, body) = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            tier1,
            json!({"body": "Dicek"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.act_saying(tier1, ticket, "pend", "Menunggu vendor")
        .await;
    app.act(tier1, ticket, "resume", json!({})).await;
    app.act_saying(tier1, ticket, "escalate", "Perlu Dinas")
        .await;
    app.act_saying(tier2, ticket, "return", "Mulai ulang server")
        .await;
    app.act_saying(tier1, ticket, "resolve", "Server dimulai ulang")
        .await;
    app.act_saying(tier1, ticket, "reopen", "Masih mati").await;
    app.act_saying(tier1, ticket, "resolve", "Diganti").await;
    app.act(tier1, ticket, "close", json!({})).await;
    app.dispatch_mail().await;
    assert_event(app, cast, ticket, "notification_sent").await;
}

/// The event types the stream replays up to `newest`, each frame checked against the contract.
/// Staff see every event whole; an integration sees public tickets' without mail addresses.
async fn stream_types(
    app: &TestApp,
    cast: &Cast,
    document: &Value,
    newest: &str,
    trail_len: usize,
) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for (token, all) in [
        (&cast.supervisor.token, true),
        (&cast.integration.token, false),
    ] {
        let mut stream =
            Events::open(app, token, Some("00000000-0000-0000-0000-000000000000")).await;
        let frames = stream.until(|(id, ..): &Event| *id == newest).await;
        if all {
            assert_eq!(
                frames.len(),
                trail_len,
                "the stream replays the whole trail"
            );
        }
        for (id, kind, data) in frames {
            let frame = json!({"event": kind, "id": id, "data": data.to_string()});
            check_frame(document, &frame);
            types.insert(kind);
        }
    }
    types
}

/// The engine's instants in an alert's data are written as every other instant is.
fn alert_instants_are_whole_seconds(trail: &[Value]) {
    for event in trail
        .iter()
        .filter(|e| e["type"] == "sla_warning" || e["type"] == "sla_breached")
    {
        for field in ["at", "due_at"] {
            let at = event["data"][field].as_str().unwrap_or_default();
            assert!(
                at.is_empty() || (at.ends_with('Z') && !at.contains('.')),
                "{field} in whole seconds, UTC: {event}"
            );
        }
    }
}

async fn every_event_type_has_the_data_its_schema_says(backend: Backend) {
    let (app, cast, sink, clock) = desk_with_sink(backend, &[]).await;
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 10, "tier1_seconds": 20, "resolution_seconds": 600,
               "warn_at_percent": 50}),
    )
    .await;
    let tier1 = &cast.tier1.token;
    let citizen = json!({"reporter": {"name": "Warga", "email": "warga@gmail.com"}});

    // One ticket through every move.
    let ticket = app.create_ticket(tier1, citizen.clone()).await;
    every_move_of(&app, &cast, &ticket).await;

    // One left to its SLA clocks: warned, breached and escalated by the engine.
    let late = app.create_ticket(tier1, json!({})).await;
    clock.advance(chrono::Duration::seconds(30));
    app.run_due_sla().await;
    assert_event(&app, &cast, &late, "escalated").await;

    // One cancelled, and one whose mail the relay refuses.
    let cancelled = app.create_ticket(tier1, json!({})).await;
    app.act_saying(tier1, &cancelled, "cancel", "Dobel").await;
    app.dispatch_mail().await;
    sink.set_mode(Mode::Refuse);
    let refused = app.create_ticket(tier1, json!({})).await;
    app.act_saying(tier1, &refused, "escalate", "Perlu Dinas")
        .await;
    app.dispatch_mail().await;
    assert_event(&app, &cast, &refused, "notification_failed").await;

    let mut trail = Vec::new();
    for ticket in [&ticket, &late, &cancelled, &refused] {
        trail.extend(app.ticket_events(&cast.supervisor.token, ticket).await);
    }
    alert_instants_are_whole_seconds(&trail);
    let newest = trail
        .iter()
        .filter_map(|e| e["id"].as_str())
        .max()
        .expect("events")
        .to_owned();
    let (status, document) = app.get("/openapi.json", &cast.supervisor.token).await;
    assert_eq!(status, StatusCode::OK);
    let types = stream_types(&app, &cast, &document, &newest, trail.len()).await;
    let expected = [
        "acknowledged",
        "assigned",
        "cancelled",
        "closed",
        "commented",
        "created",
        "escalated",
        "notification_failed",
        "notification_sent",
        "notification_skipped",
        "pended",
        "reopened",
        "resolved",
        "resumed",
        "returned",
        "sla_breached",
        "sla_warning",
        "updated",
    ];
    assert_eq!(
        types,
        expected.map(str::to_owned).into(),
        "every event type is covered"
    );
}

on_both_databases!(every_event_type_has_the_data_its_schema_says);
