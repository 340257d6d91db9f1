//! Bodies: JSON types naming every field, control characters, and the media types a body may have.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{field_set, fields, raw, set};
use crate::on_both_databases;
use crate::support::{Backend, Cast, DOMAIN, PASSWORD, TestApp, incident};

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

/// No body at all stands for `{}`, with or without a content type.
async fn an_absent_body_stands_for_an_empty_object(app: &TestApp, cast: &Cast) {
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    let (status, _, moved) = raw(
        app,
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
        app,
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

    an_absent_body_stands_for_an_empty_object(&app, &cast).await;
}

on_both_databases!(
    wrong_json_types_are_validation_errors_naming_every_field,
    control_characters_are_refused_before_any_use_case,
    json_bodies_need_a_json_media_type,
);
