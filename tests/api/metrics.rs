//! `GET /metrics`: Prometheus text behind a token.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, read};

async fn metrics_show_the_desk_and_what_this_process_did(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act(
        &cast.tier1.token,
        &ticket,
        "escalate",
        json!({"reason": "Perlu Tier 2"}),
    )
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
        r#"servicedesk_http_request_duration_seconds_count{method="POST",route="/api/v1/tickets",status="201"} 1"#,
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
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
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
            r#"servicedesk_http_request_duration_seconds_count{method="other",route="/healthz",status="405"} 20"#
        ],
        "{text}"
    );
}

on_both_databases!(
    metrics_show_the_desk_and_what_this_process_did,
    invented_methods_cannot_grow_the_metrics
);
