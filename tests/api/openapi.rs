//! The checked-in contract must be what the code generates.

use reqwest::{Method, StatusCode};
use servicedesk::api::openapi::ApiDoc;
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
