//! Notifications: who gets which mail, the official-domain rule, threading, retries while the
//! mail server is down, the dead letter and its retry, mail owed before a crash, and the
//! `.eml` files of the embedded default. A real SMTP conversation on loopback throughout.

use std::sync::Arc;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::app::{self, Application, Jobs};
use servicedesk::clock::ManualClock;
use servicedesk::service::notify::MailQueue;
use servicedesk::service::tickets::SlaEngineWork;

use crate::on_both_databases;
use crate::support::smtp::{Mode, Received, SmtpSink};
use crate::support::{
    Backend, Cast, DOMAIN, PRESET, Storage, TestApp, desk_with_running_sink, desk_with_sink,
};

fn at(domain_local: &str) -> String {
    format!("{domain_local}@{DOMAIN}")
}

fn subject_starts(mail: &Received, prefix: &str) -> bool {
    mail.header("Subject")
        .is_some_and(|s| s.starts_with(prefix))
}

/// Every mail after the first answers it, and each has a Message-ID of its own.
fn in_one_thread(all: &[Received], thread: &str) {
    for mail in all
        .iter()
        .filter(|m| m.header("Message-ID").as_deref() != Some(thread))
    {
        assert_eq!(mail.header("In-Reply-To").as_deref(), Some(thread));
        assert_eq!(mail.header("References").as_deref(), Some(thread));
    }
    let ids: std::collections::HashSet<_> =
        all.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids.len(), 4, "one Message-ID per mail");
}

/// The citizen's unofficial address is skipped on the trail, and each of the four mails sent.
async fn each_mail_is_on_the_trail(app: &TestApp, cast: &Cast, ticket: &Value) {
    let trail = app.ticket_events(&cast.auditor.token, ticket).await;
    let skipped: Vec<&Value> = trail
        .iter()
        .filter(|e| e["type"] == "notification_skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{trail:?}");
    assert_eq!(skipped[0]["data"]["address"], "warga@gmail.com");
    assert_eq!(skipped[0]["data"]["reason"], "not_official_domain");
    let sent = app
        .event_count(&cast.auditor.token, ticket, "notification_sent")
        .await;
    assert_eq!(sent, 4, "every mail sent is on the ticket's trail");
}

async fn each_event_mails_its_people_in_one_thread(backend: Backend) {
    let (app, cast, sink, _) = desk_with_sink(backend, &[]).await;
    let ticket = app
        .create_ticket(
            &cast.tier1.token,
            json!({"reporter": {"name": "Warga", "email": "warga@gmail.com"}}),
        )
        .await;
    let number = ticket["number"].as_str().expect("number").to_owned();
    let created = sink.after_dispatch(&app).await;
    assert_eq!(created.len(), 1);
    let first = &created[0];
    assert_eq!(
        first.from,
        at("servicedesk"),
        "sent from the official domain"
    );
    assert_eq!(
        first.to,
        [at("dinkes"), at("rekan.dinkes"), at("teknisi.dinkes")],
        "the PD mailbox and its Tier 1"
    );
    assert!(subject_starts(first, &format!("[{number}] Tiket baru: ")));
    assert!(first.data.contains("WITA"), "SLA due times in local time");
    let thread = first.header("Message-ID").expect("Message-ID");

    app.act(
        &cast.tier1.token,
        &ticket,
        "assign",
        json!({"assignee_id": cast.tier1.id}),
    )
    .await;
    app.act_saying(&cast.tier1.token, &ticket, "escalate", "Butuh akses server")
        .await;
    let escalated = sink.after_dispatch(&app).await;
    let mail = &escalated[1];
    assert_eq!(mail.to, [at("diskominfo"), at("tier2"), at("dinkes")]);
    assert_eq!(mail.header("Cc").as_deref(), Some(at("dinkes").as_str()));
    assert!(subject_starts(mail, &format!("[{number}] Dieskalasi ke ")));

    app.act_saying(&cast.tier2.token, &ticket, "return", "Mulai ulang layanan")
        .await;
    app.act_saying(&cast.tier1.token, &ticket, "resolve", "Sudah pulih")
        .await;
    let all = sink.after_dispatch(&app).await;
    assert_eq!(all.len(), 4, "created, escalated, returned, resolved");
    // Mails queued together go out side by side: find them by subject.
    let about = |what: &str| {
        all.iter()
            .find(|m| subject_starts(m, &format!("[{number}] {what}")))
            .unwrap_or_else(|| panic!("a mail about {what}: {all:?}"))
    };
    assert_eq!(
        about("Dikembalikan ke ").to,
        [at("dinkes"), at("teknisi.dinkes")],
        "PD and assignee"
    );
    assert_eq!(
        about("Tiket diselesaikan").to,
        [at("dinkes")],
        "the citizen's address is not official"
    );
    in_one_thread(&all, &thread);

    each_mail_is_on_the_trail(&app, &cast, &ticket).await;
}

