//! An edit that changes nothing leaves no event, no audit entry and no new version.

use reqwest::Method;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp};

/// The audit actions recorded on one entity, oldest first.
async fn audit_actions(app: &TestApp, auditor: &str, entity: &str, id: &str) -> Vec<String> {
    let path = format!("/api/v1/audit-log?entity={entity}&entity_id={id}");
    let (status, trail) = app.get(&path, auditor).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    trail
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

/// A ticket's no-op edits, under the right If-Match, keep its version, its time and its events.
async fn a_ticket_edit_that_changes_nothing_keeps_its_version(app: &TestApp, cast: &Cast) {
    let ticket = app
        .create_ticket(&cast.tier1.token, json!({"impact": "high"}))
        .await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id"));
    // Let the clock move, so that a needless write would show in `updated_at`.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let same = json!({"title": format!(" {} ", ticket["title"].as_str().expect("title")),
                      "description": ticket["description"], "impact": "high",
                      "urgency": ticket["urgency"], "service_id": null, "assignee_id": null,
                      "classification": ticket["classification"]});
    for body in [same, json!({})] {
        let (status, edited) = app
            .send_if_match(
                Method::PATCH,
                &path,
                &cast.tier1.token,
                "\"1\"",
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}: {edited}");
        assert_eq!(
            (&edited["version"], &edited["updated_at"]),
            (&json!(1), &ticket["updated_at"]),
            "{body}"
        );
    }
    let (stale, _) = app
        .send_if_match(Method::PATCH, &path, &cast.tier1.token, "\"7\"", json!({}))
        .await;
    assert_eq!(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "If-Match still counts"
    );
    let (_, stored) = app.get(&path, &cast.tier1.token).await;
    assert_eq!(
        (&stored["version"], &stored["updated_at"]),
        (&json!(1), &ticket["updated_at"])
    );
    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    assert!(
        !events.iter().any(|e| e["type"] == "updated"),
        "no updated event: {events:?}"
    );
}

async fn an_edit_that_changes_nothing_leaves_no_trace(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let auditor = cast.auditor.token.clone();
    a_ticket_edit_that_changes_nothing_keeps_its_version(&app, &cast).await;

    let unit_path = format!("/api/v1/units/{}", cast.dinkes);
    let (_, unit) = app.get(&unit_path, &app.admin_token).await;
    let (status, edited) = app
        .patch(
            &unit_path,
            &app.admin_token,
            json!({"code": "dinkes", "name": unit["name"], "email": unit["email"], "active": true}),
        )
        .await;
    assert_eq!((status, &edited), (StatusCode::OK, &unit));

    let user_path = format!("/api/v1/users/{}", cast.tier1.id);
    let (_, user) = app.get(&user_path, &app.admin_token).await;
    let (status, edited) = app
        .patch(
            &user_path,
            &app.admin_token,
            json!({"name": user["name"], "email": user["email"], "role": user["role"],
                   "unit_id": user["unit_id"], "active": true}),
        )
        .await;
    assert_eq!((status, &edited), (StatusCode::OK, &user));

    let (status, service) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": cast.dinkes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let service_path = format!("/api/v1/services/{}", service["id"].as_str().expect("id"));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (status, edited) = app
        .patch(
            &service_path,
            &cast.supervisor.token,
            json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": cast.dinkes,
                   "critical": false, "sla_policy_id": null,
                   "availability_target_percent": 99.5, "description": "", "active": true}),
        )
        .await;
    assert_eq!((status, &edited), (StatusCode::OK, &service));
    for (path, token, expected) in [
        (&unit_path, &app.admin_token, &unit),
        (&user_path, &app.admin_token, &user),
        (&service_path, &cast.supervisor.token, &service),
    ] {
        assert_eq!(&app.get(path, token).await.1, expected, "{path}");
    }
    assert_eq!(
        audit_actions(&app, &auditor, "unit", &cast.dinkes).await,
        ["unit_created"]
    );
    assert_eq!(
        audit_actions(&app, &auditor, "user", &cast.tier1.id).await,
        ["user_created"]
    );
    assert_eq!(
        audit_actions(
            &app,
            &auditor,
            "service",
            service["id"].as_str().expect("id")
        )
        .await,
        ["service_created"]
    );
}

on_both_databases!(an_edit_that_changes_nothing_leaves_no_trace,);
