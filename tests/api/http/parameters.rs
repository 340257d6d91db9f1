//! Query and path parameters, cursors, and heads or values over their size.

use reqwest::StatusCode;
use serde_json::json;

use super::fields;
use crate::on_both_databases;
use crate::support::{Backend, TestApp, read};

async fn query_and_path_problems_name_the_parameter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (path, field) in [
        ("/api/v1/units?limit=abc", "limit"),
        ("/api/v1/tickets?tier=two", "tier"),
        ("/api/v1/tickets?breached=perhaps", "breached"),
        ("/api/v1/audit-log?entity=unit", "entity_id"),
        ("/api/v1/users?role=root", "role"),
    ] {
        let (status, problem) = app.get(path, &app.admin_token).await;
        assert_eq!(
            (status, &problem["code"], fields(&problem)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!("validation_failed"),
                vec![field.to_owned()]
            ),
            "{path}: {problem}"
        );
    }
}

async fn a_garbage_cursor_is_refused_on_every_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for list in [
        "/api/v1/units",
        "/api/v1/users",
        "/api/v1/calendars",
        "/api/v1/sla-policies",
        "/api/v1/services",
        "/api/v1/tickets",
        "/api/v1/notifications",
    ] {
        for cursor in ["garbage", "zzzz", "1.x"] {
            let (status, problem) = app
                .get(&format!("{list}?cursor={cursor}"), &app.admin_token)
                .await;
            assert_eq!(
                (status, fields(&problem)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec!["cursor".to_owned()]),
                "{list}?cursor={cursor}: {problem}"
            );
            // Every list says it in the same words, with no code mixed into them.
            assert_eq!(
                problem["errors"][0]["message"], "is not a cursor this list gave out",
                "{list}?cursor={cursor}: {problem}"
            );
        }
    }
    // A cursor the list gave out still pages.
    app.create_pd("DINKES").await;
    let (_, first) = app.get("/api/v1/units?limit=1", &app.admin_token).await;
    let cursor = first["next_cursor"].as_str().expect("two units");
    let (status, page) = app
        .get(
            &format!("/api/v1/units?limit=1&cursor={cursor}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
}

async fn oversized_heads_and_query_values_are_problem_documents(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let problem_of = |response: reqwest::Response| async move {
        let media = response.headers()["content-type"].clone();
        let (status, problem) = read(response).await;
        assert_eq!(media.as_bytes(), b"application/problem+json", "{problem}");
        (status, problem)
    };
    let mut many = app
        .client
        .get(app.url("/api/v1/units"))
        .bearer_auth(&app.admin_token);
    for i in 0..70 {
        many = many.header(format!("x-extra-{i}"), "1");
    }
    let (status, problem) = problem_of(many.send().await.expect("sent")).await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            &json!("headers_too_large")
        )
    );
    let large = app
        .client
        .get(app.url("/api/v1/units"))
        .bearer_auth(&app.admin_token)
        .header("x-large", "a".repeat(40 * 1024))
        .send()
        .await
        .expect("sent");
    let (status, problem) = problem_of(large).await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            &json!("headers_too_large")
        )
    );
    let long_query = app
        .client
        .get(app.url(&format!("/api/v1/tickets?q={}", "x".repeat(1001))))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .expect("sent");
    let (status, problem) = problem_of(long_query).await;
    assert_eq!(
        (status, fields(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["q".to_owned()])
    );
    let (status, problem) = app.get("/api/v1/tickets?q=%FF", &app.admin_token).await;
    assert_eq!(
        (status, fields(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["q".to_owned()]),
        "escaped bytes that are not UTF-8"
    );
    let (status, _) = app
        .get(
            // `q` has a tighter limit of its own; a parameter with none meets the screen's.
            &format!("/api/v1/tickets?note={}", "x".repeat(1000)),
            &app.admin_token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a value at the limit is read");
}

on_both_databases!(
    query_and_path_problems_name_the_parameter,
    a_garbage_cursor_is_refused_on_every_list,
    oversized_heads_and_query_values_are_problem_documents,
);
