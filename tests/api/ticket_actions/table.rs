//! Every move of the action table, and the roles that may not make one.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{body, moves_of, ticket_in};
use crate::on_both_databases;
use crate::support::{ACTIONS, Backend, STATUSES, TestApp};

/// The action table of docs/api.md, stated independently of the code: the status after the move,
/// or `None` when the move is refused with 409.
fn table(action: &str, status: &str, tier: i64) -> Option<(&'static str, i64)> {
    let open = matches!(status, "new" | "in_progress" | "pending");
    let same = |s: &str| match s {
        "new" => "new",
        "in_progress" => "in_progress",
        _ => "pending",
    };
    match action {
        "acknowledge" if status == "new" => Some(("in_progress", tier)),
        "assign" if open => Some((same(status), tier)),
        "pend" if matches!(status, "new" | "in_progress") => Some(("pending", tier)),
        "resume" if status == "pending" => Some(("in_progress", tier)),
        "escalate" if status == "pending" && tier == 1 => Some(("in_progress", 2)),
        "escalate" if open && tier == 1 => Some((same(status), 2)),
        "return" if open && tier == 2 => Some(("in_progress", 1)),
        "resolve" if open => Some(("resolved", tier)),
        "reopen" if status == "resolved" => Some(("in_progress", tier)),
        "close" if status == "resolved" => Some(("closed", tier)),
        "cancel" if open => Some(("cancelled", tier)),
        _ => None,
    }
}

/// Every action from every status at `tier`, by whoever works that tier.
async fn every_move_of_the_action_table(backend: Backend, tier: i64) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let worker = if tier == 1 {
        &cast.tier1.token
    } else {
        &cast.tier2.token
    };
    for status in STATUSES {
        for action in ACTIONS {
            // `return` is Tier 2's move; Tier 1 asking is a role refusal, checked below.
            if action == "return" && tier == 1 {
                continue;
            }
            let ticket = ticket_in(&app, &cast, status, tier).await;
            let id = ticket["id"].as_str().expect("id");
            // As the worker sees it: `allowed_actions` are the reader's.
            let (_, ticket) = app.get(&format!("/api/v1/tickets/{id}"), worker).await;
            let (code, after) = app
                .post(
                    &format!("/api/v1/tickets/{id}/{action}"),
                    worker,
                    body(action, &cast, tier),
                )
                .await;
            match table(action, status, tier) {
                Some((to, to_tier)) => {
                    assert_eq!(code, StatusCode::OK, "{action} from {status}: {after}");
                    assert_eq!(
                        (&after["status"], &after["tier"]),
                        (&json!(to), &json!(to_tier)),
                        "{action} from {status}"
                    );
                }
                None => {
                    assert_eq!(
                        code,
                        StatusCode::CONFLICT,
                        "{action} from {status}: {after}"
                    );
                    assert_eq!(after["code"], "invalid_transition");
                    let (_, unchanged) = app.get(&format!("/api/v1/tickets/{id}"), worker).await;
                    assert_eq!(unchanged, ticket, "a refused move changes nothing");
                }
            }
        }
    }
}

async fn every_move_of_the_action_table_at_tier1(backend: Backend) {
    every_move_of_the_action_table(backend, 1).await;
}

async fn every_move_of_the_action_table_at_tier2(backend: Backend) {
    every_move_of_the_action_table(backend, 2).await;
}

async fn roles_that_may_not_make_a_move_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let at_tier1 = app.create_ticket(&cast.tier1.token, json!({})).await;
    let at_tier2 = ticket_in(&app, &cast, "in_progress", 2).await;
    let try_move = |token: String, ticket: &Value, action: &'static str, tier: i64| {
        let app = &app;
        let id = ticket["id"].as_str().expect("id").to_owned();
        let body = body(action, &cast, tier);
        async move {
            app.post(&format!("/api/v1/tickets/{id}/{action}"), &token, body)
                .await
                .0
        }
    };
    for action in ACTIONS {
        for (who, token) in [
            ("auditor", &cast.auditor.token),
            ("admin", &app.admin_token),
            ("integration", &cast.integration.token),
        ] {
            assert_eq!(
                try_move(token.clone(), &at_tier1, action, 1).await,
                StatusCode::FORBIDDEN,
                "{who} {action}"
            );
        }
    }
    for action in ["acknowledge", "pend", "resolve", "cancel", "assign"] {
        assert_eq!(
            try_move(cast.tier1.token.clone(), &at_tier2, action, 2).await,
            StatusCode::FORBIDDEN,
            "tier1 {action} at tier 2"
        );
        assert_eq!(
            try_move(cast.tier2.token.clone(), &at_tier1, action, 1).await,
            StatusCode::FORBIDDEN,
            "tier2 {action} at tier 1"
        );
    }
    assert_eq!(
        try_move(cast.tier1.token.clone(), &at_tier2, "return", 2).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        try_move(cast.tier1.token.clone(), &at_tier2, "escalate", 2).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        try_move(cast.tier2.token.clone(), &at_tier1, "return", 1).await,
        StatusCode::CONFLICT
    );
    let written = moves_of(&app, &cast.auditor.token, &at_tier1).await.len();
    assert_eq!(
        written, 1,
        "only `created` (and its mail): no refusal wrote anything"
    );

    let taken = app
        .act_saying(
            &cast.supervisor.token,
            &at_tier1,
            "escalate",
            "Diambil alih Tier 2",
        )
        .await;
    assert_eq!(
        (&taken["tier"], &taken["escalation_reason"]),
        (&json!(2), &json!("Diambil alih Tier 2"))
    );
}

on_both_databases!(
    every_move_of_the_action_table_at_tier1,
    every_move_of_the_action_table_at_tier2,
    roles_that_may_not_make_a_move_are_refused,
);
