//! The live event stream: delivery, restricted tickets kept from integrations, resumption with
//! Last-Event-ID, and a revoked token cut off.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp};

/// Reads Server-Sent Events off a response.
struct Events {
    response: Response,
    buffer: String,
}

/// One event: `(id, type, data)`.
type Event = (String, String, Value);

impl Events {
    async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Self {
        let mut request = app
            .client
            .get(app.url("/api/v1/events/stream"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("stream");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event within `wait`; `None` when the stream ends or nothing comes.
    async fn next(&mut self, wait: Duration) -> Option<Event> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .map(str::to_owned)
                };
                if let (Some(id), Some(kind), Some(data)) =
                    (field("id"), field("event"), field("data"))
                {
                    return Some((id, kind, serde_json::from_str(&data).expect("JSON data")));
                }
                continue;
            }
            let chunk = tokio::time::timeout(wait, self.response.chunk())
                .await
                .ok()?;
            let bytes = chunk.ok().flatten()?;
            self.buffer.push_str(&String::from_utf8_lossy(&bytes));
        }
    }

    /// Events until one for which `last` holds (inclusive).
    async fn until(&mut self, last: impl Fn(&Event) -> bool) -> Vec<Event> {
        let mut seen = Vec::new();
        while let Some(event) = self.next(Duration::from_secs(5)).await {
            let done = last(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
        panic!("the stream ended or went quiet after {seen:?}");
    }
}

fn created(ticket: &Value) -> impl Fn(&Event) -> bool + '_ {
    move |(_, kind, data): &Event| kind == "created" && data["ticket_id"] == ticket["id"]
}

async fn the_stream_delivers_what_the_caller_may_see_and_resumes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
    let mut dashboard = Events::open(&app, &cast.integration.token, None).await;
    let mut other_pd = Events::open(&app, &cast.tier1_other_pd.token, None).await;

    let public = app.create_ticket(&cast.tier1.token, json!({})).await;
    let first = dashboard.until(created(&public)).await;
    let (first_id, _, data) = first.last().cloned().expect("created");
    assert_eq!(data["ticket_number"], public["number"]);
    assert_eq!(data["actor_id"], cast.tier1.id);

    let restricted = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"security_incident": true}),
        )
        .await;
    let second = app.create_ticket(&cast.tier1.token, json!({})).await;
    let seen = dashboard.until(created(&second)).await;
    assert!(
        seen.iter()
            .all(|(_, _, d)| d["ticket_id"] != restricted["id"]),
        "a restricted ticket never reaches an integration: {seen:?}"
    );
    let theirs = other_pd.until(created(&restricted)).await;
    assert!(
        theirs
            .iter()
            .all(|(_, _, d)| d["ticket_id"] != public["id"]),
        "Tier 1 sees its own PD only"
    );

    // A dashboard that reconnects after the first event misses nothing and repeats nothing.
    let mut resumed = Events::open(&app, &cast.integration.token, Some(&first_id)).await;
    let replayed = resumed.until(created(&second)).await;
    assert!(
        replayed.iter().all(|(id, _, _)| *id > first_id),
        "{replayed:?}"
    );
    assert!(
        replayed
            .iter()
            .all(|(_, _, d)| d["ticket_id"] != restricted["id"])
    );
}

async fn a_revoked_token_is_cut_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
    let mut dashboard = Events::open(&app, &cast.integration.token, None).await;
    let (_, tokens) = app
        .get(
            &format!("/api/v1/users/{}/tokens", cast.integration.id),
            &app.admin_token,
        )
        .await;
    let token_id = tokens
        .as_array()
        .or_else(|| tokens["items"].as_array())
        .and_then(|t| t.first())
        .and_then(|t| t["id"].as_str())
        .unwrap_or_else(|| panic!("a token: {tokens}"))
        .to_owned();
    let (status, _) = crate::support::read(
        app.send(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{token_id}"),
            Some(&app.admin_token),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.create_ticket(&cast.tier1.token, json!({})).await;
    let started = std::time::Instant::now();
    while dashboard.next(Duration::from_secs(15)).await.is_some() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "still streaming"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "cut off at the next heartbeat"
    );
}

/// An event the hub panics on (a debug build's fault point, `[test-panic:event-hub]` in its
/// data) is skipped; the hub restarts, readiness naming it meanwhile, and streams what follows.
async fn an_event_the_hub_panics_on_is_skipped_and_the_stream_goes_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
    let mut listener = Events::open(&app, &cast.tier2.token, None).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    listener.until(created(&ticket)).await;

    app.act(
        &cast.tier1.token,
        &ticket,
        "pend",
        json!({"reason": "Menunggu vendor [test-panic:event-hub]"}),
    )
    .await;
    app.wait_for_restart("event-hub").await;
    app.act(&cast.tier1.token, &ticket, "resume", json!({}))
        .await;
    let seen = listener
        .until(|(_, kind, data): &Event| kind == "resumed" && data["ticket_id"] == ticket["id"])
        .await;
    assert!(
        seen.iter().all(|(_, kind, _)| kind != "pended"),
        "the event in hand is skipped: {seen:?}"
    );
}

on_both_databases!(
    the_stream_delivers_what_the_caller_may_see_and_resumes,
    a_revoked_token_is_cut_off,
    an_event_the_hub_panics_on_is_skipped_and_the_stream_goes_on,
);
