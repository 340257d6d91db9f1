//! The checked-in contract must be what the code generates.

use reqwest::{Method, StatusCode};
use servicedesk::api::openapi::ApiDoc;
use servicedesk::service::ErrorCode;
use utoipa::OpenApi;

use crate::support::{Backend, TestApp, read};

#[test]
fn the_checked_in_spec_matches_the_code() {
    let generated = servicedesk::api::openapi::yaml().expect("spec renders");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api-spec/openapi.yaml");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        generated == checked_in,
        "api-spec/openapi.yaml is stale: run `cargo run -- openapi > api-spec/openapi.yaml` and commit it"
    );
}

/// No parameter's schema admits `null`: a query or header is sent or left out, and a schema of
/// "null or the type" makes generators invent a second type or an argument nobody can send.
#[test]
fn no_parameter_is_nullable() {
    let spec = serde_json::to_value(ApiDoc::openapi()).expect("json");
    let mut nullable = Vec::new();
    for (path, operations) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let schema = parameter["schema"].to_string();
                if schema.contains("\"null\"") {
                    nullable.push(format!("{method} {path} {}: {schema}", parameter["name"]));
                }
            }
        }
    }
    assert!(nullable.is_empty(), "nullable parameters: {nullable:#?}");
}

/// The contract as a reader finds it on a running server: Swagger UI at `/docs/`, built into the
/// binary, and the document it shows at `/openapi.json`, the one the drift check above compares.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_serves_the_contract_and_swagger_ui() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = app.send(Method::GET, "/docs/", None, None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    assert!(html.contains("swagger-ui"), "{html}");
    let script = app
        .send(Method::GET, "/docs/swagger-ui-bundle.js", None, None)
        .await;
    assert_eq!(
        script.status(),
        StatusCode::OK,
        "the UI's code is served, not fetched"
    );
    let (status, served) = read(app.send(Method::GET, "/openapi.json", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    let generated = serde_json::to_value(ApiDoc::openapi()).expect("json");
    assert_eq!(served, generated);
}

/// The served contract lists exactly the codes a problem can carry, as the problem's `code`;
/// what the server answers on a few routes of its own is among them (the sweep holds every
/// refusal of every operation to the same list).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_lists_every_problem_code() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, served) = read(app.send(Method::GET, "/openapi.json", None, None).await).await;
    let schemas = &served["components"]["schemas"];
    assert_eq!(
        schemas["Problem"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let listed: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .expect("an enum")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let ours: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(listed, ours);
    for (method, path, token) in [
        (Method::GET, "/api/v1/tickets", None),
        (
            Method::GET,
            "/api/v1/no-such-route",
            Some(app.admin_token.as_str()),
        ),
        (Method::DELETE, "/openapi.json", None),
        (
            Method::GET,
            "/api/v1/users/nobody",
            Some(app.admin_token.as_str()),
        ),
    ] {
        let (status, problem) = read(app.send(method.clone(), path, token, None).await).await;
        assert!(status.is_client_error(), "{method} {path}: {status}");
        let code = problem["code"].as_str().expect("a code");
        assert!(
            listed.contains(&code),
            "{method} {path}: {code} is not listed"
        );
    }
}

/// Each representation the server answers with is one the contract names for that response:
/// CSV and workbook reports, the event stream, both metrics formats.
async fn what_the_server_answers_is_in_its_contract(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let contract = serde_json::to_value(ApiDoc::openapi()).expect("json");
    let period = "from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z";
    for (path, query, accept) in [
        (
            "/api/v1/reports/sla",
            format!("?{period}&group_by=unit"),
            "text/csv",
        ),
        (
            "/api/v1/reports/sla",
            format!("?{period}&group_by=unit"),
            "application/json",
        ),
        (
            "/api/v1/reports/availability",
            format!("?{period}"),
            "text/csv",
        ),
        (
            "/api/v1/reports/availability",
            format!("?{period}"),
            "application/json",
        ),
        (
            "/api/v1/reports/availability",
            format!("?{period}"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/api/v1/reports/sla",
            "?month=2026-11".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("/api/v1/events/stream", String::new(), "text/event-stream"),
        ("/metrics", String::new(), "text/plain;version=0.0.4"),
        ("/metrics", String::new(), "application/openmetrics-text"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("{path}{query}")))
            .bearer_auth(&cast.integration.token)
            .header("Accept", accept)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "{path} {accept}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("content type");
        let media = content_type.split(';').next().unwrap_or_default().trim();
        let documented = &contract["paths"][path]["get"]["responses"]["200"]["content"];
        assert!(
            documented.get(media).is_some(),
            "{path} answers {content_type} to {accept}; the contract names {documented}"
        );
    }
}

crate::on_both_databases!(what_the_server_answers_is_in_its_contract);

/// A request with no body counts as `{}`, so the contract lets a client leave a body out
/// exactly where its schema requires no field; the server answers no body there as it answers
/// `{}`, and where fields are required refuses no body naming them.
async fn a_body_may_be_left_out_exactly_where_it_requires_no_field(backend: Backend) {
    let contract = serde_json::to_value(ApiDoc::openapi()).expect("json");
    for (path, item) in contract["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let Some(body) = operation.get("requestBody") else {
                continue;
            };
            let schema = &body["content"]["application/json"]["schema"]["$ref"];
            let name = schema.as_str().expect("a named schema").rsplit('/').next();
            let fields = &contract["components"]["schemas"][name.expect("name")]["required"];
            let requires_fields = fields.as_array().is_some_and(|f| !f.is_empty());
            assert_eq!(
                body["required"].as_bool().unwrap_or(false),
                requires_fields,
                "{method} {path}: the body is required exactly when its schema requires a field"
            );
        }
    }
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let user = app
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{}", cast.auditor.id),
            Some(&app.admin_token),
            None,
        )
        .await;
    let (status, user) = read(user).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["active"], true);
    let (status, problem) = read(
        app.send(
            Method::POST,
            "/api/v1/tickets",
            Some(&cast.tier1.token),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["field"].as_str())
        .collect();
    assert!(named.contains(&"title"), "{problem}");
}

crate::on_both_databases!(a_body_may_be_left_out_exactly_where_it_requires_no_field);
