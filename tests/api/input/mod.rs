//! What the desk takes from its callers: one-line text in titles and names, addresses the
//! mailer can send to, official domains taken exactly, and edits that change nothing.

mod addresses;
mod domains;
mod lines;
mod no_change;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

async fn refused_field(app: &TestApp, path: &str, token: &str, body: Value) -> Vec<String> {
    let (status, problem) = app.post(path, token, body).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{path}: {problem}"
    );
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}
