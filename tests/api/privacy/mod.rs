//! What an integration token reads: names of units and services and opaque ids, never a
//! person (reporters, who was mailed, internal comments), never a field of a restricted ticket.

mod people;
mod restricted;

use std::time::Duration;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Cast, TestApp, read};

/// Raw Server-Sent Events text of `token`'s stream (resumed after `last_event_id`, if any),
/// read until `marker` shows up in it.
struct RawStream {
    response: reqwest::Response,
    text: String,
}

impl RawStream {
    async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Self {
        Self {
            response: app.event_stream(token, last_event_id).await,
            text: String::new(),
        }
    }

    async fn until(mut self, marker: &str) -> String {
        while !self.text.contains(marker) {
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {marker} in the stream: {}", self.text))
                .expect("chunk")
                .unwrap_or_else(|| panic!("the stream ended: {}", self.text));
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
        self.text
    }
}

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("id")
}

/// Sends the mail due, and checks that each ticket has at least its count of mails sent.
async fn mails_sent(app: &TestApp, cast: &Cast, expected: &[(&Value, usize)]) {
    app.dispatch_mail().await;
    for (ticket, count) in expected {
        let sent = app
            .event_count(&cast.auditor.token, ticket, "notification_sent")
            .await;
        assert!(sent >= *count, "the mails were not sent: {sent} of {count}");
    }
}

/// Every answer an integration token gets from what it may read, and from what it may not,
/// with what was asked: tickets and their lists, events and comments, the summary, both reports in
/// JSON and CSV, units, services, the region, its own account, metrics, the staff-only lists
/// (refused), and the event stream live since `live` was opened and replayed from the start.
async fn everything_an_integration_reads(
    app: &TestApp,
    cast: &Cast,
    tickets: &[&Value],
    live: RawStream,
) -> Vec<(String, String)> {
    let token = &cast.integration.token;
    // The stream's last event, from a public ticket made after the rest.
    let marker = app.create_ticket(&cast.tier1.token, json!({})).await;
    // Its mail is not what these tests read.
    app.expect_owed_mail();
    let mut paths = vec![
        "/api/v1/tickets?limit=200".to_owned(),
        "/api/v1/tickets?q=simpeg".to_owned(),
        "/api/v1/tickets?breached=true".to_owned(),
        "/api/v1/tickets?sort=due".to_owned(),
        "/api/v1/dashboard/summary".to_owned(),
        "/api/v1/units".to_owned(),
        format!("/api/v1/units/{}", cast.dinkes),
        "/api/v1/services".to_owned(),
        "/api/v1/region".to_owned(),
        "/api/v1/auth/me".to_owned(),
        format!("/api/v1/users/{}", cast.integration.id),
        "/api/v1/users".to_owned(),
        format!("/api/v1/users/{}", cast.tier1.id),
        format!("/api/v1/users/{}/tokens", cast.integration.id),
        "/api/v1/notifications".to_owned(),
        format!("/api/v1/audit-log?entity=user&entity_id={}", cast.tier1.id),
        "/metrics".to_owned(),
    ];
    let today = Utc::now().date_naive();
    let period = format!(
        "from={}T00:00:00Z&to={}T00:00:00Z",
        today.pred_opt().expect("yesterday"),
        today.succ_opt().expect("tomorrow")
    );
    for group in ["unit", "service", "tier", "priority"] {
        for format in ["json", "csv"] {
            paths.push(format!(
                "/api/v1/reports/sla?{period}&group_by={group}&format={format}"
            ));
        }
    }
    for format in ["json", "csv"] {
        paths.push(format!(
            "/api/v1/reports/availability?{period}&format={format}"
        ));
    }
    for ticket in tickets {
        for what in ["id", "number"] {
            let key = ticket[what].as_str().expect("key");
            paths.push(format!("/api/v1/tickets/{key}"));
            paths.push(format!("/api/v1/tickets/{key}/events"));
            paths.push(format!("/api/v1/tickets/{key}/comments"));
        }
    }
    let mut answers = Vec::new();
    for path in paths {
        let (status, body) = read(app.send(Method::GET, &path, Some(token), None).await).await;
        assert!(
            status != StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {body}"
        );
        answers.push((path, format!("{status} {body}")));
    }
    let stream = "/api/v1/events/stream".to_owned();
    answers.push((stream.clone(), live.until(id(&marker)).await));
    let replayed = RawStream::open(app, token, Some("0")).await;
    answers.push((
        format!("{stream} from the start"),
        replayed.until(id(&marker)).await,
    ));
    answers
}

/// Fails if `text` is in any answer.
fn nowhere(answers: &[(String, String)], text: &str) {
    for (asked, answer) in answers {
        assert!(
            !answer.contains(text),
            "{text} reached an integration through {asked}: {answer}"
        );
    }
}

/// The addresses a ticket's mail went to, or was kept from, as staff see them.
fn mailed(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("notification_"))
        })
        .flat_map(|e| {
            let data = &e["data"];
            let listed = |field: &str| data[field].as_array().cloned().unwrap_or_default();
            listed("to")
                .into_iter()
                .chain(listed("cc"))
                .chain([data["address"].clone()])
        })
        .filter_map(|address| address.as_str().map(str::to_owned))
        .collect()
}
