//! Editing a ticket: the priority matrix, versions and a malformed If-Match.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp, read};

/// Sends a PATCH of `body` to `path` under `If-Match: etag`.
async fn patch_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    body: Value,
    etag: &str,
) -> (StatusCode, Value) {
    app.send_if_match(Method::PATCH, path, token, etag, body)
        .await
}

async fn edits_follow_the_priority_matrix_and_refuse_stale_versions(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id"));
    let edit = |body: Value, etag: &'static str| {
        patch_if_match(&app, &path, &cast.tier1.token, body, etag)
    };
    let (status, edited) = edit(
        json!({"impact": "high", "urgency": "high", "assignee_id": cast.tier1_colleague.id}),
        "\"1\"",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        (
            &edited["priority"],
            &edited["version"],
            &edited["assignee_id"]
        ),
        (
            &json!("critical"),
            &json!(2),
            &json!(cast.tier1_colleague.id)
        )
    );
    let (status, problem) = edit(json!({"title": "Basi"}), "\"1\"").await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::PRECONDITION_FAILED,
            &json!("precondition_failed")
        )
    );
    let (_, current) = app.get(&path, &cast.tier1.token).await;
    assert_eq!(current, edited, "a stale edit changes nothing");
    let (_, events) = app.get(&format!("{path}/events"), &cast.tier1.token).await;
    let updated = events
        .as_array()
        .and_then(|e| e.iter().find(|e| e["type"] == "updated"))
        .expect("an updated event");
    assert_eq!(
        updated["data"]["priority"],
        json!({"from": "medium", "to": "critical"})
    );
    // A rewritten description leaves a trace on the trail, without repeating the text.
    let (status, _) = edit(json!({"description": "Semua PC di lantai 2 mati"}), "\"2\"").await;
    assert_eq!(status, StatusCode::OK);
    let events = app.ticket_events(&cast.tier1.token, &ticket).await;
    let last = events.iter().rev().find(|e| e["type"] == "updated");
    assert_eq!(
        last.map(|e| &e["data"]),
        Some(&json!({"description_changed": true})),
        "{events:?}"
    );

    later_edits_are_refused(&app, &cast, &ticket, &path).await;
}

/// Past the first edit: an assignee outside the PD, a ticket escalated away, a resolved ticket.
async fn later_edits_are_refused(app: &TestApp, cast: &Cast, ticket: &Value, path: &str) {
    let (status, problem) = app
        .patch(
            path,
            &cast.tier1.token,
            json!({"assignee_id": cast.tier1_other_pd.id}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("assignee_cannot_work_ticket")
        )
    );
    let escalated = app
        .act_saying(&cast.tier1.token, ticket, "escalate", "Butuh akses server")
        .await;
    assert_eq!(
        app.patch(path, &cast.tier1.token, json!({"title": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    app.act_saying(
        &cast.tier2.token,
        &escalated,
        "resolve",
        "Server dimulai ulang",
    )
    .await;
    let (status, problem) = app
        .patch(path, &cast.tier2.token, json!({"title": "x"}))
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::CONFLICT, &json!("invalid_transition"))
    );
}

/// A malformed If-Match is a field at fault, named, and judged like the body after the token
/// and the role: it was answered 412 before the token was even read, and before a broken body.
async fn a_malformed_if_match_is_refused_naming_it_after_token_and_body(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    let send = |method: Method, path: String, token: Option<String>, body: Value| {
        let app = &app;
        async move {
            let mut request = app
                .client
                .request(method, app.url(&path))
                .header("If-Match", "versi-lama")
                .json(&body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            read(request.send().await.expect("sent")).await
        }
    };
    let token = Some(cast.tier1.token.clone());
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/tickets/{id}"),
            json!({"title": "Judul baru"}),
        ),
        (
            Method::POST,
            format!("/api/v1/tickets/{id}/acknowledge"),
            json!({}),
        ),
    ] {
        let (status, problem) =
            send(method.clone(), path.clone(), token.clone(), body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], "If-Match", "{problem}");
        let (status, _) = send(method.clone(), path.clone(), None, body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{path}: the token comes first"
        );
        let (status, problem) = send(method, path.clone(), token.clone(), json!([null])).await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("body")),
            "{path}: the body comes before If-Match"
        );
    }
    // The contract's pattern is the rule: the version in quotes, weak or not, or `*`.
    let path = format!("/api/v1/tickets/{id}");
    // A version past any a ticket reaches is well formed, and stale.
    let (status, _) = app
        .send_if_match(
            Method::PATCH,
            &path,
            &cast.tier1.token,
            "\"99999999999999999999999\"",
            json!({"title": "X"}),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    for etag in ["1", "\"-1\"", "\"\"", "W/1", "\"1"] {
        let (status, problem) = app
            .send_if_match(
                Method::PATCH,
                &path,
                &cast.tier1.token,
                etag,
                json!({"title": "X"}),
            )
            .await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("If-Match")),
            "{etag}: {problem}"
        );
    }
    let (_, current) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1.token)
        .await;
    assert_eq!(current, ticket, "nothing changed");
}

on_both_databases!(
    edits_follow_the_priority_matrix_and_refuse_stale_versions,
    a_malformed_if_match_is_refused_naming_it_after_token_and_body,
);
