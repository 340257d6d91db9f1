//! What a client learns of the moves it may make: `allowed_actions` on every ticket it reads,
//! `resolved_by`, refusals that say why, and one contract operation per move.

mod contract;
mod reading;
mod refusals;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Member, TestApp};

fn moves(ticket: &Value) -> Vec<&str> {
    ticket["allowed_actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no allowed_actions in {ticket}"))
        .iter()
        .map(|a| a.as_str().expect("an action"))
        .collect()
}

async fn read_ticket(app: &TestApp, who: &Member, ticket: &Value) -> Value {
    let id = ticket["id"].as_str().expect("id");
    let (status, read) = app.get(&format!("/api/v1/tickets/{id}"), &who.token).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    read
}

async fn listed(app: &TestApp, who: &Member, ticket: &Value) -> Value {
    let (status, page) = app.get("/api/v1/tickets?limit=200", &who.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["id"] == ticket["id"])
        .cloned()
        .expect("the ticket is listed")
}
