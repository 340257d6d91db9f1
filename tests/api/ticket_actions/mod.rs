//! The action table over HTTP: every move, every refusal, comments and the trail.

mod comments;
mod moves;
mod table;

use serde_json::{Value, json};

use crate::support::{Cast, TestApp};

fn body(action: &str, cast: &Cast, tier: i64) -> Value {
    match action {
        "assign" if tier == 1 => json!({"assignee_id": cast.tier1_colleague.id}),
        "assign" => json!({"assignee_id": cast.supervisor.id}),
        "return" => json!({"solution": "Periksa kabel jaringan"}),
        "resolve" => json!({"resolution": "Layanan dipulihkan"}),
        "acknowledge" | "resume" | "close" => json!({}),
        _ => json!({"reason": "Alasan tertulis"}),
    }
}

/// A ticket brought to `status` by Tier 1 at tier 1, or by Tier 2 after escalation at tier 2.
async fn ticket_in(app: &TestApp, cast: &Cast, status: &str, tier: i64) -> Value {
    let mut ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let worker = if tier == 2 {
        ticket = app
            .act_saying(
                &cast.tier1.token,
                &ticket,
                "escalate",
                "Di luar kemampuan Tier 1",
            )
            .await;
        &cast.tier2.token
    } else {
        &cast.tier1.token
    };
    let path: &[&str] = match status {
        "new" => &[],
        "in_progress" => &["acknowledge"],
        "pending" => &["pend"],
        "resolved" => &["resolve"],
        "closed" => &["resolve", "close"],
        "cancelled" => &["cancel"],
        other => panic!("no path to {other}"),
    };
    for action in path {
        ticket = app
            .act(worker, &ticket, action, body(action, cast, tier))
            .await;
    }
    assert_eq!(ticket["status"], status);
    ticket
}

/// The events of `ticket` as `token` reads them, less the mail dispatcher's own, which it adds
/// as it goes: the moves are what these tests look at.
async fn moves_of(app: &TestApp, token: &str, ticket: &Value) -> Vec<Value> {
    let id = ticket["id"].as_str().expect("id");
    let (_, trail) = app
        .get(&format!("/api/v1/tickets/{id}/events"), token)
        .await;
    trail
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| {
            !e["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("notification_"))
        })
        .cloned()
        .collect()
}
