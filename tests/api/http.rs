//! How the service reads a request before any use case runs: JSON types, control characters,
//! media types, query and path parameters, cursors, error documents, and authorization before
//! validation.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, incident, read};

/// What a request sent with exactly these headers and body got back, with its content type.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, String, Value) {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request
        .body(body.to_owned())
        .send()
        .await
        .expect("request sent");
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (status, body) = read(response).await;
    (status, media, body)
}

/// The fields a problem names, each once.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn field_set(problem: &Value) -> BTreeSet<String> {
    let named = fields(problem);
    let set: BTreeSet<String> = named.iter().cloned().collect();
    assert_eq!(set.len(), named.len(), "a field named twice: {problem}");
    set
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

async fn wrong_json_types_are_validation_errors_naming_every_field(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let users = app.user_count().await;

    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": 7, "email": format!("b@{DOMAIN}"), "password": PASSWORD, "role": 7}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("validation_failed")
        )
    );
    assert_eq!(field_set(&problem), set(&["name", "role"]), "{problem}");

    // A wrong type, a null required enum and a missing field, each reported, none twice.
    let mut ticket = incident(json!({"kind": null, "impact": 1, "reporter": {"name": false}}));
    ticket.as_object_mut().expect("object").remove("title");
    let (status, problem) = app.post("/api/v1/tickets", &cast.tier1.token, ticket).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_set(&problem),
        set(&["kind", "impact", "reporter.name", "title"]),
        "{problem}"
    );

    let tokens = format!("/api/v1/users/{}/tokens", cast.integration.id);
    let (status, problem) = app
        .post(
            &tokens,
            &app.admin_token,
            json!({"name": "Dasbor", "expires_in_days": "ninety"}),
        )
        .await;
    assert_eq!(
        (status, fields(&problem)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["expires_in_days".to_owned()]
        )
    );
    // JSON Schema counts 30.0 an integer; so does the desk.
    let (status, issued) = app
        .post(
            &tokens,
            &app.admin_token,
            json!({"name": "Dasbor", "expires_in_days": 30.0}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");

    // Malformed JSON is still a bad request.
    let (status, media, problem) = raw(
        &app,
        Method::POST,
        "/api/v1/users",
        Some(&app.admin_token),
        Some("application/json"),
        "{\"name\": 7,",
    )
    .await;
    assert_eq!(
        (status, media.as_str(), &problem["code"]),
        (
            StatusCode::BAD_REQUEST,
            "application/problem+json",
            &json!("invalid_body")
        )
    );
    assert_eq!(app.user_count().await, users, "nothing was written");
    assert_eq!(app.ticket_count().await, 0);
}

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

async fn control_characters_are_refused_before_any_use_case(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;

    // Before authentication: the sign-in itself.
    let (status, problem) = app
        .try_login(&format!("admin@{DOMAIN}\u{0}"), PASSWORD)
        .await;
    assert_eq!(
        (status, fields(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["email".to_owned()]),
        "{problem}"
    );

    for reporter in ["Siti\u{0}", "Siti\u{1b}[2J", "Siti\u{7f}", "Siti\rRahma"] {
        let (status, problem) = app
            .post(
                "/api/v1/tickets",
                &cast.tier1.token,
                incident(json!({"reporter": {"name": reporter}})),
            )
            .await;
        assert_eq!(
            (status, fields(&problem)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["reporter.name".to_owned()]
            ),
            "{reporter:?}: {problem}"
        );
    }
    let (status, problem) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "X", "name": "Unit\u{0}", "kind": "pd", "email": format!("x@{DOMAIN}")}),
        )
        .await;
    assert_eq!(
        (status, fields(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_owned()])
    );
    assert_eq!(app.ticket_count().await, 0, "nothing was stored");

    // Long texts keep their line breaks and tabs.
    let description = "Langkah:\r\n1.\tBuka SIMPEG\n2.\tMasuk";
    let ticket = app
        .create_ticket(&cast.tier1.token, json!({"description": description}))
        .await;
    assert_eq!(ticket["description"], description);

    for (path, field) in [
        ("/api/v1/tickets?q=%00", "q"),
        ("/api/v1/tickets?q=a%09b", "q"),
        ("/api/v1/units?cursor=%0A", "cursor"),
        ("/api/v1/tickets/SD-2026-000001%00", "id"),
        ("/api/v1/units/%7F", "id"),
        ("/api/v1/tickets/SD-2026-000001%00/acknowledge", "id"),
    ] {
        let method = if path.contains("acknowledge") {
            Method::POST
        } else {
            Method::GET
        };
        let (status, _, problem) = raw(&app, method, path, Some(&cast.tier1.token), None, "").await;
        assert_eq!(
            (status, fields(&problem)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{path}: {problem}"
        );
    }
    let (_, ticket) = app
        .get("/api/v1/tickets/SD-2026-000001", &cast.tier1.token)
        .await;
    assert_eq!(ticket["status"], "new", "the refused move was not made");
}

async fn json_bodies_need_a_json_media_type(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let unit = r#"{"code": "DISHUB", "name": "Dinas Perhubungan", "kind": "pd"}"#;
    for content_type in [
        Some("text/plain"),
        None,
        Some("application/xml"),
        Some("application/json; charset=latin1"),
    ] {
        let (status, media, problem) = raw(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&app.admin_token),
            content_type,
            unit,
        )
        .await;
        assert_eq!(
            (status, media.as_str(), &problem["code"]),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "application/problem+json",
                &json!("unsupported_media_type")
            ),
            "{content_type:?}"
        );
    }
    let (status, _, created) = raw(
        &app,
        Method::POST,
        "/api/v1/units",
        Some(&app.admin_token),
        Some("application/json; charset=UTF-8"),
        unit,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _, changed) = raw(
        &app,
        Method::PATCH,
        &format!("/api/v1/units/{}", created["id"].as_str().expect("id")),
        Some(&app.admin_token),
        Some("application/merge-patch+json"),
        r#"{"name": "Dinas Perhubungan Kabupaten"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");

    // No body at all stands for `{}`, with or without a content type.
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    let (status, _, moved) = raw(
        &app,
        Method::POST,
        &format!("/api/v1/tickets/{id}/acknowledge"),
        Some(&cast.tier1.token),
        None,
        "",
    )
    .await;
    assert_eq!(
        (status, &moved["status"]),
        (StatusCode::OK, &json!("in_progress")),
        "{moved}"
    );
    let (status, _, problem) = raw(
        &app,
        Method::POST,
        &format!("/api/v1/tickets/{id}/escalate"),
        Some(&cast.tier1.token),
        Some("application/json"),
        "",
    )
    .await;
    assert_eq!(
        (status, fields(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_owned()]),
        "{problem}"
    );
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
    wrong_json_types_are_validation_errors_naming_every_field,
    query_and_path_problems_name_the_parameter,
    control_characters_are_refused_before_any_use_case,
    json_bodies_need_a_json_media_type,
    a_garbage_cursor_is_refused_on_every_list,
    errors_outside_the_handlers_are_problem_documents,
    oversized_heads_and_query_values_are_problem_documents,
    a_role_that_may_never_do_it_is_refused_before_its_body_is_read,
);
