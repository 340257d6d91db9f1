//! The action table over HTTP: every move, every refusal, comments and the trail.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{ACTIONS, Backend, Cast, TestApp, assert_refused_on};

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
    for status in [
        "new",
        "in_progress",
        "pending",
        "resolved",
        "closed",
        "cancelled",
    ] {
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
    let (_, trail) = app
        .get(
            &format!(
                "/api/v1/tickets/{}/events",
                at_tier1["id"].as_str().expect("id")
            ),
            &cast.auditor.token,
        )
        .await;
    let written = trail.as_array().map(|events| {
        events
            .iter()
            .filter(|e| {
                !e["type"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("notification_"))
            })
            .count()
    });
    assert_eq!(
        written,
        Some(1),
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

async fn a_ticket_goes_from_tier1_to_tier2_and_back(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let t1 = &cast.tier1.token;
    let mut ticket = app.create_ticket(t1, json!({})).await;
    ticket = app
        .act(t1, &ticket, "assign", json!({"assignee_id": cast.tier1.id}))
        .await;
    assert!(
        ticket["first_response_at"].is_null(),
        "assigning is not a response"
    );
    ticket = app.act(t1, &ticket, "acknowledge", json!({})).await;
    assert!(ticket["first_response_at"].is_string());
    ticket = app.act_saying(t1, &ticket, "pend", "Menunggu vendor").await;
    ticket = app.act(t1, &ticket, "resume", json!({})).await;
    ticket = app
        .act_saying(t1, &ticket, "escalate", "Perlu akses pusat data")
        .await;
    assert_eq!(
        (&ticket["tier"], &ticket["assignee_id"]),
        (&json!(2), &json!(null))
    );
    assert!(ticket["escalated_at"].is_string());
    ticket = app
        .act(
            &cast.tier2.token,
            &ticket,
            "assign",
            json!({"assignee_id": cast.tier2.id}),
        )
        .await;
    ticket = app
        .act_saying(
            &cast.tier2.token,
            &ticket,
            "return",
            "Atur ulang DNS ke 10.0.0.2",
        )
        .await;
    assert_eq!(
        (&ticket["tier"], &ticket["status"]),
        (&json!(1), &json!("in_progress"))
    );
    assert_eq!(
        ticket["assignee_id"], cast.tier1.id,
        "back to the Tier 1 technician who had it"
    );
    ticket = app
        .act_saying(t1, &ticket, "resolve", "DNS diperbaiki")
        .await;
    assert_eq!(ticket["resolution"], "DNS diperbaiki");
    ticket = app.act_saying(t1, &ticket, "reopen", "Masih gagal").await;
    assert!(ticket["resolved_at"].is_null());
    ticket = app
        .act_saying(t1, &ticket, "resolve", "Cache dibersihkan")
        .await;
    ticket = app.act(t1, &ticket, "close", json!({})).await;
    assert!(ticket["closed_at"].is_string());
    assert_eq!(ticket["version"], 12);

    let (_, trail) = app
        .get(
            &format!(
                "/api/v1/tickets/{}/events",
                ticket["id"].as_str().expect("id")
            ),
            t1,
        )
        .await;
    // The mail dispatcher adds its own events as it goes; the moves are what matters here.
    let trail: Vec<&Value> = trail
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| {
            !e["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("notification_"))
        })
        .collect();
    let types: Vec<&str> = trail.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "created",
            "assigned",
            "acknowledged",
            "pended",
            "resumed",
            "escalated",
            "assigned",
            "returned",
            "resolved",
            "reopened",
            "resolved",
            "closed"
        ]
    );
    let escalated = trail[5];
    assert_eq!(
        (
            &escalated["data"]["reason"],
            &escalated["data"]["automatic"]
        ),
        (&json!("Perlu akses pusat data"), &json!(false))
    );
    assert_eq!(escalated["actor_id"], cast.tier1.id);
    assert_eq!(trail[7]["data"]["solution"], "Atur ulang DNS ke 10.0.0.2");
}

async fn moves_need_their_reason_and_a_fitting_assignee(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    app.assert_moves_need_their_fields(&cast.tier1.token, &ticket)
        .await;
    for assignee in [&cast.tier1_other_pd.id, &cast.tier2.id, &cast.auditor.id] {
        let (status, problem) = app
            .post(
                &format!("/api/v1/tickets/{id}/assign"),
                &cast.tier1.token,
                json!({"assignee_id": assignee}),
            )
            .await;
        assert_eq!(
            (status, &problem["code"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!("assignee_cannot_work_ticket")
            )
        );
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/teleport"),
            &cast.tier1.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, unchanged) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1.token)
        .await;
    assert_eq!(unchanged, ticket);

    let stale = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{id}/acknowledge")))
        .bearer_auth(&cast.tier1.token)
        .header("If-Match", "\"7\"")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
}

