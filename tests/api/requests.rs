//! How the service answers requests in general: probes, errors, limits, concurrency.

use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, assert_refused_on, read};

async fn probes_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = read(app.send(Method::GET, "/healthz", None, None).await).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    let (status, body) = read(app.send(Method::GET, "/readyz", None, None).await).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ready"})));
}

async fn readiness_fails_while_a_migration_is_pending(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    diesel::sql_query(
        "DELETE FROM __diesel_schema_migrations \
         WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
    )
    .execute(&mut conn)
    .expect("forget the newest migration");
    let (status, problem) = read(app.send(Method::GET, "/readyz", None, None).await).await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::SERVICE_UNAVAILABLE, &json!("unavailable"))
    );
    let (status, _) = read(app.send(Method::GET, "/healthz", None, None).await).await;
    assert_eq!(status, StatusCode::OK, "the process itself still runs");
}

async fn bad_bodies_get_problem_documents_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = app.user_count().await;
    let malformed = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{\"name\": \"Budi\",")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        malformed
            .headers()
            .get("content-type")
            .map(|v| v.as_bytes()),
        Some(&b"application/problem+json"[..])
    );
    let (status, problem) = read(malformed).await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_body"))
    );
    assert_eq!(problem["status"], 400);
    assert!(
        problem["type"].is_string()
            && problem["title"].is_string()
            && problem["detail"].is_string()
    );

    for (body, field) in [
        (
            json!({"name": 7, "email": "x", "password": PASSWORD, "role": "tier1"}),
            "name",
        ),
        (
            json!({"name": "Budi", "password": PASSWORD, "role": "tier1"}),
            "email",
        ),
    ] {
        let (status, problem) = app.post("/api/v1/users", &app.admin_token, body).await;
        assert_eq!(
            (status, &problem["code"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!("validation_failed")
            )
        );
        assert_eq!(problem["errors"][0]["field"], field);
    }

    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Budi", "email": format!("b@{DOMAIN}"), "password": PASSWORD, "role": "superuser"}),
        )
        .await;
    assert_refused_on(status, &problem, "role");

    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Budi", "email": format!("b@{DOMAIN}"), "password": "pendek", "role": "auditor"}),
        )
        .await;
    assert_refused_on(status, &problem, "password");
    assert_eq!(app.user_count().await, before, "nothing was written");
}

async fn bodies_over_one_mebibyte_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = app.user_count().await;
    let huge = "x".repeat(1 << 20);
    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": huge, "email": format!("b@{DOMAIN}"), "password": PASSWORD, "role": "auditor"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::PAYLOAD_TOO_LARGE, &json!("payload_too_large"))
    );
    assert_eq!(app.user_count().await, before);
}

async fn unknown_routes_and_bad_queries_are_problems_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, problem) = app.get("/api/v1/nothing-here", &app.admin_token).await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::NOT_FOUND, &json!("not_found"))
    );
    let (status, problem) = app.get("/api/v1/units?limit=many", &app.admin_token).await;
    assert_eq!(
        (status, &problem["code"], &problem["errors"][0]["field"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("validation_failed"),
            &json!("limit")
        )
    );
}

async fn concurrent_writers_all_succeed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let writes = (0..8).map(|i| {
        let app = &app;
        let pd = pd.clone();
        async move {
            app.post(
                "/api/v1/users",
                &app.admin_token,
                json!({"name": format!("T{i}"), "email": format!("t{i}@{DOMAIN}"), "password": PASSWORD,
                       "role": "tier1", "unit_id": pd}),
            )
            .await
            .0
        }
    });
    // Polled together: all eight requests are in flight at once.
    let statuses = futures::future::join_all(writes).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    assert_eq!(app.user_count().await, 9);
}

on_both_databases!(
    probes_answer,
    readiness_fails_while_a_migration_is_pending,
    bad_bodies_get_problem_documents_naming_the_field,
    bodies_over_one_mebibyte_are_refused,
    unknown_routes_and_bad_queries_are_problems_too,
    concurrent_writers_all_succeed,
);