async fn a_breach_at_tier2_reaches_the_supervisors(backend: Backend) {
    let (app, cast, sink, clock) = desk_with_sink(backend, &[]).await;
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 600, "tier1_seconds": 1200, "resolution_seconds": 1800}),
    )
    .await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act(&cast.tier1.token, &ticket, "acknowledge", json!({}))
        .await;
    app.act_saying(&cast.tier2.token, &ticket, "escalate", "Diambil alih")
        .await;
    assert_eq!(sink.after_dispatch(&app).await.len(), 2);
    clock.advance(chrono::Duration::seconds(1800));
    app.run_due_sla().await;
    let mails = sink.after_dispatch(&app).await;
    let breach = mails
        .iter()
        .find(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("SLA penyelesaian terlampaui"))
        })
        .unwrap_or_else(|| panic!("a resolution breach mail: {mails:?}"));
    assert_eq!(breach.to, [at("diskominfo"), at("supervisor")]);
    let warning = mails
        .iter()
        .find(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("Peringatan SLA penyelesaian"))
        })
        .expect("a resolution warning mail");
    assert_eq!(
        warning.to,
        [at("diskominfo")],
        "no assignee: the tier's mailbox"
    );
}

async fn a_down_mail_server_delays_mail_but_loses_none(backend: Backend) {
    let (app, cast, sink, clock) = desk_with_sink(backend, &[]).await;
    sink.set_mode(Mode::Down);
    app.create_ticket(&cast.tier1.token, json!({})).await;
    assert_eq!(app.dispatch_mail().await.failed, 1);
    let (_, page) = app
        .get("/api/v1/notifications?status=pending", &app.admin_token)
        .await;
    let pending = page["items"][0].clone();
    assert!(pending["attempts"].as_i64() >= Some(1), "{pending}");
    assert!(pending["last_error"].is_string(), "{pending}");
    assert!(sink.received().is_empty());
    // Minutes of outage: attempts back off and keep failing.
    for _ in 0..4 {
        clock.advance(chrono::Duration::seconds(60));
        app.dispatch_mail().await;
    }
    assert!(sink.received().is_empty());
    sink.set_mode(Mode::Accept);
    clock.advance(chrono::Duration::minutes(3));
    let mails = sink.after_dispatch(&app).await;
    assert_eq!(
        mails.len(),
        1,
        "sent once the server is back, and only once"
    );
    let (_, sent) = app
        .get("/api/v1/notifications?status=sent", &app.admin_token)
        .await;
    assert_eq!(sent["items"][0]["id"], pending["id"]);
    assert!(sent["items"][0]["attempts"].as_i64() > Some(1));
}

