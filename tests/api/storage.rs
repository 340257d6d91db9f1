//! A database that cannot write: a full disk under SQLite, a file system turned read-only, a
//! PostgreSQL database switched read-only. The desk answers `503 storage_unavailable` with
//! `Retry-After`, reports not ready, keeps serving reads, and takes tickets again once the
//! storage is back, without a restart, a lost ticket, a gap or a twin in the numbers.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::faulty_fs::Mounted;
use crate::support::{Backend, Storage, TestApp, incident, read};

/// A way for the database to stop writing, and to come back.
enum Fault {
    /// SQLite on a small tmpfs that gets filled up.
    FullDisk,
    /// PostgreSQL with the database set read-only and its sessions restarted, as when an
    /// operator freezes it for maintenance or a failover leaves the desk on a standby.
    ReadOnlyDatabase,
}

impl Fault {
    fn of(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::FullDisk,
            Backend::Postgres => Self::ReadOnlyDatabase,
        }
    }

    /// The server, on storage that can fail this way; `None` when the OS forbids mounting.
    async fn spawn(&self, backend: Backend) -> Option<TestApp> {
        let mut storage = Storage::new(backend);
        if let Self::FullDisk = self {
            storage.mounted = Some(Mounted::tmpfs(storage.dir.path(), "16m")?);
        }
        Some(TestApp::spawn_on(storage).await)
    }

    fn begin(&self, app: &TestApp) {
        match self {
            Self::FullDisk => mounted(app).fill(),
            Self::ReadOnlyDatabase => {
                let pg = app.storage.pg.as_ref().expect("a PostgreSQL database");
                pg.admin_execute(&format!(
                    "ALTER DATABASE {} SET default_transaction_read_only = on",
                    pg.name()
                ));
                pg.admin_execute(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{}' AND pid <> pg_backend_pid()",
                    pg.name()
                ));
            }
        }
    }

    fn end(&self, app: &TestApp) {
        match self {
            Self::FullDisk => mounted(app).free(),
            Self::ReadOnlyDatabase => {
                let pg = app.storage.pg.as_ref().expect("a PostgreSQL database");
                pg.admin_execute(&format!(
                    "ALTER DATABASE {} SET default_transaction_read_only = off",
                    pg.name()
                ));
            }
        }
    }
}

fn mounted(app: &TestApp) -> &Mounted {
    app.storage.mounted.as_ref().expect("a mounted file system")
}

/// Records a ticket; answers its number when it got `201`, else asserts the refusal is
/// `503 storage_unavailable` with `Retry-After` and answers `None`.
async fn try_create(app: &TestApp, token: &str, title: String) -> Option<String> {
    let response = app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(token),
            Some(incident(json!({"title": title}))),
        )
        .await;
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = read(response).await;
    if status == StatusCode::CREATED {
        return Some(body["number"].as_str().expect("number").to_owned());
    }
    assert_storage_unavailable(status, &body, retry_after.as_ref());
    None
}

/// Records a ticket, retrying as `Retry-After` asks (briefly here), until it gets `201`;
/// answers its number and how many times it was refused first. A PostgreSQL session the
/// server ended during the fault fails once when the pool hands it out again.
async fn create_until_taken(app: &TestApp, token: &str, title: String) -> (String, usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut refusals = 0;
    loop {
        if let Some(number) = try_create(app, token, title.clone()).await {
            return (number, refusals);
        }
        refusals += 1;
        assert!(Instant::now() < deadline, "{title} is never taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_storage_unavailable(
    status: StatusCode,
    body: &Value,
    retry_after: Option<&reqwest::header::HeaderValue>,
) {
    assert_eq!(
        (status, &body["code"]),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            &json!("storage_unavailable")
        ),
        "{body}"
    );
    let secs = retry_after
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(secs.is_some_and(|s| s > 0), "Retry-After: {retry_after:?}");
}

/// `/readyz` status, code and `Retry-After`.
async fn readiness(app: &TestApp) -> (StatusCode, Value, Option<reqwest::header::HeaderValue>) {
    let response = app.send(Method::GET, "/readyz", None, None).await;
    let retry_after = response.headers().get("retry-after").cloned();
    let (status, body) = read(response).await;
    (status, body, retry_after)
}

/// Every ticket number in the database, as the admin lists them.
async fn stored_numbers(app: &TestApp) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tickets?limit=200&cursor={c}"),
            None => "/api/v1/tickets?limit=200".to_owned(),
        };
        let (status, page) = app.get(&path, &app.admin_token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        numbers.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| t["number"].as_str().expect("number").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return numbers,
        }
    }
}

/// The running part of `SD-2026-000042`.
fn sequence(number: &str) -> u64 {
    number
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("ticket number {number}"))
}

/// Reads go on while writes cannot; on PostgreSQL each pooled session the server ended fails
/// its next request once (503 as well) and is replaced.
async fn reads_go_on_while_writes_cannot(app: &TestApp, first: &str, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = app.get(&format!("/api/v1/tickets/{first}"), token).await;
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(body["code"], "storage_unavailable", "{status} {body}");
        assert!(Instant::now() < deadline, "reads never came back: {body}");
    }
    let (status, _) = read(app.send(Method::GET, "/healthz", None, None).await).await;
    assert_eq!(status, StatusCode::OK, "the process lives");
}

