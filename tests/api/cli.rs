//! The `servicedesk` binary's commands, run as an operator would.

use std::process::Command;
use std::sync::Arc;

use reqwest::StatusCode;
use servicedesk::app::Application;
use servicedesk::clock::SystemClock;

use crate::on_both_databases;
use crate::support::{Backend, PASSWORD, STATUSES, Storage, run_cli, run_cli_at_once};

async fn create_admin_bootstraps_an_empty_database(backend: Backend) {
    let storage = Storage::new(backend);
    let email = "kepala@kupang.go.id";
    let output = run_cli(
        &storage,
        Some("kupang"),
        &[
            "create-admin",
            "--email",
            email,
            "--name",
            "Kepala Bidang",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains(email) && !said.contains(PASSWORD), "{said}");

    let again = run_cli(&storage, Some("kupang"), &["migrate"], "");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 migration(s)"));

    let application =
        Application::build(&storage.config(None), Arc::new(SystemClock)).expect("server");
    let base = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), StatusCode::OK);
    let body: serde_json::Value = login.json().await.expect("json");
    let region: serde_json::Value = client
        .get(format!("{base}/api/v1/region"))
        .bearer_auth(body["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("region")
        .json()
        .await
        .expect("json");
    assert_eq!(
        region["preset"], "kupang",
        "the first start seeded the preset, later starts keep it"
    );
}

async fn create_admin_refuses_an_unofficial_address(backend: Backend) {
    let storage = Storage::new(backend);
    let output = run_cli(
        &storage,
        Some("ambon"),
        &[
            "create-admin",
            "--email",
            "admin@gmail.com",
            "--name",
            "X",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("email_not_official"));
}

async fn two_processes_starting_at_once_migrate_once(backend: Backend) {
    let storage = Storage::new(backend);
    let outputs = run_cli_at_once(&storage, Some("batu"), &["migrate"], 3);
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let applied: Vec<String> = outputs
        .iter()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split(' ')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        applied.iter().filter(|n| *n != "0").count(),
        1,
        "{applied:?}"
    );
}

on_both_databases!(
    two_processes_starting_at_once_migrate_once,
    create_admin_bootstraps_an_empty_database,
    create_admin_refuses_an_unofficial_address,
);

#[test]
fn presets_lists_the_five_regions() {
    let output = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .arg("presets")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    for key in ["palangka-raya", "tojo-una-una", "batu", "ambon", "kupang"] {
        assert!(text.contains(key), "{key} missing from:\n{text}");
    }
    assert!(text.contains("Asia/Jayapura"));
}

#[test]
fn a_bad_smtp_url_stops_serve_with_a_clear_error_not_a_panic() {
    for url in ["ftp://mail.kab.go.id", "smtp://", "smtp://127.0.0.1:99999"] {
        let storage = Storage::new(Backend::Sqlite);
        let mut vars = storage.env(Some("tojo-una-una"));
        vars.insert("SERVICEDESK_SMTP_URL".into(), url.into());
        let output = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
            .arg("serve")
            .env_clear()
            .envs(vars)
            .output()
            .expect("runs");
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{url}: {said}");
        assert!(said.contains("SERVICEDESK_SMTP_URL"), "{url}: {said}");
        assert!(!said.contains("panicked"), "{url}: {said}");
    }
}

#[test]
fn an_unknown_database_scheme_stops_startup_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .arg("migrate")
        .env_clear()
        .env("SERVICEDESK_DATA_DIR", dir.path())
        .env(
            "SERVICEDESK_DATABASE_URL",
            "mysql://root:geheim@localhost/sd",
        )
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("SERVICEDESK_DATABASE_URL") && said.contains("sqlite://"),
        "{said}"
    );
    assert!(
        !said.contains("geheim"),
        "the password is not echoed: {said}"
    );
}

/// Tickets in every status, some escalated, and the clocks of the final ones stopped for good.
fn a_living_mix(all: &[serde_json::Value]) {
    for status in STATUSES {
        assert!(
            all.iter().any(|t| t["status"] == status),
            "some {status} ticket"
        );
    }
    assert!(all.iter().any(|t| t["tier"] == 2), "some escalated ticket");
    for ticket in all
        .iter()
        .filter(|t| t["status"] == "closed" || t["status"] == "cancelled")
    {
        for clock in ["response", "tier1", "resolution"] {
            let clock = &ticket["sla"][clock];
            assert!(
                clock["due_at"].is_null() && !clock["met_at"].is_null(),
                "a final ticket's clocks have stopped for good: {ticket}"
            );
        }
    }
}

async fn seed_demo_fills_an_empty_region_with_a_living_desk(backend: Backend) {
    let storage = Storage::new(backend);
    let output = run_cli(
        &storage,
        Some("tojo-una-una"),
        &["seed-demo", "--tickets", "120"],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("tier1.dinkes.1@tojounaunakab.go.id"),
        "{said}"
    );
    let again = run_cli(&storage, Some("tojo-una-una"), &["seed-demo"], "");
    assert!(
        !again.status.success(),
        "a second run refuses to mix demo data into a live database"
    );

    let application =
        Application::build(&storage.config(None), Arc::new(SystemClock)).expect("server");
    let base = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();
    let login = |email: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let body: serde_json::Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"email": email, "password": "demo-servicedesk"}))
                .send()
                .await
                .expect("login")
                .json()
                .await
                .expect("json");
            body["access_token"].as_str().expect("token").to_owned()
        }
    };
    let list = |token: String, query: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let page: serde_json::Value = client
                .get(format!("{base}/api/v1/tickets?limit=200{query}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("list")
                .json()
                .await
                .expect("json");
            page["items"].as_array().cloned().unwrap_or_default()
        }
    };
    let supervisor = login("supervisor@tojounaunakab.go.id").await;
    let all = list(supervisor, "").await;
    assert_eq!(all.len(), 120);
    a_living_mix(&all);
    let tier1 = login("tier1.dinkes.1@tojounaunakab.go.id").await;
    let mine = list(tier1, "").await;
    let own_unit = mine
        .first()
        .map(|t| t["unit_id"].clone())
        .expect("DINKES has tickets");
    assert!(
        mine.iter().all(|t| t["unit_id"] == own_unit),
        "Tier 1 sees its own PD only"
    );
    assert!(mine.len() < all.len());
}

on_both_databases!(seed_demo_fills_an_empty_region_with_a_living_desk);
