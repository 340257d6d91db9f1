//! Alerts from monitoring: what a monitor sees becomes the outage and the incident.

mod alertmanager;
mod generic;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Cast, DOMAIN, TestApp};

/// A monitoring account and a token of it, as an admin makes them; returns the token.
pub(crate) async fn monitor(app: &TestApp) -> String {
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Alertmanager Diskominfo", "email": format!("alertmanager@{DOMAIN}"),
                   "role": "monitoring"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().expect("id");
    let (status, issued) = app
        .post(
            &format!("/api/v1/users/{id}/tokens"),
            &app.admin_token,
            json!({"name": "alertmanager"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    issued["token"].as_str().expect("token").to_owned()
}

/// A service of Dinkes with `code` and the `extra` fields; returns it.
pub(crate) async fn service(app: &TestApp, cast: &Cast, code: &str, extra: Value) -> Value {
    let mut body =
        json!({"code": code, "name": format!("Layanan {code}"), "owner_unit_id": cast.dinkes});
    for (key, value) in extra.as_object().expect("fields") {
        body[key] = value.clone();
    }
    let (status, service) = app
        .post("/api/v1/services", &cast.supervisor.token, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    service
}

/// A service's outages, newest first.
pub(crate) async fn outages(app: &TestApp, token: &str, service: &Value) -> Vec<Value> {
    let (status, page) = app
        .get(
            &format!(
                "/api/v1/services/{}/outages",
                service["id"].as_str().expect("id")
            ),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().expect("items").clone()
}

/// The tickets of a service, as Tier 2 lists them.
pub(crate) async fn incidents(app: &TestApp, cast: &Cast, service: &Value) -> Vec<Value> {
    let (status, page) = app
        .get(
            &format!(
                "/api/v1/tickets?service_id={}&limit=200",
                service["id"].as_str().expect("id")
            ),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().expect("items").clone()
}
