//! A ticket's way through the tiers, and what a move needs: its reason and a fitting assignee.

use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::moves_of;
use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp};

/// Walks a ticket from Tier 1 to Tier 2 and back to closed, checking each step's fields.
async fn there_and_back(app: &TestApp, cast: &Cast) -> Value {
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
    ticket
}

async fn a_ticket_goes_from_tier1_to_tier2_and_back(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = there_and_back(&app, &cast).await;
    let trail = moves_of(&app, &cast.tier1.token, &ticket).await;
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
    let escalated = &trail[5];
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

    let path = format!("/api/v1/tickets/{id}/acknowledge");
    let (stale, _) = app
        .send_if_match(Method::POST, &path, &cast.tier1.token, "\"7\"", json!({}))
        .await;
    assert_eq!(stale, StatusCode::PRECONDITION_FAILED);
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
    a_ticket_goes_from_tier1_to_tier2_and_back,
    moves_need_their_reason_and_a_fitting_assignee,
    acknowledging_an_unassigned_ticket_takes_it,
);
