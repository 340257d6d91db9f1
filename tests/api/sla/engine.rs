//! The engine at work: alerts and escalation at their instant, pauses, and two engines on one
//! database.

use serde_json::{Value, json};
use servicedesk::app::{Application, Jobs};

use super::{always_open, at, event, scene, seconds_targets};

/// The tier 1 window breached, and the escalation that follows, at `seconds`.
fn breached_and_escalated(seconds: i64) -> [(String, String, String); 2] {
    [
        event("sla_breached", "tier1", seconds),
        event("escalated", "", seconds),
    ]
}
use crate::on_both_databases;
use crate::support::Backend;

async fn warnings_breaches_and_automatic_escalation_come_at_their_instant(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    let sla = &ticket["sla"];
    assert_eq!(
        (
            &sla["response"]["due_at"],
            &sla["tier1"]["due_at"],
            &sla["resolution"]["due_at"]
        ),
        (&json!(at(10)), &json!(at(20)), &json!(at(60)))
    );
    assert_eq!(sla["tier1"]["remaining_seconds"], 20);

    scene.set(4);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![],
        "nothing due before 5 s"
    );
    scene.set(5);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![event("sla_warning", "response", 5)]
    );
    scene.set(19);
    let before_window = scene.events_due(&ticket).await;
    assert_eq!(
        before_window,
        vec![
            event("sla_warning", "response", 5),
            event("sla_breached", "response", 19),
            event("sla_warning", "tier1", 19),
        ],
        "a late look records what came due, once each"
    );
    assert_eq!(scene.ticket(&ticket).await["tier"], 1);

    scene.set(20);
    let events = scene.events_due(&ticket).await;
    assert_eq!(events[3..], breached_and_escalated(20));
    let escalated = scene.ticket(&ticket).await;
    assert_eq!(
        (&escalated["tier"], &escalated["escalation_reason"]),
        (&json!(2), &json!("sla_tier1_window_elapsed"))
    );
    assert_eq!(escalated["sla"]["tier1"]["breached"], true);
    assert_eq!(escalated["sla"]["response"]["remaining_seconds"], -10);
    let trail = scene
        .app
        .ticket_events(&scene.cast.auditor.token, &ticket)
        .await;
    let escalation = trail
        .iter()
        .find(|e| e["type"] == "escalated")
        .expect("escalated event");
    assert_eq!(escalation["actor_id"], Value::Null);
    assert_eq!(escalation["data"]["automatic"], true);
    assert_eq!(escalation["data"]["reason"], "sla_tier1_window_elapsed");

    let (_, breached) = scene
        .app
        .get("/api/v1/tickets?breached=true", &scene.cast.tier2.token)
        .await;
    assert_eq!(breached["items"].as_array().map(Vec::len), Some(1));
    let calm = scene.critical_ticket().await;
    let (_, breached) = scene
        .app
        .get("/api/v1/tickets?breached=true", &scene.cast.tier2.token)
        .await;
    assert_eq!(breached["items"][0]["id"], ticket["id"]);
    assert_ne!(breached["items"][0]["id"], calm["id"]);
    assert_eq!(breached["items"].as_array().map(Vec::len), Some(1));
    let (_, unbreached) = scene
        .app
        .get("/api/v1/tickets?breached=false", &scene.cast.tier2.token)
        .await;
    let unbreached = unbreached["items"].as_array().expect("items").clone();
    assert!(
        unbreached.iter().any(|t| t["id"] == calm["id"])
            && !unbreached.iter().any(|t| t["id"] == ticket["id"]),
        "breached=false lists the calm ticket, not the breached one: {unbreached:?}"
    );
}

