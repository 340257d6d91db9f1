//! The live event stream: delivery, restricted tickets kept from integrations, resumption with
//! Last-Event-ID, and a revoked token cut off.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp};

/// Reads Server-Sent Events off a response.
pub(crate) struct Events {
    response: Response,
    buffer: String,
}

/// One event: `(id, type, data)`.
pub(crate) type Event = (String, String, Value);

impl Events {
    pub(crate) async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Self {
        let response = app.event_stream(token, last_event_id).await;
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
    pub(crate) async fn until(&mut self, last: impl Fn(&Event) -> bool) -> Vec<Event> {
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
    let (app, cast) = TestApp::spawn_cast(backend).await;
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
    // The same id in capitals names the same event: no flood of the whole history.
    let upper = first_id.to_uppercase();
    let mut shouted = Events::open(&app, &cast.integration.token, Some(&upper)).await;
    let again = shouted.until(created(&second)).await;
    assert!(again.iter().all(|(id, _, _)| *id > first_id), "{again:?}");

    // An empty Last-Event-ID (EventSource before its first event) resumes nothing: live only.
    let mut fresh = Events::open(&app, &cast.integration.token, Some("")).await;
    let third = app.create_ticket(&cast.tier1.token, json!({})).await;
    let live = fresh.until(created(&third)).await;
    assert!(
        !live
            .iter()
            .any(|event| created(&public)(event) || created(&second)(event)),
        "no history replayed: {live:?}"
    );
    // One that is no event id, or an id in another spelling, would resume in the wrong place;
    // it is refused, naming the header.
    for last in [
        "zzz".to_owned(),
        first_id.replace('-', ""),
        format!("{{{first_id}}}"),
    ] {
        let response = app
            .client
            .get(app.url("/api/v1/events/stream"))
            .bearer_auth(&cast.integration.token)
            .header("Last-Event-ID", &last)
            .send()
            .await
            .expect("sent");
        let (status, problem) = crate::support::read(response).await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("Last-Event-ID")),
            "{last}: {problem}"
        );
    }
}

async fn a_revoked_token_is_cut_off(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
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

/// The token is checked again every 10 s whatever the traffic: on a busy desk, where the
/// stream is never quiet, a revoked token and a deactivated account still stop receiving.
async fn a_busy_stream_is_cut_off_too(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let dashboard = Events::open(&app, &cast.integration.token, None).await;
    let staff = Events::open(&app, &cast.tier2.token, None).await;
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let creator = {
        let (base, token, busy) = (app.base.clone(), cast.tier1.token.clone(), busy.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut created = 0;
            while busy.load(std::sync::atomic::Ordering::Relaxed) && created < 60 {
                let response = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(&token)
                    .json(&crate::support::incident(json!({})))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(response.status(), StatusCode::CREATED);
                created += 1;
                tokio::time::sleep(Duration::from_millis(900)).await;
            }
        })
    };
    // Let a few events flow, so that the stream's quiet-time clock, if any, is reset.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, tokens) = app
        .get(
            &format!("/api/v1/users/{}/tokens", cast.integration.id),
            &app.admin_token,
        )
        .await;
    let token_id = tokens[0]["id"].as_str().expect("token id").to_owned();
    let revoked = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{token_id}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{}", cast.tier2.id),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let cut_off = std::time::Instant::now();
    let drain = |mut events: Events| async move {
        let mut after_cut = 0;
        // `next` gives up after 5 quiet seconds; with a ticket a second the stream is never
        // that quiet until it ends.
        while events.next(Duration::from_secs(5)).await.is_some() {
            after_cut += 1;
            if cut_off.elapsed() > Duration::from_secs(40) {
                break;
            }
        }
        (after_cut, cut_off.elapsed())
    };
    let ((dashboard_events, dashboard_end), (staff_events, staff_end)) =
        tokio::join!(drain(dashboard), drain(staff));
    busy.store(false, std::sync::atomic::Ordering::Relaxed);
    creator.await.expect("creator");
    for (who, events, ended) in [
        ("revoked token", dashboard_events, dashboard_end),
        ("deactivated account", staff_events, staff_end),
    ] {
        assert!(events > 0, "{who}: events kept flowing after the change");
        assert!(
            ended < Duration::from_secs(20),
            "{who}: the stream ended {ended:?} after the change, {events} events later"
        );
    }
}

/// A client sees it is connected before anything happens on the desk: the stream opens with a
/// reconnection delay and a comment line, well before the first 10 s heartbeat.
async fn the_stream_says_it_is_connected_at_once(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let mut events = Events::open(&app, &cast.integration.token, None).await;
    let started = std::time::Instant::now();
    while !events.buffer.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(3), events.response.chunk())
            .await
            .unwrap_or_else(|_| panic!("nothing within 3 s: {:?}", events.buffer))
            .expect("a chunk")
            .expect("the stream is open");
        events.buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    let first: Vec<&str> = events
        .buffer
        .lines()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(first, ["retry: 3000", ": connected"], "{:?}", events.buffer);
}

/// An event the hub panics on (a debug build's fault point, `[test-panic:event-hub]` in its
/// data) is skipped; the hub restarts, readiness naming it meanwhile, and streams what follows.
async fn an_event_the_hub_panics_on_is_skipped_and_the_stream_goes_on(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let mut listener = Events::open(&app, &cast.tier2.token, None).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    listener.until(created(&ticket)).await;

    app.act_saying(
        &cast.tier1.token,
        &ticket,
        "pend",
        "Menunggu vendor [test-panic:event-hub]",
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

/// The stream names who made each event for staff, as a ticket's trail does, and never for an
/// integration.
async fn staff_see_who_acted_in_the_stream_and_integrations_do_not(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let mut desk = Events::open(&app, &cast.tier2.token, None).await;
    let mut dashboard = Events::open(&app, &cast.integration.token, None).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act(&cast.tier1.token, &ticket, "acknowledge", json!({}))
        .await;
    let acknowledged =
        |(_, kind, data): &Event| kind == "acknowledged" && data["ticket_id"] == ticket["id"];
    let name = json!(format!("teknisi.dinkes@{}", crate::support::DOMAIN));
    let by_tier1 = |events: Vec<Event>| {
        let moves: Vec<Value> = events
            .into_iter()
            .filter(|(_, kind, _)| kind == "created" || kind == "acknowledged")
            .map(|(_, _, data)| data)
            .collect();
        assert_eq!(moves.len(), 2, "{moves:?}");
        moves
    };
    for data in by_tier1(desk.until(acknowledged).await) {
        assert_eq!(data["actor_name"], name, "to staff: {data}");
    }
    for data in by_tier1(dashboard.until(acknowledged).await) {
        assert_eq!(data["actor_id"], cast.tier1.id, "{data}");
        assert_eq!(data["actor_name"], Value::Null, "to an integration: {data}");
    }
}

on_both_databases!(
    staff_see_who_acted_in_the_stream_and_integrations_do_not,
    the_stream_delivers_what_the_caller_may_see_and_resumes,
    a_revoked_token_is_cut_off,
    a_busy_stream_is_cut_off_too,
    the_stream_says_it_is_connected_at_once,
    an_event_the_hub_panics_on_is_skipped_and_the_stream_goes_on,
);