/// Waits, for twenty seconds at most, until the service says it is ready again.
async fn ready_again(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body, _) = readiness(app).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still not ready: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_database_that_cannot_write_answers_503_and_recovers_without_a_restart(backend: Backend) {
    let fault = Fault::of(backend);
    let Some(app) = fault.spawn(backend).await else {
        return;
    };
    let cast = app.cast().await;
    let token = cast.tier1.token.as_str();
    let mut acknowledged = Vec::new();
    for i in 0..2 {
        acknowledged.push(
            app.create_ticket(token, json!({"title": format!("before {i}")}))
                .await,
        );
    }
    let first = acknowledged[0]["id"].as_str().expect("id").to_owned();
    let mut acknowledged: Vec<String> = acknowledged
        .iter()
        .map(|t| t["number"].as_str().expect("number").to_owned())
        .collect();

    fault.begin(&app);
    // Until the disk runs out for good some writes may still fit; every one that got a 201
    // is a ticket the caller was promised. Several at once, so that a batch meets the fault.
    let mut refused = 0;
    for round in 0..20 {
        let answers = futures::future::join_all(
            (0..4).map(|i| try_create(&app, token, format!("during {round}.{i}"))),
        )
        .await;
        refused += answers.iter().filter(|a| a.is_none()).count();
        acknowledged.extend(answers.into_iter().flatten());
        if refused > 0 {
            break;
        }
    }
    assert!(refused > 0, "the database never refused a write");
    let (status, body, retry_after) = readiness(&app).await;
    assert_storage_unavailable(status, &body, retry_after.as_ref());
    reads_go_on_while_writes_cannot(&app, &first, token).await;

    fault.end(&app);
    ready_again(&app).await;
    let taken = futures::future::join_all(
        (0..6).map(|i| create_until_taken(&app, token, format!("after {i}"))),
    )
    .await;
    for (number, refusals) in taken {
        acknowledged.push(number);
        if let Fault::FullDisk = fault {
            assert_eq!(refusals, 0, "a freed disk takes every ticket at once");
        }
    }

    let stored = stored_numbers(&app).await;
    let distinct: BTreeSet<&String> = stored.iter().collect();
    assert_eq!(distinct.len(), stored.len(), "no twins: {stored:?}");
    for number in &acknowledged {
        assert!(distinct.contains(number), "{number} got 201 and is gone");
    }
    let sequences: Vec<u64> = distinct.iter().map(|n| sequence(n)).collect();
    let expected: Vec<u64> = (1..=sequences.len() as u64).collect();
    assert_eq!(sequences, expected, "no gaps");
    assert_eq!(
        stored.len(),
        acknowledged.len(),
        "no ticket nobody was told of"
    );
}

on_both_databases!(a_database_that_cannot_write_answers_503_and_recovers_without_a_restart);

/// A disk that fails under ext4 turns the whole file system read-only at once, open files
/// included; SQLite then answers every write with an I/O or read-only error. Nothing short of
/// a remount brings it back, so this story ends with the desk still alive and reading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_system_turned_read_only_refuses_writes_and_keeps_serving_reads() {
    let mut storage = Storage::new(Backend::Sqlite);
    let image = storage.dir.path().join("ext4.img");
    let Some(ext4) = Mounted::ext4_image(storage.dir.path(), &image) else {
        return;
    };
    storage.mounted = Some(ext4);
    let app = TestApp::spawn_on(storage).await;
    let cast = app.cast().await;
    let token = cast.tier1.token.as_str();
    let ticket = app.create_ticket(token, json!({"title": "before"})).await;

    mounted(&app).fail_read_only();
    for i in 0..3 {
        assert_eq!(try_create(&app, token, format!("after {i}")).await, None);
    }
    let id = ticket["id"].as_str().expect("id");
    let (status, comment) = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            token,
            json!({"body": "Sudah dicek"}),
        )
        .await;
    assert_eq!(
        (status, &comment["code"]),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            &json!("storage_unavailable")
        ),
        "{comment}"
    );
    let (status, body, retry_after) = readiness(&app).await;
    assert_storage_unavailable(status, &body, retry_after.as_ref());
    let (status, read_back) = app.get(&format!("/api/v1/tickets/{id}"), token).await;
    assert_eq!(status, StatusCode::OK, "{read_back}");
    assert_eq!(read_back["number"], ticket["number"]);
    let (status, _) = read(app.send(Method::GET, "/healthz", None, None).await).await;
    assert_eq!(status, StatusCode::OK, "the process lives");
}

/// A full disk shows in readiness before any request meets it: a load balancer stops sending
/// tickets to a desk that could not store them, and sends them again once there is room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_not_ready_before_a_write_is_refused() {
    let Some(app) = Fault::FullDisk.spawn(Backend::Sqlite).await else {
        return;
    };
    let cast = app.cast().await;
    assert_eq!(readiness(&app).await.0, StatusCode::OK);
    mounted(&app).fill();
    let (status, body, retry_after) = readiness(&app).await;
    assert_storage_unavailable(status, &body, retry_after.as_ref());
    mounted(&app).free();
    assert_eq!(readiness(&app).await.0, StatusCode::OK, "room again");
    app.create_ticket(&cast.tier1.token, json!({"title": "after the fill"}))
        .await;
}
