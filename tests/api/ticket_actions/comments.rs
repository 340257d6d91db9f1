//! Comments follow the ticket, and the first public one is a response.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp, assert_refused_on};

/// An auditor may not comment, another PD does not see the ticket, and a blank body is refused.
async fn who_may_not_comment_is_refused(app: &TestApp, cast: &Cast, comments: &str) {
    assert_eq!(
        app.post(comments, &cast.auditor.token, json!({"body": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(comments, &cast.tier1_other_pd.token, json!({"body": "x"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, problem) = app
        .post(comments, &cast.tier1.token, json!({"body": "  "}))
        .await;
    assert_refused_on(status, &problem, "body");
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

    who_may_not_comment_is_refused(&app, &cast, &comments).await;

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

on_both_databases!(comments_follow_the_ticket_and_the_first_public_one_is_a_response,);
