//! What an integration token reads: names of units and services and opaque ids, never a
//! person (reporters, who was mailed, internal comments), never a field of a restricted ticket.

use std::time::Duration;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, Cast, DOMAIN, TestApp, read};

/// Raw Server-Sent Events text of `token`'s stream (resumed after `last_event_id`, if any),
/// read until `marker` shows up in it.
struct RawStream {
    response: reqwest::Response,
    text: String,
}

impl RawStream {
    async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Self {
        Self {
            response: app.event_stream(token, last_event_id).await,
            text: String::new(),
        }
    }

    async fn until(mut self, marker: &str) -> String {
        while !self.text.contains(marker) {
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {marker} in the stream: {}", self.text))
                .expect("chunk")
                .unwrap_or_else(|| panic!("the stream ended: {}", self.text));
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
        self.text
    }
}

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("id")
}

/// Sends the mail due, and checks that each ticket has at least its count of mails sent.
async fn mails_sent(app: &TestApp, cast: &Cast, expected: &[(&Value, usize)]) {
    app.dispatch_mail().await;
    for (ticket, count) in expected {
        let sent = app
            .ticket_events(&cast.auditor.token, ticket)
            .await
            .iter()
            .filter(|e| e["type"] == "notification_sent")
            .count();
        assert!(sent >= *count, "the mails were not sent: {sent} of {count}");
    }
}

/// Every answer an integration token gets from what it may read, and from what it may not,
/// with what was asked: tickets and their lists, events and comments, the summary, both reports in
/// JSON and CSV, units, services, the region, its own account, metrics, the staff-only lists
/// (refused), and the event stream live since `live` was opened and replayed from the start.
async fn everything_an_integration_reads(
    app: &TestApp,
    cast: &Cast,
    tickets: &[&Value],
    live: RawStream,
) -> Vec<(String, String)> {
    let token = &cast.integration.token;
    // The stream's last event, from a public ticket made after the rest.
    let marker = app.create_ticket(&cast.tier1.token, json!({})).await;
    // Its mail is not what these tests read.
    app.expect_owed_mail();
    let mut paths = vec![
        "/api/v1/tickets?limit=200".to_owned(),
        "/api/v1/tickets?q=simpeg".to_owned(),
        "/api/v1/tickets?breached=true".to_owned(),
        "/api/v1/tickets?sort=due".to_owned(),
        "/api/v1/dashboard/summary".to_owned(),
        "/api/v1/units".to_owned(),
        format!("/api/v1/units/{}", cast.dinkes),
        "/api/v1/services".to_owned(),
        "/api/v1/region".to_owned(),
        "/api/v1/auth/me".to_owned(),
        format!("/api/v1/users/{}", cast.integration.id),
        "/api/v1/users".to_owned(),
        format!("/api/v1/users/{}", cast.tier1.id),
        format!("/api/v1/users/{}/tokens", cast.integration.id),
        "/api/v1/notifications".to_owned(),
        format!("/api/v1/audit-log?entity=user&entity_id={}", cast.tier1.id),
        "/metrics".to_owned(),
    ];
    let today = Utc::now().date_naive();
    let period = format!(
        "from={}T00:00:00Z&to={}T00:00:00Z",
        today.pred_opt().expect("yesterday"),
        today.succ_opt().expect("tomorrow")
    );
    for group in ["unit", "service", "tier", "priority"] {
        for format in ["json", "csv"] {
            paths.push(format!(
                "/api/v1/reports/sla?{period}&group_by={group}&format={format}"
            ));
        }
    }
    for format in ["json", "csv"] {
        paths.push(format!(
            "/api/v1/reports/availability?{period}&format={format}"
        ));
    }
    for ticket in tickets {
        for what in ["id", "number"] {
            let key = ticket[what].as_str().expect("key");
            paths.push(format!("/api/v1/tickets/{key}"));
            paths.push(format!("/api/v1/tickets/{key}/events"));
            paths.push(format!("/api/v1/tickets/{key}/comments"));
        }
    }
    let mut answers = Vec::new();
    for path in paths {
        let (status, body) = read(app.send(Method::GET, &path, Some(token), None).await).await;
        assert!(
            status != StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {body}"
        );
        answers.push((path, format!("{status} {body}")));
    }
    let stream = "/api/v1/events/stream".to_owned();
    answers.push((stream.clone(), live.until(id(&marker)).await));
    let replayed = RawStream::open(app, token, Some("0")).await;
    answers.push((
        format!("{stream} from the start"),
        replayed.until(id(&marker)).await,
    ));
    answers
}

