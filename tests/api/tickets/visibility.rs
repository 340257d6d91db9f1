//! Who may see a ticket: its own PD, and restricted ones for those entitled only.

use reqwest::StatusCode;
use serde_json::json;

use super::ids;
use crate::on_both_databases;
use crate::support::{Backend, TestApp};

async fn a_tier1_technician_never_sees_another_pds_tickets(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let theirs = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"title": "Printer Disdik rusak"}),
        )
        .await;
    let ours = app.create_ticket(&cast.tier1.token, json!({})).await;
    let (id, number) = (
        theirs["id"].as_str().expect("id"),
        theirs["number"].as_str().expect("number"),
    );

    let (_, page) = app.get("/api/v1/tickets", &cast.tier1.token).await;
    assert_eq!(ids(&page), [ours["id"].as_str().expect("id")]);
    let (_, page) = app
        .get(
            &format!("/api/v1/tickets?unit_id={}", cast.disdik),
            &cast.tier1.token,
        )
        .await;
    assert_eq!(page["items"], json!([]));
    let (_, page) = app
        .get("/api/v1/tickets?q=printer", &cast.tier1.token)
        .await;
    assert_eq!(page["items"], json!([]));
    for path in [
        format!("/api/v1/tickets/{id}"),
        format!("/api/v1/tickets/{number}"),
        format!("/api/v1/tickets/{id}/events"),
        format!("/api/v1/tickets/{id}/comments"),
    ] {
        let (status, problem) = app.get(&path, &cast.tier1.token).await;
        assert_eq!(
            (status, &problem["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found")),
            "{path}"
        );
    }
    for (action, body) in [
        ("acknowledge", json!({})),
        ("escalate", json!({"reason": "x"})),
        ("cancel", json!({"reason": "x"})),
    ] {
        let (status, _) = app
            .post(
                &format!("/api/v1/tickets/{number}/{action}"),
                &cast.tier1.token,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            &cast.tier1.token,
            json!({"body": "halo"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &cast.tier1.token,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, unchanged) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1_other_pd.token)
        .await;
    assert_eq!(unchanged, theirs, "its own PD sees it, untouched");
}

async fn restricted_tickets_stay_with_those_entitled(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let breach = app
        .create_ticket(
            &cast.tier1.token,
            json!({"title": "Dugaan peretasan situs", "impact": "low", "urgency": "low", "security_incident": true}),
        )
        .await;
    assert_eq!(
        (&breach["classification"], &breach["priority"]),
        (&json!("restricted"), &json!("high"))
    );
    let public = app.create_ticket(&cast.tier1.token, json!({})).await;
    let path = format!("/api/v1/tickets/{}", breach["id"].as_str().expect("id"));

    for (who, token) in [
        ("tier1", &cast.tier1.token),
        ("tier2", &cast.tier2.token),
        ("auditor", &cast.auditor.token),
        ("admin", &app.admin_token),
    ] {
        assert_eq!(app.get(&path, token).await.0, StatusCode::OK, "{who}");
    }
    assert_eq!(
        app.get(&path, &cast.integration.token).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{path}/events"), &cast.integration.token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = app.get("/api/v1/tickets", &cast.integration.token).await;
    assert_eq!(ids(&page), [public["id"].as_str().expect("id")]);
    let (_, page) = app.get("/api/v1/tickets", &cast.auditor.token).await;
    assert_eq!(ids(&page).len(), 2);
}

on_both_databases!(
    a_tier1_technician_never_sees_another_pds_tickets,
    restricted_tickets_stay_with_those_entitled,
);
