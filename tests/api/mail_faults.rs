//! Mail through a faulty relay: one that accepts the connection and never speaks, one that
//! greets and then falls silent, one that drops the connection in the middle of DATA, one that
//! puts mail off (451) before it takes it, and one that hangs on a single recipient. Each
//! attempt ends within the SMTP deadline as a transient failure the admin can read, the mail
//! is tried again with backoff, and once the relay behaves every mail arrives exactly once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::smtp::{Mode, SmtpSink};
use crate::support::{Backend, Cast, DOMAIN, TestApp, desk_with_running_sink};

/// A desk whose mail goes to a sink on loopback, each SMTP conversation cut off after
/// `timeout_secs`.
async fn desk_with_relay(
    backend: Backend,
    timeout_secs: u64,
) -> (TestApp, Cast, SmtpSink, Arc<ManualClock>) {
    desk_with_running_sink(
        backend,
        &[("SERVICEDESK_SMTP_TIMEOUT", timeout_secs.to_string())],
    )
    .await
}

/// The outbox as the admin sees it.
async fn outbox(app: &TestApp) -> Vec<Value> {
    let (_, page) = app
        .get("/api/v1/notifications?limit=100", &app.admin_token)
        .await;
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until `check` holds for the outbox, moving the server's clock on by `step` between
/// looks so that retries come due; gives up after fifteen seconds.
async fn until(
    app: &TestApp,
    clock: &ManualClock,
    step: chrono::Duration,
    what: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let mut items = Vec::new();
    for _ in 0..75 {
        items = outbox(app).await;
        if check(&items) {
            return items;
        }
        clock.advance(step);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: {items:#?}");
}

fn attempts(mail: &Value) -> i64 {
    mail["attempts"].as_i64().unwrap_or_default()
}

fn error_of(mail: &Value) -> &str {
    mail["last_error"].as_str().unwrap_or_default()
}

/// The relay misbehaves as `mode` from the first mail on: each attempt fails with an error
/// naming `step`, the mail stays pending through several attempts, and once the relay works
/// again it is sent once.
async fn a_misbehaving_relay_delays_mail_until_it_recovers(
    backend: Backend,
    mode: Mode,
    step: &str,
) {
    let (app, cast, sink, clock) = desk_with_relay(backend, 1).await;
    sink.set_mode(mode);
    app.create_ticket(&cast.tier1.token, json!({})).await;
    let first = until(
        &app,
        &clock,
        chrono::Duration::zero(),
        "the first attempt ends with an error",
        |items| items.len() == 1 && !error_of(&items[0]).is_empty(),
    )
    .await;
    let mail = &first[0];
    assert_eq!(mail["status"], "pending", "{mail}");
    assert_eq!(attempts(mail), 1, "{mail}");
    assert!(error_of(mail).contains(step), "{mail}");

    let later = until(
        &app,
        &clock,
        chrono::Duration::seconds(15),
        "retried with backoff",
        |items| attempts(&items[0]) >= 3,
    )
    .await;
    assert_eq!(later[0]["status"], "pending", "not given up: {}", later[0]);
    assert!(error_of(&later[0]).contains(step), "{}", later[0]);
    assert!(sink.received().is_empty());

    sink.set_mode(Mode::Accept);
    let sent = until(
        &app,
        &clock,
        chrono::Duration::seconds(15),
        "sent once the relay works again",
        |items| items[0]["status"] == "sent",
    )
    .await;
    assert!(sent[0]["last_error"].is_null(), "{}", sent[0]);
    assert_eq!(sink.wait_for(1).await.len(), 1, "sent exactly once");
}

async fn a_relay_that_never_greets_times_out_and_is_tried_again(backend: Backend) {
    a_misbehaving_relay_delays_mail_until_it_recovers(
        backend,
        Mode::Silent,
        "timed out after 1 s at the greeting",
    )
    .await;
}

async fn a_relay_silent_after_its_greeting_times_out_and_is_tried_again(backend: Backend) {
    a_misbehaving_relay_delays_mail_until_it_recovers(
        backend,
        Mode::SilentAfterGreeting,
        "timed out after 1 s at EHLO",
    )
    .await;
}

async fn a_connection_dropped_in_the_middle_of_data_is_tried_again(backend: Backend) {
    a_misbehaving_relay_delays_mail_until_it_recovers(
        backend,
        Mode::DropInData,
        "sending the message",
    )
    .await;
}

async fn a_relay_that_puts_mail_off_gets_it_when_it_takes_mail_again(backend: Backend) {
    let (app, cast, sink, clock) = desk_with_relay(backend, 2).await;
    sink.defer_next(2);
    app.create_ticket(&cast.tier1.token, json!({})).await;
    let first = until(
        &app,
        &clock,
        chrono::Duration::zero(),
        "the first attempt is put off",
        |items| items.len() == 1 && !error_of(&items[0]).is_empty(),
    )
    .await;
    assert_eq!(first[0]["status"], "pending", "{}", first[0]);
    assert!(error_of(&first[0]).contains("451"), "{}", first[0]);
    let sent = until(
        &app,
        &clock,
        chrono::Duration::seconds(15),
        "sent at the third attempt",
        |items| items[0]["status"] == "sent",
    )
    .await;
    assert_eq!(attempts(&sent[0]), 3, "two put off, the third taken");
    assert_eq!(sink.wait_for(1).await.len(), 1, "sent exactly once");
}

async fn one_stalled_conversation_holds_up_no_other_mail(backend: Backend) {
    // A deadline far longer than the test waits: the stalled send stays in flight throughout.
    let (app, cast, sink, clock) = desk_with_relay(backend, 60).await;
    let stalled_mailbox = format!("disdik@{DOMAIN}");
    sink.stall_on(&stalled_mailbox);
    app.create_ticket(&cast.tier1_other_pd.token, json!({}))
        .await;
    for _ in 0..3 {
        app.create_ticket(&cast.tier1.token, json!({})).await;
    }
    let is_stalled = |mail: &Value| {
        mail["to"]
            .as_array()
            .is_some_and(|to| to.iter().any(|a| *a == stalled_mailbox.as_str()))
    };
    let items = until(
        &app,
        &clock,
        chrono::Duration::zero(),
        "the other mails are sent and recorded while one conversation hangs",
        |items| items.iter().filter(|m| m["status"] == "sent").count() == 3,
    )
    .await;
    let stalled: Vec<&Value> = items.iter().filter(|m| is_stalled(m)).collect();
    assert_eq!(stalled.len(), 1, "{items:#?}");
    assert_eq!(stalled[0]["status"], "pending", "{}", stalled[0]);
    assert_eq!(attempts(stalled[0]), 1, "still its first attempt");
    assert_eq!(sink.received().len(), 3);

    sink.release();
    until(
        &app,
        &clock,
        chrono::Duration::seconds(15),
        "the stalled mail is sent once the relay answers",
        |items| items.len() == 4 && items.iter().all(|m| m["status"] == "sent"),
    )
    .await;
    let mails = sink.wait_for(4).await;
    assert_eq!(mails.len(), 4, "every mail exactly once");
    let ids: HashSet<_> = mails
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    assert_eq!(ids.len(), 4);
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to.contains(&stalled_mailbox))
            .count(),
        1
    );
}

on_both_databases!(
    a_relay_that_never_greets_times_out_and_is_tried_again,
    a_relay_silent_after_its_greeting_times_out_and_is_tried_again,
    a_connection_dropped_in_the_middle_of_data_is_tried_again,
    a_relay_that_puts_mail_off_gets_it_when_it_takes_mail_again,
    one_stalled_conversation_holds_up_no_other_mail,
);
