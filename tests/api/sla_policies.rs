//! SLA policies: one target per priority, one region default.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on};

fn targets() -> Value {
    json!([
        {"priority": "critical", "response_seconds": 600, "tier1_seconds": 1800, "resolution_seconds": 7200, "warn_at_percent": 80},
        {"priority": "high", "response_seconds": 1200, "tier1_seconds": 3600, "resolution_seconds": 14400},
        {"priority": "medium", "response_seconds": 3600, "tier1_seconds": null, "resolution_seconds": 86400},
        {"priority": "low", "response_seconds": 7200, "tier1_seconds": null, "resolution_seconds": 172800}
    ])
}

async fn the_preset_policy_is_the_default(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (status, page) = app.get("/api/v1/sla-policies", &cast.tier1.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let policy = &page["items"][0];
    assert_eq!(policy["default"], true);
    assert_eq!(
        policy["targets"][0],
        json!({"priority": "critical", "response_seconds": 900, "tier1_seconds": 3600,
               "resolution_seconds": 14400, "warn_at_percent": 75})
    );
    assert_eq!(policy["targets"][3]["priority"], "low");
}

async fn a_new_default_policy_takes_over(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (_, page) = app
        .get("/api/v1/sla-policies", &cast.supervisor.token)
        .await;
    let old = page["items"][0].clone();
    let calendar = old["calendar_id"].clone();
    let input = json!({"name": "Layanan kritis", "calendar_id": calendar, "default": true, "targets": targets()});
    assert_eq!(
        app.post("/api/v1/sla-policies", &cast.tier2.token, input.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, policy) = app
        .post("/api/v1/sla-policies", &cast.supervisor.token, input)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{policy}");
    assert_eq!(
        (&policy["default"], &policy["targets"][2]["tier1_seconds"]),
        (&json!(true), &json!(null))
    );
    assert_eq!(
        policy["targets"][1]["warn_at_percent"], 75,
        "the warning defaults to 75%"
    );
    let (_, old_now) = app
        .get(
            &format!("/api/v1/sla-policies/{}", old["id"].as_str().expect("id")),
            &cast.supervisor.token,
        )
        .await;
    assert_eq!(old_now["default"], false, "one default at a time");

    let path = format!(
        "/api/v1/sla-policies/{}",
        policy["id"].as_str().expect("id")
    );
    let (status, problem) = app
        .put(
            &path,
            &cast.supervisor.token,
            json!({"name": "x", "calendar_id": calendar, "default": false, "targets": targets()}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("default_policy_required")
        )
    );
    let (status, renamed) = app
        .put(&path, &app.admin_token, json!({"name": "Kritis 2027", "calendar_id": calendar, "default": true, "targets": targets()}))
        .await;
    assert_eq!(
        (status, &renamed["name"]),
        (StatusCode::OK, &json!("Kritis 2027"))
    );
}

async fn incoherent_targets_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (_, page) = app
        .get("/api/v1/sla-policies", &cast.supervisor.token)
        .await;
    let calendar = page["items"][0]["calendar_id"].clone();
    let mut slow_response = targets();
    slow_response[0]["response_seconds"] = json!(9000);
    let mut late_escalation = targets();
    late_escalation[1]["tier1_seconds"] = json!(20000);
    let mut twice = targets();
    twice[3]["priority"] = json!("high");
    for (targets, field) in [
        (slow_response, "targets[0].response_seconds"),
        (late_escalation, "targets[1].tier1_seconds"),
        (twice, "targets[3].priority"),
        (json!([]), "targets"),
    ] {
        let (status, problem) = app
            .post(
                "/api/v1/sla-policies",
                &cast.supervisor.token,
                json!({"name": "x", "calendar_id": calendar, "targets": targets}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let (status, problem) = app
        .post(
            "/api/v1/sla-policies",
            &cast.supervisor.token,
            json!({"name": "x", "calendar_id": "nope", "targets": targets()}),
        )
        .await;
    assert_refused_on(status, &problem, "calendar_id");
    let (_, page) = app
        .get("/api/v1/sla-policies", &cast.supervisor.token)
        .await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(1),
        "nothing was written"
    );
}

on_both_databases!(
    the_preset_policy_is_the_default,
    a_new_default_policy_takes_over,
    incoherent_targets_are_refused,
);
