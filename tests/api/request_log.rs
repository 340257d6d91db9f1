//! What the server's log says about refused requests.

use reqwest::{Method, StatusCode};

use crate::on_both_databases;
use crate::support::logged::LoggedServer;
use crate::support::{Backend, Storage};

/// Each refused request writes one short line at the default level: status, problem code,
/// method and route pattern, and nothing of the path or query as sent.
async fn each_refused_request_logs_one_short_line_without_its_path(backend: Backend) {
    let storage = Storage::new(backend);
    let server = LoggedServer::start(&storage, "info");
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::Client::new();
    let cases = [
        (
            Method::GET,
            "/api/v1/tickets/TKT-rahasia-1?q=nik-3201234567890001",
            StatusCode::UNAUTHORIZED,
            "status=401 code=unauthenticated method=GET route=/api/v1/tickets/{id}",
        ),
        (
            Method::GET,
            "/api/v1/users?role=rahasia-2",
            StatusCode::UNPROCESSABLE_ENTITY,
            "status=422 code=validation_failed method=GET route=/api/v1/users",
        ),
        (
            Method::DELETE,
            "/api/v1/region",
            StatusCode::METHOD_NOT_ALLOWED,
            "status=405 code=method_not_allowed method=DELETE route=/api/v1/region",
        ),
        (
            Method::GET,
            "/api/v1/rahasia-3/nik-3201234567890002",
            StatusCode::NOT_FOUND,
            "status=404 code=not_found method=GET route=unmatched",
        ),
    ];
    for (method, target, expected, _) in &cases {
        let response = client
            .request(method.clone(), format!("{base}{target}"))
            .bearer_auth("bukan-token")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), *expected, "{target}");
    }
    let answered = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(answered.status(), StatusCode::OK);
    let log = server.stop();
    let refused: Vec<&String> = log
        .iter()
        .filter(|line| line.contains("request refused"))
        .collect();
    assert_eq!(
        refused.len(),
        cases.len(),
        "one line per refused request, none for the answered one: {refused:#?}"
    );
    for ((_, target, _, fields), line) in cases.iter().zip(&refused) {
        assert!(line.ends_with(fields), "{target}: {line}");
        assert!(line.len() < 200, "a short line: {line}");
    }
    let log = log.join("\n");
    assert!(
        !log.contains("rahasia") && !log.contains("nik-"),
        "no path or query as sent reaches the log: {log}"
    );
}

on_both_databases!(each_refused_request_logs_one_short_line_without_its_path);