/// Fails if `text` is in any answer.
fn nowhere(answers: &[(String, String)], text: &str) {
    for (asked, answer) in answers {
        assert!(
            !answer.contains(text),
            "{text} reached an integration through {asked}: {answer}"
        );
    }
}

/// The addresses a ticket's mail went to, or was kept from, as staff see them.
fn mailed(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("notification_"))
        })
        .flat_map(|e| {
            let data = &e["data"];
            let listed = |field: &str| data[field].as_array().cloned().unwrap_or_default();
            listed("to")
                .into_iter()
                .chain(listed("cc"))
                .chain([data["address"].clone()])
        })
        .filter_map(|address| address.as_str().map(str::to_owned))
        .collect()
}

async fn an_integration_reads_no_person_nor_internal_comment(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    let live = RawStream::open(&app, &cast.integration.token, None).await;
    let official = app.create_ticket(&cast.tier1.token, json!({})).await;
    let citizen_reporter =
        json!({"name": "Budi Warga", "email": "budi.warga@gmail.com", "phone": "0812 9999 0000"});
    let citizen = app
        .create_ticket(&cast.tier1.token, json!({"reporter": citizen_reporter}))
        .await;
    let comments = format!("/api/v1/tickets/{}/comments", id(&official));
    let secret = "Catatan internal: sandi router 4321";
    for (body, internal) in [("Sedang kami periksa", false), (secret, true)] {
        let (status, comment) = app
            .post(
                &comments,
                &cast.tier1.token,
                json!({"body": body, "internal": internal}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{comment}");
        assert!(comment["author_name"].is_string(), "{comment}");
    }
    app.act_saying(
        &cast.tier1.token,
        &official,
        "escalate",
        "Perlu akses server",
    )
    .await;
    app.act_saying(
        &cast.tier2.token,
        &official,
        "resolve",
        "Layanan dijalankan ulang",
    )
    .await;
    app.act_saying(&cast.tier1.token, &citizen, "resolve", "Sudah pulih")
        .await;
    // Created, escalated and resolved; created and resolved (to the PD, not the citizen).
    mails_sent(&app, &cast, &[(&official, 3), (&citizen, 2)]).await;

    let staff_events = [
        app.ticket_events(&cast.auditor.token, &official).await,
        app.ticket_events(&cast.auditor.token, &citizen).await,
    ];
    let mut personal: Vec<String> = staff_events.iter().flat_map(|e| mailed(e)).collect();
    for who in [
        "teknisi.dinkes",
        "rekan.dinkes",
        "tier2",
        "dinkes",
        "diskominfo",
        "siti",
    ] {
        let address = format!("{who}@{DOMAIN}");
        assert!(
            personal.contains(&address),
            "staff see that {address} was mailed: {personal:?}"
        );
    }
    assert!(personal.contains(&"budi.warga@gmail.com".to_owned()));
    personal.extend(
        [
            "Siti Rahma",
            "+62 812-3456-7890",
            "Budi Warga",
            "0812 9999 0000",
            secret,
        ]
        .map(str::to_owned),
    );
    let (_, staff_view) = app
        .get(
            &format!("/api/v1/tickets/{}", id(&official)),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(
        staff_view["reporter"],
        json!({"name": "Siti Rahma", "email": format!("siti@{DOMAIN}"), "phone": "+62 812-3456-7890"}),
        "staff still see the reporter"
    );

    let answers = everything_an_integration_reads(&app, &cast, &[&official, &citizen], live).await;
    for text in &personal {
        nowhere(&answers, text);
    }
    nowhere(&answers, r#""internal":true"#);

    let (_, theirs) = app
        .get(
            &format!("/api/v1/tickets/{}", id(&official)),
            &cast.integration.token,
        )
        .await;
    assert_eq!(theirs["reporter"], Value::Null);
    assert_eq!(theirs["number"], official["number"]);
    let their_events = app.ticket_events(&cast.integration.token, &official).await;
    assert_eq!(
        their_events.len(),
        staff_events[0].len() - 1,
        "every event but the internal comment's"
    );
    let sent: Vec<&Value> = their_events
        .iter()
        .filter(|e| e["type"] == "notification_sent")
        .collect();
    assert_eq!(sent.len(), 3, "a mail went out, to nobody it names");
    assert!(sent.iter().all(|e| e["data"]["kind"].is_string()));
    let (_, their_comments) = app.get(&comments, &cast.integration.token).await;
    assert_eq!(their_comments.as_array().map(Vec::len), Some(1));

    // Staff see who acted and wrote by name; an integration sees the ids only.
    let (_, tier1) = app.get("/api/v1/auth/me", &cast.tier1.token).await;
    let (_, tier2) = app.get("/api/v1/auth/me", &cast.tier2.token).await;
    let named = |events: &[Value], kind: &str| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| e["actor_name"].clone())
            .collect()
    };
    assert_eq!(
        named(&staff_events[0], "escalated"),
        [tier1["name"].clone()]
    );
    assert_eq!(named(&staff_events[0], "resolved"), [tier2["name"].clone()]);
    assert!(
        staff_events[0]
            .iter()
            .filter(|e| e["actor_id"].is_null())
            .all(|e| e["actor_name"].is_null()),
        "the SLA engine and the mailer are nobody"
    );
    let (_, staff_comments) = app.get(&comments, &cast.tier2.token).await;
    let staff_comments = staff_comments.as_array().expect("comments");
    assert_eq!(staff_comments.len(), 2);
    assert!(
        staff_comments
            .iter()
            .all(|c| c["author_name"] == tier1["name"]),
        "{staff_comments:?}"
    );
    assert!(
        their_events
            .iter()
            .all(|e| e.get("actor_name").is_none_or(Value::is_null)),
        "{their_events:?}"
    );
    assert!(
        their_comments
            .as_array()
            .expect("comments")
            .iter()
            .all(|c| c.get("author_name").is_none_or(Value::is_null) && c["author_id"].is_string()),
        "{their_comments}"
    );
}

async fn no_field_of_a_restricted_ticket_reaches_an_integration(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    let live = RawStream::open(&app, &cast.integration.token, None).await;
    let title = "Dugaan peretasan situs DISDIK";
    let description = "Halaman depan situs diganti pesan dari pihak tak dikenal.";
    // The oldest open ticket of all, escalated, commented and mailed about.
    let restricted = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"title": title, "description": description, "security_incident": true}),
        )
        .await;
    assert_eq!(restricted["classification"], "restricted");
    let public = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.post(
        &format!("/api/v1/tickets/{}/comments", id(&restricted)),
        &cast.tier1_other_pd.token,
        json!({"body": "Log server sudah diamankan"}),
    )
    .await;
    app.act_saying(
        &cast.tier1_other_pd.token,
        &restricted,
        "escalate",
        "Butuh tim keamanan Tier 2",
    )
    .await;
    mails_sent(&app, &cast, &[(&restricted, 2), (&public, 1)]).await;

    let answers = everything_an_integration_reads(&app, &cast, &[&restricted, &public], live).await;
    let number = restricted["number"].as_str().expect("number");
    for field in [id(&restricted), number, title, description] {
        nowhere(&answers, field);
    }

    let (_, staff) = app
        .get("/api/v1/dashboard/summary", &cast.supervisor.token)
        .await;
    let (_, theirs) = app
        .get("/api/v1/dashboard/summary", &cast.integration.token)
        .await;
    assert_eq!(staff["oldest_open"]["id"], restricted["id"]);
    assert_eq!(theirs["oldest_open"]["id"], public["id"]);
    for count in [
        "open_by_status",
        "open_by_tier",
        "open_by_priority",
        "escalated_today",
        "by_unit",
    ] {
        assert_eq!(theirs[count], staff[count], "{count} counts it too");
    }
    assert_eq!(theirs["open_by_tier"], json!({"1": 2, "2": 1}));
}

on_both_databases!(
    an_integration_reads_no_person_nor_internal_comment,
    no_field_of_a_restricted_ticket_reaches_an_integration,
);
