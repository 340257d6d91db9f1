//! `GET /metrics`: Prometheus text behind a token.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, read};

async fn metrics_show_the_desk_and_what_this_process_did(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act_saying(&cast.tier1.token, &ticket, "escalate", "Perlu Tier 2")
        .await;
    let (status, _) = read(app.send(Method::GET, "/metrics", None, None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/metrics", &cast.tier1.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = app
        .send(Method::GET, "/metrics", Some(&cast.integration.token), None)
        .await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/openmetrics-text"))
    );
    let (status, text) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().expect("text").to_owned();
    for line in [
        r#"servicedesk_open_tickets{tier="2",priority="medium"} 1"#,
        r#"servicedesk_escalations_total{automatic="false"} 1"#,
        r#"servicedesk_http_request_duration_seconds_count{method="POST",route="/api/v1/tickets",status="2xx"} 1"#,
        "# TYPE servicedesk_sla_engine_lateness_seconds histogram",
        "# TYPE servicedesk_outbox_mails gauge",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert!(
        text.lines()
            .filter(|l| l.starts_with("servicedesk_outbox_mails{"))
            .count()
            == 3,
        "{text}"
    );
}

async fn invented_methods_cannot_grow_the_metrics(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    for i in 0..20 {
        let method =
            Method::from_bytes(format!("X{i}{}", "A".repeat(100)).as_bytes()).expect("a method");
        let (status, _) = read(app.send(method, "/healthz", None, None).await).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }
    let (_, text) = app.get("/metrics", &cast.integration.token).await;
    let text = text.as_str().expect("text");
    let counted: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.starts_with("servicedesk_http_request_duration_seconds_count")
                && l.contains("/healthz")
        })
        .collect();
    assert_eq!(
        counted,
        [
            r#"servicedesk_http_request_duration_seconds_count{method="other",route="/healthz",status="4xx"} 20"#
        ],
        "{text}"
    );
}

/// `/metrics` with this `Accept`: the content type and the text.
async fn scrape(app: &TestApp, token: &str, accept: &str) -> (String, String) {
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .header("Accept", accept)
        .send()
        .await
        .expect("scraped");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("content type")
        .to_owned();
    (content_type, response.text().await.expect("text"))
}

/// `promtool check metrics` on `text`: whether it passed, and what it said. No promtool is a
/// failure (scripts/test.sh installs it).
fn promtool(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (scripts/test.sh installs Debian's prometheus package)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("promtool ran");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success() && said.trim().is_empty(), said)
}

/// A Prometheus scraper gets the format it prefers, and promtool accepts the classic one;
/// every labelled counter is there at 0 before anything happened.
async fn scrapers_get_the_format_they_ask_for_and_promtool_accepts_it(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = &cast.integration.token;
    let (content_type, classic) = scrape(&app, token, "text/plain;version=0.0.4").await;
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let (passed, said) = promtool(&classic);
    assert!(passed, "promtool: {said}\n{classic}");
    for line in [
        "# TYPE servicedesk_escalations_total counter",
        r#"servicedesk_escalations_total{automatic="true"} 0"#,
        r#"servicedesk_escalations_total{automatic="false"} 0"#,
        r#"servicedesk_sla_warnings_total{clock="tier1"} 0"#,
        r#"servicedesk_sla_breaches_total{clock="resolution"} 0"#,
        r#"servicedesk_sla_breaches_total{clock="response"} 0"#,
    ] {
        assert!(classic.lines().any(|l| l == line), "{line} in\n{classic}");
    }
    assert!(!classic.contains("# EOF"), "{classic}");
    // What Prometheus itself sends: OpenMetrics first.
    let (content_type, open) = scrape(
        &app,
        token,
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    )
    .await;
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    assert!(open.ends_with("# EOF\n"), "{open}");
    let (content_type, _) = scrape(
        &app,
        token,
        "text/plain;q=0.9,application/openmetrics-text;q=0.5",
    )
    .await;
    assert!(content_type.starts_with("text/plain"), "{content_type}");
}

on_both_databases!(
    metrics_show_the_desk_and_what_this_process_did,
    invented_methods_cannot_grow_the_metrics,
    scrapers_get_the_format_they_ask_for_and_promtool_accepts_it
);
