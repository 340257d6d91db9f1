//! The SLA clocks and the engine, on a clock the test moves: warnings, breaches and automatic
//! escalation at their instant, pauses, reopen, priority changes, calendar edits, and two
//! engines on one database.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::{Clock, ManualClock};

use crate::support::monday_morning;
use crate::support::{Backend, Cast, TestApp};

mod clocks;
mod closing;
mod engine;

fn at(seconds: i64) -> String {
    (monday_morning() + chrono::Duration::seconds(seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Makes the region default a policy on `calendar` with `critical` targets as given (the
/// other priorities get long ones).
async fn default_policy(app: &TestApp, cast: &Cast, calendar: Value, critical: Value) {
    let (status, calendar) = app
        .post("/api/v1/calendars", &cast.supervisor.token, calendar)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{calendar}");
    let long = |priority: &str| {
        json!({"priority": priority, "response_seconds": 86400, "tier1_seconds": 86400,
               "resolution_seconds": 864000})
    };
    let (status, policy) = app
        .post(
            "/api/v1/sla-policies",
            &cast.supervisor.token,
            json!({"name": "Uji", "calendar_id": calendar["id"], "default": true,
                   "targets": [critical, long("high"), long("medium"), long("low")]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{policy}");
}

fn always_open() -> Value {
    json!({"name": "24x7", "timezone": "Asia/Jakarta", "always_open": true})
}

/// Response 10 s, tier 1 window 20 s, resolution 60 s, warnings at half.
fn seconds_targets() -> Value {
    json!({"priority": "critical", "response_seconds": 10, "tier1_seconds": 20,
           "resolution_seconds": 60, "warn_at_percent": 50})
}

struct Scene {
    app: TestApp,
    cast: Cast,
    clock: Arc<ManualClock>,
}

/// A desk on the test clock at the start whose engine works when the test says.
async fn scene(backend: Backend, calendar: Value, critical: Value) -> Scene {
    scene_from(backend, monday_morning(), calendar, critical).await
}

/// The same with the clock standing at `from` (tokens are issued on the test clock, so it
/// starts where the test needs it).
async fn scene_from(
    backend: Backend,
    from: DateTime<Utc>,
    calendar: Value,
    critical: Value,
) -> Scene {
    let clock = Arc::new(ManualClock::new(from));
    let (app, cast) = TestApp::spawn_driven(backend, Some(clock.clone()), &[]).await;
    // The mail these tickets queue is for the mail tests to check.
    app.expect_owed_mail();
    default_policy(&app, &cast, calendar, critical).await;
    Scene { app, cast, clock }
}

impl Scene {
    /// Sets the clock to `seconds` after the start.
    fn set(&self, seconds: i64) {
        let target = monday_morning() + chrono::Duration::seconds(seconds);
        let by = target - self.clock.now();
        self.clock.advance(by);
    }

    async fn critical_ticket(&self) -> Value {
        self.app
            .create_ticket(
                &self.cast.tier1.token,
                json!({"impact": "high", "urgency": "high"}),
            )
            .await
    }

    async fn ticket(&self, ticket: &Value) -> Value {
        let (status, ticket) = self
            .app
            .get(
                &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
                &self.cast.supervisor.token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        ticket
    }

    /// The ticket's SLA events and escalations as `(type, clock, at)`.
    async fn sla_events(&self, ticket: &Value) -> Vec<(String, String, String)> {
        self.app
            .ticket_events(&self.cast.supervisor.token, ticket)
            .await
            .iter()
            .filter(|e| {
                e["type"].as_str().is_some_and(|t| t.starts_with("sla_"))
                    || e["type"] == "escalated"
            })
            .map(|e| {
                (
                    e["type"].as_str().unwrap_or_default().to_owned(),
                    e["data"]["clock"].as_str().unwrap_or_default().to_owned(),
                    e["at"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Runs the engine on what is due now, and returns the ticket's SLA events and
    /// escalations.
    async fn events_due(&self, ticket: &Value) -> Vec<(String, String, String)> {
        self.app.run_due_sla().await;
        self.sla_events(ticket).await
    }

    /// Moves the ticket by one action as its Tier 1.
    async fn act(&self, ticket: &Value, action: &str, body: Value) -> Value {
        self.app
            .act(&self.cast.tier1.token, ticket, action, body)
            .await
    }
}

fn event(kind: &str, clock: &str, seconds: i64) -> (String, String, String) {
    (kind.to_owned(), clock.to_owned(), at(seconds))
}
