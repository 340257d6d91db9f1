//! The records the sweep needs, made through the API, and the values standing for them.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{DOMAIN, TestApp};

/// Records that the sweep needs, made through the API, and the values standing for them in
/// paths and bodies.
pub(super) struct Fixture {
    ids: BTreeMap<&'static str, String>,
    admin: String,
    supervisor: String,
    tier1: String,
    monitor: String,
}

impl Fixture {
    pub(super) async fn make(app: &TestApp) -> Self {
        let pd = app.create_pd("SAPU").await;
        let dinas = app.dinas_id().await;
        let (tier1_id, tier1) = app
            .create_user(&format!("sapu.t1@{DOMAIN}"), "tier1", Some(&pd))
            .await;
        let (supervisor_id, supervisor) = app
            .create_user(&format!("sapu.spv@{DOMAIN}"), "supervisor", Some(&dinas))
            .await;
        let admin = app.admin_token.clone();
        let (integration_id, token_id) = integration_with_token(app, &admin).await;
        let monitor = crate::alerts::monitor(app).await;
        let first = |list: Value| text(&list["items"][0]["id"]);
        let calendar = first(app.get("/api/v1/calendars", &admin).await.1);
        let policy = first(app.get("/api/v1/sla-policies", &admin).await.1);
        let (status, service) = app
            .post(
                "/api/v1/services",
                &supervisor,
                json!({"code": "SAPU-SVC", "name": "Layanan Sapu", "owner_unit_id": dinas}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{service}");
        let service = text(&service["id"]);
        let (status, outage) = app
            .post(
                &format!("/api/v1/services/{service}/outages"),
                &supervisor,
                json!({"started_at": "2026-01-05T01:00:00Z"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{outage}");
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                &tier1,
                json!({"kind": "incident", "title": "Sapu", "description": "d",
                       "impact": "low", "urgency": "low", "reporter": {"name": "Sapu"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        let notification = first(app.get("/api/v1/notifications", &admin).await.1);
        // Mail still on its way would change the database under the sweep.
        mail_settled(app, &admin).await;
        let ids = BTreeMap::from([
            ("unit", pd.clone()),
            ("unit_id", pd),
            ("owner_unit_id", dinas),
            ("user", tier1_id),
            ("integration_user", integration_id),
            ("assignee_id", supervisor_id),
            ("token", token_id),
            ("calendar", calendar.clone()),
            ("calendar_id", calendar),
            ("policy", policy.clone()),
            ("sla_policy_id", policy),
            ("service", service.clone()),
            ("service_id", service),
            ("outage", text(&outage["id"])),
            ("ticket", text(&ticket["number"])),
            ("ticket_id", text(&ticket["id"])),
            ("notification", notification),
        ]);
        Self {
            ids,
            admin,
            supervisor,
            tier1,
            monitor,
        }
    }

    /// The token of a role that may do the operation, so that the answer is about the input.
    pub(super) fn token_for(&self, method: &reqwest::Method, path: &str) -> Option<&str> {
        if path == "/api/v1/auth/login" {
            return None;
        }
        if method == reqwest::Method::POST && path.starts_with("/api/v1/alerts") {
            return Some(&self.monitor);
        }
        let supervised = [
            "/api/v1/calendars",
            "/api/v1/sla-policies",
            "/api/v1/services",
            "/api/v1/governance",
        ];
        Some(if path.starts_with("/api/v1/tickets") {
            &self.tier1
        } else if supervised.iter().any(|prefix| path.starts_with(prefix)) {
            &self.supervisor
        } else {
            &self.admin
        })
    }

    /// The record a path parameter stands for in `template`.
    pub(super) fn path_value(&self, template: &str, name: &str) -> String {
        let record = match (name, template) {
            ("oid", _) => "outage",
            (_, t) if t.starts_with("/api/v1/units/") => "unit",
            (_, t) if t.ends_with("/tokens") => "integration_user",
            (_, t) if t.starts_with("/api/v1/users/") => "user",
            (_, t) if t.starts_with("/api/v1/tokens/") => "token",
            (_, t) if t.starts_with("/api/v1/calendars/") => "calendar",
            (_, t) if t.starts_with("/api/v1/sla-policies/") => "policy",
            (_, t) if t.starts_with("/api/v1/services/") => "service",
            (_, t) if t.starts_with("/api/v1/tickets/") => "ticket",
            (_, t) if t.starts_with("/api/v1/notifications/") => "notification",
            _ => panic!("the sweep has no record for {name} in {template}; add one"),
        };
        self.ids[record].clone()
    }

    /// A valid value for a required query parameter, so that the answer is about the one
    /// parameter at fault.
    pub(super) fn query_value(&self, name: &Value) -> String {
        match name.as_str() {
            Some("from") => "2026-01-01T00:00:00Z".into(),
            Some("to") => "2026-02-01T00:00:00Z".into(),
            Some("entity") => "ticket".into(),
            Some("entity_id") => self.ids["ticket_id"].clone(),
            _ => panic!("the sweep has no value for the required query parameter {name}"),
        }
    }

    /// The contract's example body with its ids replaced by the fixture's, so that the body
    /// would be accepted but for the one fault each case puts in.
    pub(super) fn localise(&self, value: &mut Value) {
        match value {
            Value::Object(members) => {
                for (name, member) in members.iter_mut() {
                    match self.ids.get(name.as_str()) {
                        Some(id) if member.is_string() => *member = json!(id),
                        _ => self.localise(member),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.localise(item)),
            _ => {}
        }
    }
}

/// An integration account and a token of it, by id.
async fn integration_with_token(app: &TestApp, admin: &str) -> (String, String) {
    let (_, integration) = app
        .post(
            "/api/v1/users",
            admin,
            json!({"name": "Dasbor", "email": "dasbor@example.org", "role": "integration"}),
        )
        .await;
    let integration_id = text(&integration["id"]);
    let (_, token) = app
        .post(
            &format!("/api/v1/users/{integration_id}/tokens"),
            admin,
            json!({"name": "dasbor"}),
        )
        .await;
    (integration_id, text(&token["id"]))
}

/// Waits, for ten seconds at most, until no mail is pending.
async fn mail_settled(app: &TestApp, admin: &str) {
    for _ in 0..500 {
        let (_, pending) = app.get("/api/v1/notifications?status=pending", admin).await;
        if pending["items"].as_array().is_some_and(Vec::is_empty) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The text `value` holds, which the sweep's records always have.
pub(super) fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected text, got {value}"))
        .to_owned()
}
