//! Closed tickets keep their clocks stopped, and a migration repairs those an old close set
//! running again.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Scene, always_open, at, scene, seconds_targets};
use crate::on_both_databases;
use crate::support::Backend;

/// How many mails the outbox holds for `ticket`.
async fn mails_for(scene: &Scene, ticket: &Value) -> usize {
    let (status, page) = scene
        .app
        .get("/api/v1/notifications?limit=200", &scene.app.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|mail| mail["ticket_id"] == ticket["id"])
        .count()
}

/// The ticket's SLA events once the engine has handled what is due, and whether it is listed
/// as breached.
async fn after_close(scene: &Scene, ticket: &Value) -> (Vec<(String, String, String)>, Value) {
    let events = scene.events_due(ticket).await;
    let (status, breached) = scene
        .app
        .get("/api/v1/tickets?breached=true", &scene.cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{breached}");
    (events, breached["items"].clone())
}

async fn closing_a_resolved_ticket_keeps_its_clocks_stopped(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(2);
    scene.act(&ticket, "acknowledge", json!({})).await;
    scene.set(4);
    let resolved = scene
        .act(
            &ticket,
            "resolve",
            json!({"resolution": "Layanan dijalankan ulang"}),
        )
        .await;
    scene.set(6);
    let closed = scene.act(&ticket, "close", json!({})).await;
    assert_eq!(closed["status"], "closed");
    for clock in ["response", "tier1", "resolution"] {
        assert_eq!(
            closed["sla"][clock], resolved["sla"][clock],
            "closing leaves the {clock} clock as resolving left it"
        );
        assert_eq!(closed["sla"][clock]["due_at"], Value::Null, "{clock}");
    }
    assert_eq!(closed["sla"]["tier1"]["met_at"], at(4));
    assert_eq!(closed["sla"]["resolution"]["met_at"], at(4));

    scene.set(3_000);
    let (events, breached) = after_close(&scene, &ticket).await;
    assert_eq!(events, vec![], "a closed ticket owes no alert");
    assert_eq!(breached, json!([]), "nor is it listed as breached");
    let later = scene.ticket(&ticket).await;
    assert_eq!(later["sla"]["resolution"]["elapsed_seconds"], 4);
    assert_eq!(later["sla"]["resolution"]["breached"], false);
}

/// What closing did before the fix: the tier 1 and resolution clocks ran again from the close,
/// and the engine recorded a resolution breach an hour later.
const RESTARTED_BY_CLOSE: [&str; 2] = [
    "UPDATE ticket_sla SET tier1_met_at = NULL, resolution_met_at = NULL, \
     tier1_since = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id), \
     resolution_since = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id), \
     next_event_at = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id), \
     due_at = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id)",
    "UPDATE ticket_sla SET resolution_warned_at = '2026-11-23 03:00:02', \
     resolution_breached_at = '2026-11-23 03:00:02', breached = TRUE",
];

async fn the_repair_migration_stops_the_clocks_of_closed_tickets(backend: Backend) {
    use diesel::RunQueryDsl;
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let closed = scene.critical_ticket().await;
    let open = scene.critical_ticket().await;
    scene.set(2);
    for action in ["acknowledge", "resolve", "close"] {
        scene
            .act(
                &closed,
                action,
                json!({"resolution": "Layanan dijalankan ulang"}),
            )
            .await;
    }
    scene.act(&open, "acknowledge", json!({})).await;
    let before = scene.ticket(&closed).await;
    let open_before = scene.ticket(&open).await;
    let url = servicedesk::db::DatabaseUrl::parse(&scene.app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    let closed_id = closed["id"].as_str().expect("id");
    for statement in RESTARTED_BY_CLOSE {
        diesel::sql_query(format!("{statement} WHERE ticket_id = '{closed_id}'"))
            .execute(&mut conn)
            .expect("the clocks as the old close left them");
    }
    assert_eq!(
        scene.ticket(&closed).await["sla"]["resolution"]["met_at"],
        Value::Null
    );
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = '20261201000001'")
        .execute(&mut conn)
        .expect("forget the repair");
    let mails_before = mails_for(&scene, &closed).await;
    let config = scene.app.storage.config_on_test_clock();
    servicedesk::app::prepare(&config, scene.clock.clone()).expect("migrations run again");

    let repaired = scene.ticket(&closed).await;
    assert_eq!(
        repaired["sla"], before["sla"],
        "the clocks stand where they stopped"
    );
    assert_eq!(scene.ticket(&open).await["sla"], open_before["sla"]);
    scene.set(3_000);
    let (events, breached) = after_close(&scene, &closed).await;
    assert_eq!(events, vec![], "nothing recorded for the repaired ticket");
    let listed: Vec<&Value> = breached
        .as_array()
        .expect("list")
        .iter()
        .map(|t| &t["id"])
        .collect();
    assert!(!listed.contains(&&closed["id"]), "{breached}");
    let settled = scene.events_due(&open).await;
    assert!(!settled.is_empty(), "the open ticket's clocks still run");
    assert_eq!(
        mails_for(&scene, &closed).await,
        mails_before,
        "no mail for the repaired ticket"
    );
}

async fn escalating_a_pending_ticket_sets_it_working_again(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(4);
    scene
        .act(&ticket, "pend", json!({"reason": "Menunggu pelapor"}))
        .await;
    scene.set(100);
    let escalated = scene
        .act(
            &ticket,
            "escalate",
            json!({"reason": "Perlu akses pusat data"}),
        )
        .await;
    let seen = scene.ticket(&ticket).await;
    for ticket in [&escalated, &seen] {
        assert_eq!(
            (&ticket["status"], &ticket["tier"], &ticket["sla"]["paused"]),
            (&json!("in_progress"), &json!(2), &json!(false)),
            "{ticket}"
        );
        assert_eq!(ticket["sla"]["tier1"]["met_at"], at(100));
        assert_eq!(
            ticket["sla"]["resolution"]["due_at"],
            at(100 + 56),
            "the resolution clock counts again: 4 s counted before pending"
        );
    }
    scene.set(110);
    assert_eq!(
        scene.ticket(&ticket).await["sla"]["resolution"]["elapsed_seconds"],
        14
    );
}

on_both_databases!(
    closing_a_resolved_ticket_keeps_its_clocks_stopped,
    the_repair_migration_stops_the_clocks_of_closed_tickets,
    escalating_a_pending_ticket_sets_it_working_again,
);
