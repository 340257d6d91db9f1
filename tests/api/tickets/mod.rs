//! Recording, reading and listing tickets: numbers, isolation, restriction, retries, pages.

mod create;
mod edit;
mod list;
mod retries;
mod visibility;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestApp;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect()
}

/// Asserts that `path` answers 422 naming `field` first.
async fn refused_naming(app: &TestApp, token: &str, path: &str, field: &str) {
    let (status, problem) = app.get(path, token).await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!(field)),
        "{path}: {problem}"
    );
}
