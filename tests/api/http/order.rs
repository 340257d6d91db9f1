//! Errors outside the handlers are problem documents too, and the role is judged before the body.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{field_set, raw, set};
use crate::on_both_databases;
use crate::support::{Backend, TestApp, read};

async fn errors_outside_the_handlers_are_problem_documents(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .client
        .delete(app.url("/api/v1/units"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .expect("sent");
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let media = response.headers()["content-type"].clone();
    let (status, problem) = read(response).await;
    assert_eq!(
        (
            status,
            media.as_bytes(),
            &problem["code"],
            &problem["status"]
        ),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            &b"application/problem+json"[..],
            &json!("method_not_allowed"),
            &json!(405)
        )
    );
    let mut allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
    allowed.sort_unstable();
    assert_eq!(allowed, ["GET", "POST"]);

    for (method, path, expected) in [
        (Method::POST, "/healthz", StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/docs/no-such-file.js", StatusCode::NOT_FOUND),
        (Method::GET, "/api/v1/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let (status, media, problem) = raw(&app, method, path, None, None, "").await;
        assert_eq!(
            (status, media.as_str(), problem["status"].as_u64()),
            (
                expected,
                "application/problem+json",
                Some(u64::from(expected.as_u16()))
            ),
            "{path}: {problem}"
        );
    }
}

async fn a_role_that_may_never_do_it_is_refused_before_its_body_is_read(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    let comment = format!("/api/v1/tickets/{id}/comments");
    let resolve = format!("/api/v1/tickets/{id}/resolve");
    for (token, method, path) in [
        (&cast.tier1.token, Method::POST, "/api/v1/units"),
        (&cast.tier1.token, Method::PUT, "/api/v1/region"),
        (&cast.tier2.token, Method::POST, "/api/v1/users"),
        (&cast.auditor.token, Method::POST, "/api/v1/sla-policies"),
        (&cast.auditor.token, Method::POST, comment.as_str()),
        (&cast.integration.token, Method::POST, resolve.as_str()),
        (&app.admin_token, Method::POST, "/api/v1/tickets"),
    ] {
        for (content_type, body) in [
            (Some("application/json"), r#"{"kind": 1, "role": 7}"#),
            (Some("application/json"), "{not json"),
            (Some("text/plain"), "hello"),
            (None, ""),
        ] {
            let (status, _, problem) =
                raw(&app, method.clone(), path, Some(token), content_type, body).await;
            assert_eq!(
                (status, &problem["code"]),
                (StatusCode::FORBIDDEN, &json!("forbidden")),
                "{method} {path} {body:?}: {problem}"
            );
        }
    }
    let (status, _, problem) = raw(
        &app,
        Method::POST,
        "/api/v1/units",
        None,
        Some("text/plain"),
        "{not json",
    )
    .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::UNAUTHORIZED, &json!("unauthenticated"))
    );
    let (status, _, problem) = raw(
        &app,
        Method::POST,
        "/api/v1/units",
        Some(&app.admin_token),
        Some("application/json"),
        r#"{"kind": 1}"#,
    )
    .await;
    assert_eq!(
        (status, field_set(&problem)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            set(&["code", "kind", "name"])
        ),
        "{problem}"
    );
    let (_, comments) = app.get(&comment, &app.admin_token).await;
    assert_eq!(comments, json!([]), "nothing was written");
}

on_both_databases!(
    errors_outside_the_handlers_are_problem_documents,
    a_role_that_may_never_do_it_is_refused_before_its_body_is_read,
);
