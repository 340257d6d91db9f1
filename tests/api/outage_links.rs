//! How an outage names its incident ticket, and how its instants reach the audit log and the
//! figures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::availability::{service, spawn_on_30_november};
use crate::on_both_databases;
use crate::support::{Backend, assert_refused_on};

/// An outage names its incident ticket by id or by number, and keeps the ticket's id; what the
/// audit log says of its end is the instant as the API writes it; a leap second is refused.
async fn an_outage_names_its_ticket_by_number(backend: Backend) {
    let (app, cast) = spawn_on_30_november(backend).await;
    let simpeg = service(&app, &cast).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    // RFC 3339 allows second 60; UTC has no leap second there to record.
    let (status, problem) = app
        .post(
            &format!("/api/v1/services/{simpeg}/outages"),
            &cast.tier2.token,
            json!({"started_at": "2026-11-29T08:00:60Z"}),
        )
        .await;
    assert_refused_on(status, &problem, "started_at");
    let (status, outage) = app
        .post(
            &format!("/api/v1/services/{simpeg}/outages"),
            &cast.tier2.token,
            json!({"started_at": "2026-11-29T08:00:00Z", "ticket_id": ticket["number"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{outage}");
    assert_eq!(outage["ticket_id"], ticket["id"]);
    let id = outage["id"].as_str().expect("outage id");
    let (status, ended) = app
        .patch(
            &format!("/api/v1/services/{simpeg}/outages/{id}"),
            &cast.tier2.token,
            json!({"ended_at": "2026-11-29T09:00:00.5Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    let (status, log) = app
        .get(
            &format!("/api/v1/audit-log?entity=service&entity_id={simpeg}"),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let ends: Vec<&Value> = log
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["action"] == "outage_ended")
        .map(|entry| &entry["data"]["ended_at"])
        .collect();
    assert_eq!(ends, [&json!("2026-11-29T09:00:00Z")], "{log}");
}

/// What the figures count is what the outage shows: a fraction of a second sent is dropped,
/// not counted out of sight (00.999 to 30.001 was shown as 30 minutes and counted 1799 s).
async fn an_outage_counts_the_whole_seconds_it_shows(backend: Backend) {
    let (app, cast) = spawn_on_30_november(backend).await;
    let simpeg = service(&app, &cast).await;
    let (status, outage) = app
        .post(
            &format!("/api/v1/services/{simpeg}/outages"),
            &cast.tier2.token,
            json!({"started_at": "2026-11-29T01:00:00.999Z", "ended_at": "2026-11-29T01:30:00.001Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{outage}");
    assert_eq!(
        (&outage["started_at"], &outage["ended_at"]),
        (
            &json!("2026-11-29T01:00:00Z"),
            &json!("2026-11-29T01:30:00Z")
        )
    );
    let (status, figures) = app
        .get(
            &format!(
                "/api/v1/services/{simpeg}/availability\
                 ?from=2026-11-29T00:00:00.7Z&to=2026-11-30T00:00:00Z"
            ),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(
        (&figures["downtime_seconds"], &figures["from"]),
        (&json!(1800), &json!("2026-11-29T00:00:00Z")),
        "{figures}"
    );
}

on_both_databases!(
    an_outage_names_its_ticket_by_number,
    an_outage_counts_the_whole_seconds_it_shows,
);