async fn comments_follow_the_ticket_and_the_first_public_one_is_a_response(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    let comments = format!("/api/v1/tickets/{id}/comments");
    let (status, note) = app
        .post(
            &comments,
            &cast.tier1.token,
            json!({"body": "Catatan internal", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let (_, after_internal) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1.token)
        .await;
    assert!(
        after_internal["first_response_at"].is_null(),
        "an internal note is not a response"
    );
    let (status, _) = app
        .post(
            &comments,
            &cast.tier1_colleague.token,
            json!({"body": "Sedang kami periksa"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, answered) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1.token)
        .await;
    assert!(answered["first_response_at"].is_string());
    assert_eq!(answered["status"], "new", "a comment moves no status");

    let escalated = app
        .act_saying(&cast.tier1.token, &ticket, "escalate", "Tier 2")
        .await;
    let (status, _) = app
        .post(
            &comments,
            &cast.tier1.token,
            json!({"body": "Tier 1 tetap bisa berkomentar"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "Tier 1 comments on its PD's tickets at any tier"
    );
    let (status, _) = app
        .post(&comments, &cast.tier2.token, json!({"body": "Dari Tier 2"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(escalated["tier"], 2);

    assert_eq!(
        app.post(&comments, &cast.auditor.token, json!({"body": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&comments, &cast.tier1_other_pd.token, json!({"body": "x"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, problem) = app
        .post(&comments, &cast.tier1.token, json!({"body": "  "}))
        .await;
    assert_refused_on(status, &problem, "body");

    let (_, staff_view) = app.get(&comments, &cast.auditor.token).await;
    assert_eq!(staff_view.as_array().map(Vec::len), Some(4));
    let (_, dashboard_view) = app.get(&comments, &cast.integration.token).await;
    let bodies: Vec<&str> = dashboard_view
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        [
            "Sedang kami periksa",
            "Tier 1 tetap bisa berkomentar",
            "Dari Tier 2"
        ]
    );
}

async fn acknowledging_an_unassigned_ticket_takes_it(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let t1 = &cast.tier1.token;
    let mut ticket = app.create_ticket(t1, json!({})).await;
    ticket = app.act(t1, &ticket, "acknowledge", json!({})).await;
    assert_eq!(ticket["assignee_id"], cast.tier1.id);
    let events = app.ticket_events(t1, &ticket).await;
    let acknowledged = events
        .iter()
        .find(|e| e["type"] == "acknowledged")
        .expect("acknowledged");
    assert_eq!(acknowledged["data"]["assignee_id"], cast.tier1.id);
    ticket = app
        .act_saying(t1, &ticket, "escalate", "Perlu Tier 2")
        .await;
    ticket = app
        .act_saying(&cast.tier2.token, &ticket, "return", "Atur ulang DNS")
        .await;
    assert_eq!(
        ticket["assignee_id"], cast.tier1.id,
        "a return gives it back to whoever acknowledged it"
    );

    // Someone already working it keeps it.
    let mut assigned = app.create_ticket(t1, json!({})).await;
    assigned = app
        .act(
            t1,
            &assigned,
            "assign",
            json!({"assignee_id": cast.tier1_colleague.id}),
        )
        .await;
    assigned = app.act(t1, &assigned, "acknowledge", json!({})).await;
    assert_eq!(assigned["assignee_id"], cast.tier1_colleague.id);

    // At tier 2, Tier 2's acknowledge takes it.
    let mut taken = app.create_ticket(t1, json!({})).await;
    taken = app.act_saying(t1, &taken, "escalate", "Perlu Tier 2").await;
    taken = app
        .act(&cast.tier2.token, &taken, "acknowledge", json!({}))
        .await;
    assert_eq!(
        (&taken["assignee_id"], &taken["status"]),
        (&json!(cast.tier2.id), &json!("in_progress"))
    );
    let (_, seen) = app
        .get(
            &format!("/api/v1/tickets/{}", taken["id"].as_str().expect("id")),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(seen["assignee_id"], cast.tier2.id);
}

on_both_databases!(
    every_move_of_the_action_table_at_tier1,
    every_move_of_the_action_table_at_tier2,
    roles_that_may_not_make_a_move_are_refused,
    a_ticket_goes_from_tier1_to_tier2_and_back,
    moves_need_their_reason_and_a_fitting_assignee,
    comments_follow_the_ticket_and_the_first_public_one_is_a_response,
    acknowledging_an_unassigned_ticket_takes_it,
);