async fn a_refused_mail_is_a_dead_letter_until_retried(backend: Backend) {
    let (app, cast, sink, _) = desk_with_sink(backend, &[]).await;
    sink.set_mode(Mode::Refuse);
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.dispatch_mail().await;
    let (_, page) = app
        .get("/api/v1/notifications?status=failed", &app.admin_token)
        .await;
    let failed = page["items"][0].clone();
    assert_eq!(failed["status"], "failed", "a 5xx is not retried: {failed}");
    assert!(
        failed["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("550")),
        "{failed}"
    );
    let trail = app.ticket_events(&cast.auditor.token, &ticket).await;
    assert!(trail.iter().any(|e| e["type"] == "notification_failed"));
    let retry = format!(
        "/api/v1/notifications/{}/retry",
        failed["id"].as_str().expect("id")
    );
    assert_eq!(
        app.post(&retry, &cast.supervisor.token, json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    sink.set_mode(Mode::Accept);
    let (status, requeued) = app.post(&retry, &app.admin_token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{requeued}");
    assert_eq!(requeued["status"], "pending");
    assert_eq!(sink.after_dispatch(&app).await.len(), 1);
    let (status, problem) = app.post(&retry, &app.admin_token, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
}

async fn mail_owed_before_a_crash_goes_out_after_restart(backend: Backend) {
    let storage = Storage::new(backend);
    let sink = SmtpSink::start().await;
    let until = Utc::now();
    let clock = Arc::new(ManualClock::new(until - chrono::Duration::days(90)));
    let config = storage.config_on_test_clock_with(&[("SERVICEDESK_SMTP_URL", sink.url())]);
    // A process that committed tickets and their mail, then died before sending any: the
    // demo seeder never starts a dispatcher. Its past mails nobody; the alerts of its tickets
    // due soon, recorded by hand twenty minutes on, do.
    let seeder = app::prepare(&config, clock.clone()).expect("desk");
    let seeder_clock = clock.clone();
    let seeded = tokio::task::spawn_blocking(move || {
        let summary = seeder
            .seed_demo(&seeder_clock, until, "demo-servicedesk", 6, true)
            .and_then(|_| {
                seeder_clock.advance(chrono::Duration::minutes(20));
                SlaEngineWork::of(&seeder).handle_due(200, &mut None)
            });
        // And one dispatcher that claimed a mail and died in the middle of sending it.
        let claimed = MailQueue::new(seeder.clone()).claim("a-dispatcher-that-died", 1);
        (summary, claimed)
    })
    .await
    .expect("join");
    assert!(seeded.0.is_ok());
    let in_flight = seeded.1.expect("claim").pop().expect("a mail in flight");

    let server = Application::build_with(&config, clock.clone(), Jobs::Driven).expect("server");
    let dispatcher = server.driver().expect("driven jobs");
    tokio::spawn(server.run_until_stopped());
    dispatcher.dispatch_mail().await;
    let first = sink.received();
    assert!(!first.is_empty());
    let message_id = |m: &Received| m.header("Message-ID").unwrap_or_default();
    assert!(
        first
            .iter()
            .all(|m| message_id(m) != format!("<{}>", in_flight.message_id)),
        "a leased mail waits for its lease"
    );
    clock.advance(chrono::Duration::minutes(3));
    dispatcher.dispatch_mail().await;
    let all = sink.received();
    assert_eq!(all.len(), first.len() + 1);
    assert!(
        all.iter()
            .any(|m| message_id(m) == format!("<{}>", in_flight.message_id))
    );
    let ids: std::collections::HashSet<_> = all.iter().map(message_id).collect();
    assert_eq!(ids.len(), all.len(), "each mail once");
    assert_eq!(storage.pg.is_some(), backend == Backend::Postgres);
}

async fn without_smtp_mail_is_written_as_eml_files(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.dispatch_mail().await;
    let files: Vec<_> = std::fs::read_dir(app.storage.dir.path().join("outbox"))
        .expect("outbox")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("eml");
    assert!(text.contains(&format!("To: {}", at("dinkes"))), "{text}");
    assert!(text.contains(ticket["number"].as_str().expect("number")));
    assert!(text.contains(&format!("From: {}", at("servicedesk"))));
}

async fn a_sender_outside_the_official_domains_stops_startup(backend: Backend) {
    let storage = Storage::new(backend);
    let mut config = storage.config(Some(PRESET));
    app::prepare(&config, Arc::new(servicedesk::clock::SystemClock)).expect("seeded");
    config.mail_from = Some("helpdesk@gmail.com".into());
    let error = Application::build(&config, Arc::new(servicedesk::clock::SystemClock))
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("SERVICEDESK_MAIL_FROM"),
        "{error}"
    );
}

async fn two_dispatchers_send_each_mail_once(backend: Backend) {
    let (app, cast, sink, clock) = desk_with_running_sink(backend, &[]).await;
    let second = Application::build(
        &app.storage
            .config_on_test_clock_with(&[("SERVICEDESK_SMTP_URL", sink.url())]),
        clock,
    )
    .expect("second server");
    tokio::spawn(second.run_until_stopped());
    let mut numbers = Vec::new();
    for _ in 0..15 {
        let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
        numbers.push(ticket["number"].as_str().expect("number").to_owned());
    }
    let mails = sink.wait_for(15).await;
    assert_eq!(
        mails.len(),
        15,
        "one mail per ticket, not one per dispatcher"
    );
    for number in &numbers {
        assert_eq!(
            mails
                .iter()
                .filter(|m| subject_starts(m, &format!("[{number}]")))
                .count(),
            1
        );
    }
}

on_both_databases!(
    two_dispatchers_send_each_mail_once,
    each_event_mails_its_people_in_one_thread,
    a_breach_at_tier2_reaches_the_supervisors,
    a_down_mail_server_delays_mail_but_loses_none,
    a_refused_mail_is_a_dead_letter_until_retried,
    mail_owed_before_a_crash_goes_out_after_restart,
    without_smtp_mail_is_written_as_eml_files,
    a_sender_outside_the_official_domains_stops_startup,
);
