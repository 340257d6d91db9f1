//! The Tier 2 dashboard's summary, against tickets made and moved through the API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp};

async fn summary(app: &TestApp, token: &str) -> Value {
    let (status, summary) = app.get("/api/v1/dashboard/summary", token).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    summary
}

/// The summary once the SLA engine has handled what is due.
async fn summary_due(app: &TestApp, token: &str) -> Value {
    app.run_due_sla().await;
    summary(app, token).await
}

/// Three open tickets by status, tier, priority and unit, one escalated, none yet at risk;
/// the restricted one the oldest.
fn open_load_before_any_breach(before: &Value, restricted: &Value) {
    assert_eq!(
        before["open_by_status"],
        json!({"new": 2, "in_progress": 1, "pending": 0})
    );
    assert_eq!(before["open_by_tier"], json!({"1": 2, "2": 1}));
    assert_eq!(
        before["open_by_priority"],
        json!({"critical": 1, "high": 1, "medium": 1, "low": 0})
    );
    assert_eq!(before["escalated_today"], 1);
    assert_eq!(
        (&before["breached_open"], &before["at_risk_open"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(before["oldest_open"]["id"], restricted["id"]);
    let units: Vec<(Value, Value, Value)> = before["by_unit"]
        .as_array()
        .expect("by_unit")
        .iter()
        .map(|u| {
            (
                u["code"].clone(),
                u["open"].clone(),
                u["breached_open"].clone(),
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            (json!("DINKES"), json!(2), json!(0)),
            (json!("DISDIK"), json!(1), json!(0))
        ]
    );
}

async fn the_summary_counts_open_load_sla_standing_and_escalations(backend: Backend) {
    let (app, cast, clock) = TestApp::spawn_driven_on_monday(backend).await;
    // The mail these tickets queue is for the mail tests to check.
    app.expect_owed_mail();
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 10, "tier1_seconds": 20, "resolution_seconds": 60,
               "warn_at_percent": 50}),
    )
    .await;

    let restricted = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"security_incident": true, "impact": "low", "urgency": "low"}),
        )
        .await;
    clock.advance(chrono::Duration::milliseconds(10));
    let critical = app
        .create_ticket(
            &cast.tier1.token,
            json!({"impact": "high", "urgency": "high"}),
        )
        .await;
    let escalated = app.create_ticket(&cast.tier1.token, json!({})).await;
    let resolved = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act(&cast.tier1.token, &critical, "acknowledge", json!({}))
        .await;
    app.act_saying(&cast.tier1.token, &escalated, "escalate", "Perlu Tier 2")
        .await;
    app.act_saying(&cast.tier1.token, &resolved, "resolve", "Selesai")
        .await;

    let before = summary(&app, &cast.supervisor.token).await;
    open_load_before_any_breach(&before, &restricted);
    let for_dashboard = summary(&app, &cast.integration.token).await;
    assert_eq!(
        for_dashboard["oldest_open"]["id"], critical["id"],
        "a restricted ticket's number does not reach an integration"
    );
    let (status, _) = app
        .get("/api/v1/dashboard/summary", &cast.tier1.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // 6 s: the unanswered tickets are past half their response time.
    clock.advance(chrono::Duration::seconds(6));
    let at_risk = summary_due(&app, &cast.tier2.token).await;
    assert_eq!(at_risk["at_risk_open"], 2, "{at_risk}");
    assert_eq!(at_risk["breached_open"], 0);
    // 11 s: those two have breached; the acknowledged one is half-way through Tier 1's window.
    clock.advance(chrono::Duration::seconds(5));
    let breached = summary_due(&app, &cast.tier2.token).await;
    assert_eq!(breached["breached_open"], 2, "{breached}");
    assert_eq!(breached["at_risk_open"], 1);
    assert_eq!(breached["by_unit"][0]["breached_open"], 1);
    assert_eq!(breached["by_unit"][1]["breached_open"], 1);
}

on_both_databases!(the_summary_counts_open_load_sla_standing_and_escalations);