async fn a_pending_ticket_escalates_only_after_its_remaining_window(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(2);
    let acknowledged = scene.act(&ticket, "acknowledge", json!({})).await;
    assert_eq!(acknowledged["sla"]["response"]["met_at"], at(2));
    scene.set(8);
    let pending = scene
        .act(&ticket, "pend", json!({"reason": "Menunggu vendor"}))
        .await;
    assert_eq!(pending["sla"]["paused"], true);
    assert_eq!(pending["sla"]["tier1"]["due_at"], Value::Null);
    assert_eq!(pending["sla"]["tier1"]["remaining_seconds"], 12);

    scene.set(500);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![],
        "no alert and no escalation while pending"
    );
    assert_eq!(scene.ticket(&ticket).await["tier"], 1);

    let resumed = scene.act(&ticket, "resume", json!({})).await;
    assert_eq!(resumed["sla"]["tier1"]["due_at"], at(512));
    assert_eq!(resumed["sla"]["resolution"]["due_at"], at(500 + 52));
    scene.set(501);
    assert_eq!(scene.events_due(&ticket).await, vec![]);
    scene.set(502);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![event("sla_warning", "tier1", 502)],
        "warned at half the window: 8 s counted before pending, 2 s after resuming"
    );
    scene.set(511);
    assert_eq!(scene.events_due(&ticket).await.len(), 1);
    scene.set(512);
    let events = scene.events_due(&ticket).await;
    assert_eq!(events[1..], breached_and_escalated(512));
    assert_eq!(scene.ticket(&ticket).await["tier"], 2);
}

async fn two_engines_never_double_escalate(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    // A second process of the service on the same database, with its own engine; the two
    // engines look at the same instants at the same time.
    let second = Application::build_with(
        &scene.app.storage.config_on_test_clock(),
        scene.clock.clone(),
        Jobs::Driven,
    )
    .expect("second server");
    let second_engine = second.driver().expect("driven jobs");
    tokio::spawn(second.run_until_stopped());
    let mut tickets = Vec::new();
    for _ in 0..20 {
        tickets.push(scene.critical_ticket().await);
    }
    for seconds in [5, 10, 20, 30, 60] {
        scene.set(seconds);
        let engine = second_engine.clone();
        let (_, second) = futures::join!(
            scene.app.run_due_sla(),
            tokio::task::spawn_blocking(move || engine.run_due_sla())
        );
        second.expect("join");
    }
    for ticket in &tickets {
        let events = scene.sla_events(ticket).await;
        let count = |kind: &str, clock: &str| {
            events
                .iter()
                .filter(|(k, c, _)| k == kind && c == clock)
                .count()
        };
        assert_eq!(
            [
                count("sla_warning", "response"),
                count("sla_breached", "response"),
                count("sla_warning", "tier1"),
                count("sla_breached", "tier1"),
                count("escalated", ""),
                count("sla_warning", "resolution"),
                count("sla_breached", "resolution"),
            ],
            [1; 7],
            "{events:?}"
        );
    }
}

async fn alerts_name_the_deadline_and_when_their_threshold_was_reached(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(19);
    scene.events_due(&ticket).await;
    let trail = scene
        .app
        .ticket_events(&scene.cast.supervisor.token, &ticket)
        .await;
    let alerts: Vec<(&Value, &Value, &Value, &Value, &Value)> = trail
        .iter()
        .filter(|e| e["type"].as_str().is_some_and(|t| t.starts_with("sla_")))
        .map(|e| {
            (
                &e["type"],
                &e["data"]["clock"],
                &e["data"]["at"],
                &e["data"]["due_at"],
                &e["at"],
            )
        })
        .collect();
    let (warning, breached) = (json!("sla_warning"), json!("sla_breached"));
    let (response, tier1) = (json!("response"), json!("tier1"));
    let (at5, at10, at19, at20) = (json!(at(5)), json!(at(10)), json!(at(19)), json!(at(20)));
    assert_eq!(
        alerts,
        vec![
            (&warning, &response, &at5, &at10, &at19),
            (&breached, &response, &at10, &at10, &at19),
            (&warning, &tier1, &at10, &at20, &at19),
        ],
        "recorded late at 19 s: each names its threshold instant and its clock's deadline"
    );
}

on_both_databases!(
    warnings_breaches_and_automatic_escalation_come_at_their_instant,
    a_pending_ticket_escalates_only_after_its_remaining_window,
    two_engines_never_double_escalate,
    alerts_name_the_deadline_and_when_their_threshold_was_reached,
);
