//! Refused moves say why and what is possible; each move has its own route and body.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::read_ticket;
use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp, read};

/// Each role refused a move it may never make is told why, and offered no moves.
async fn each_role_is_told_why(app: &TestApp, cast: &Cast, id: &str) {
    for (who, token, action, body, why) in [
        (
            "integration",
            &cast.integration.token,
            "resolve",
            json!({"resolution": "x"}),
            "integration tokens may only read",
        ),
        (
            "auditor",
            &cast.auditor.token,
            "acknowledge",
            json!({}),
            "auditors may only read",
        ),
        (
            "tier2",
            &cast.tier2.token,
            "resolve",
            json!({"resolution": "x"}),
            "the ticket is at tier 1; Tier 2 takes it over with escalate before working it",
        ),
        (
            "tier1",
            &cast.tier1.token,
            "return",
            json!({"solution": "x"}),
            "only Tier 2 may return a ticket to Tier 1",
        ),
    ] {
        let (status, problem) = app
            .post(&format!("/api/v1/tickets/{id}/{action}"), token, body)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {problem}");
        assert_eq!(
            (&problem["code"], &problem["detail"]),
            (&json!("forbidden"), &json!(why))
        );
        assert!(problem.get("allowed_actions").is_none(), "{problem}");
    }
}

async fn a_refused_move_says_why_and_what_is_possible(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let post = |token: String, action: &'static str, body: Value| {
        let app = &app;
        let path = format!("/api/v1/tickets/{id}/{action}");
        async move { app.post(&path, &token, body).await }
    };
    let (status, problem) = post(cast.tier1.token.clone(), "close", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "invalid_transition");
    assert_eq!(
        problem["allowed_actions"],
        json!([
            "acknowledge",
            "assign",
            "pend",
            "escalate",
            "resolve",
            "cancel"
        ])
    );
    assert_eq!(
        problem["detail"],
        "new ticket at tier 1: close is not possible; possible moves are acknowledge, assign, \
         pend, escalate, resolve, cancel"
    );

    each_role_is_told_why(&app, &cast, &id).await;

    app.act_saying(&cast.tier1.token, &ticket, "escalate", "Perlu Tier 2")
        .await;
    let (status, problem) = post(
        cast.tier1.token.clone(),
        "resolve",
        json!({"resolution": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(
        problem["detail"],
        "the ticket is at tier 2 now; only Tier 2 staff may work it"
    );
    let (status, problem) = post(
        cast.tier1.token.clone(),
        "escalate",
        json!({"reason": "lagi"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["allowed_actions"], json!([]));
    assert_eq!(
        problem["detail"],
        "new ticket at tier 2: escalate is not possible; no move is possible for you"
    );
    let (status, problem) = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &cast.tier1.token,
            json!({"title": "Judul baru"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(
        problem["detail"],
        "the ticket is at tier 2 now; only Tier 2 staff may work it"
    );
}

async fn each_move_has_its_own_route_and_body(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");

    let (status, problem) = app
        .post(
            &format!("/api/v1/tickets/{id}/frobnicate"),
            &cast.tier1.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["code"], "not_found");

    app.assert_moves_need_their_fields(&cast.tier1.token, &ticket)
        .await;
    // A move without fields takes no body at all.
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/tickets/{id}/acknowledge"),
            Some(&cast.tier1.token),
            None,
        )
        .await;
    let (status, acknowledged) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{acknowledged}");
    assert_eq!(acknowledged["status"], "in_progress");
    assert_eq!(read_ticket(&app, &cast.tier1, &ticket).await["version"], 2);
}

on_both_databases!(
    a_refused_move_says_why_and_what_is_possible,
    each_move_has_its_own_route_and_body,
);
