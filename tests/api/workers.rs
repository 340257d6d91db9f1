//! Background workers survive a panic: the ticket writer, the SLA engine and the mail
//! dispatcher (the event hub's story is in `stream.rs`). The job in hand fails alone, readiness
//! names the worker while it restarts, and the work after it goes on. The panics come from
//! input that used to panic (an absurd target stored before targets were bounded) and from the
//! debug builds' fault points (`[test-panic:<worker>]` in a ticket's text).

use std::sync::Arc;

use chrono::Utc;
use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, desk_with_running_sink, incident};

fn title(marker: &str) -> Value {
    json!({"title": format!("Printer macet {marker}")})
}

async fn an_absurd_target_stored_before_targets_were_bounded_stops_nothing(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock.clone()).await;
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 60, "tier1_seconds": 120, "resolution_seconds": 600}),
    )
    .await;
    let url = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    diesel::sql_query(
        "UPDATE sla_targets SET response_seconds = 100000000000000000, \
         tier1_seconds = 100000000000000000, resolution_seconds = 100000000000000000",
    )
    .execute(&mut conn)
    .expect("store an absurd target, as the API once accepted");

    let (status, ticket) = app
        .post("/api/v1/tickets", &cast.tier1.token, incident(json!({})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    assert_eq!(
        ticket["sla"]["resolution"]["due_at"],
        json!(null),
        "no due instant within reach"
    );
    clock.advance(chrono::Duration::minutes(30));
    let (status, again) = app
        .post("/api/v1/tickets", &cast.tier1.token, incident(json!({})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let (status, read) = app
        .get(
            &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
            &cast.tier1.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(app.readiness().await.0, StatusCode::OK);
}

async fn a_ticket_the_writer_panics_on_fails_alone_and_creation_goes_on(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let before = app.ticket_count().await;
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            &cast.tier1.token,
            incident(title("[test-panic:ticket-writer]")),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::INTERNAL_SERVER_ERROR, &json!("internal_error")),
        "{problem}"
    );
    // Sent while the writer restarts: it waits for it rather than failing.
    let waiting = app.post("/api/v1/tickets", &cast.tier1.token, incident(json!({})));
    let ((), (status, ticket)) = tokio::join!(app.wait_for_restart("ticket-writer"), waiting);
    assert_eq!(status, StatusCode::CREATED, "{ticket}");

    // A poisoned ticket among others, which may share its batch: only it fails.
    let mut creates = Vec::new();
    for i in 0..6 {
        let fields = if i == 3 {
            title("[test-panic:ticket-writer]")
        } else {
            json!({})
        };
        let app = &app;
        let token = cast.tier1.token.clone();
        creates.push(async move { app.post("/api/v1/tickets", &token, incident(fields)).await });
    }
    let (answers, ()) = tokio::join!(
        futures::future::join_all(creates),
        app.wait_for_restart("ticket-writer")
    );
    let answers: Vec<StatusCode> = answers.into_iter().map(|(status, _)| status).collect();
    assert_eq!(
        answers,
        [201, 201, 201, 500, 201, 201].map(|s| StatusCode::from_u16(s).expect("status"))
    );
    assert_eq!(
        app.ticket_count().await,
        before + 6,
        "the poisoned ones are not written"
    );
}

async fn a_ticket_the_sla_engine_panics_on_is_put_off_and_the_others_are_handled(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock.clone()).await;
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 60, "tier1_seconds": 120, "resolution_seconds": 600,
               "warn_at_percent": 50}),
    )
    .await;
    let poisoned = app
        .create_ticket(&cast.tier1.token, title("[test-panic:sla-engine]"))
        .await;
    let healthy = app.create_ticket(&cast.tier1.token, json!({})).await;
    clock.advance(chrono::Duration::seconds(30));
    app.wait_for_restart("sla-engine").await;
    let warned = |events: &Value| {
        events.as_array().is_some_and(|events| {
            events
                .iter()
                .any(|e| e["type"] == "sla_warning" && e["data"]["clock"] == "response")
        })
    };
    let events_of = |ticket: &Value| {
        format!(
            "/api/v1/tickets/{}/events",
            ticket["id"].as_str().expect("id")
        )
    };
    let mut healthy_events = Value::Null;
    for _ in 0..500 {
        healthy_events = app
            .get(&events_of(&healthy), &cast.supervisor.token)
            .await
            .1;
        if warned(&healthy_events) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(warned(&healthy_events), "{healthy_events}");
    let (_, poisoned_events) = app.get(&events_of(&poisoned), &cast.supervisor.token).await;
    assert!(!warned(&poisoned_events), "put off: {poisoned_events}");
    assert_eq!(app.readiness().await.0, StatusCode::OK, "no panic loop");
}

async fn mail_the_dispatcher_panics_on_is_retried_later_and_other_mail_goes_out(backend: Backend) {
    let (app, cast, sink, _clock) = desk_with_running_sink(backend, &[]).await;
    app.create_ticket(&cast.tier1.token, title("[test-panic:mail-dispatcher]"))
        .await;
    app.wait_for_restart("mail-dispatcher").await;
    let (status, page) = app
        .get("/api/v1/notifications?status=pending", &app.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let poisoned = page["items"]
        .as_array()
        .and_then(|mails| mails.first())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&poisoned["attempts"], &poisoned["last_error"]),
        (
            &json!(1),
            &json!("the mail dispatcher stopped while it sent this mail")
        ),
        "{page}"
    );

    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let number = ticket["number"].as_str().expect("number");
    let received = sink.wait_for(1).await;
    assert!(
        received
            .iter()
            .any(|mail| mail.header("Subject").is_some_and(|s| s.contains(number))),
        "the next ticket's mail goes out"
    );
}

on_both_databases!(
    an_absurd_target_stored_before_targets_were_bounded_stops_nothing,
    a_ticket_the_writer_panics_on_fails_alone_and_creation_goes_on,
    a_ticket_the_sla_engine_panics_on_is_put_off_and_the_others_are_handled,
    mail_the_dispatcher_panics_on_is_retried_later_and_other_mail_goes_out,
);
