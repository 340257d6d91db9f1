//! A newcomer's first hour with the binary: a preset named after the first start, and the
//! demo desk.

use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use servicedesk::app::{self, Application};
use servicedesk::clock::SystemClock;

use crate::on_both_databases;
use crate::support::{
    Backend, PASSWORD, Storage, TestApp, actions, run_cli, run_cli_at_once, said,
};

/// A server over `storage` as it is (no preset), and a client for it.
struct Running {
    base: String,
    client: reqwest::Client,
}

impl Running {
    fn start(storage: &Storage) -> Self {
        let application =
            Application::build(&storage.config(None), Arc::new(SystemClock)).expect("server");
        let base = format!("http://127.0.0.1:{}/api/v1", application.port());
        tokio::spawn(application.run_until_stopped());
        Self {
            base,
            client: reqwest::Client::new(),
        }
    }

    async fn login(&self, email: &str, password: &str) -> String {
        let body: Value = self
            .client
            .post(format!("{}/auth/login", self.base))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {email}: {body}"))
            .to_owned()
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn create_admin(storage: &Storage, preset: Option<&str>, email: &str) -> Output {
    run_cli(
        storage,
        preset,
        &[
            "create-admin",
            "--email",
            email,
            "--name",
            "Admin",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )
}

/// `serve` first (no preset), then the walk-through's `create-admin` with a preset: the region
/// nobody has configured takes it, with an audit entry.
async fn a_preset_configures_a_region_started_without_one(backend: Backend) {
    let storage = Storage::new(backend);
    app::prepare(&storage.config(None), Arc::new(SystemClock)).expect("first start, no preset");
    let output = create_admin(&storage, Some("tojo-una-una"), "admin@tojounaunakab.go.id");
    assert!(output.status.success(), "{}", said(&output));

    let server = Running::start(&storage);
    let token = server.login("admin@tojounaunakab.go.id", PASSWORD).await;
    let (_, region) = server.get("/region", &token).await;
    assert_eq!(region["preset"], "tojo-una-una", "{region}");
    assert_eq!(region["timezone"], "Asia/Makassar");
    assert_eq!(
        region["official_email_domains"],
        serde_json::json!(["tojounaunakab.go.id"])
    );
    let (_, units) = server.get("/units", &token).await;
    let dinas = &units["items"][0];
    assert_eq!(dinas["email"], "diskominfo@tojounaunakab.go.id", "{units}");
    let (_, calendars) = server.get("/calendars", &token).await;
    assert_eq!(calendars["items"][0]["timezone"], "Asia/Makassar");
    let (_, trail) = server
        .get("/audit-log?entity=region&entity_id=1", &token)
        .await;
    let actions = actions(&trail);
    assert!(actions.contains(&"region_preset_applied"), "{trail}");
}

/// Several processes starting at once with the preset apply it once.
async fn processes_starting_at_once_apply_a_preset_once(backend: Backend) {
    let storage = Storage::new(backend);
    app::prepare(&storage.config(None), Arc::new(SystemClock)).expect("first start, no preset");
    let outputs = run_cli_at_once(&storage, Some("kupang"), &["migrate"], 3);
    for output in &outputs {
        assert!(output.status.success(), "{}", said(output));
    }
    let output = create_admin(&storage, Some("kupang"), "admin@kupang.go.id");
    assert!(output.status.success(), "{}", said(&output));
    let server = Running::start(&storage);
    let token = server.login("admin@kupang.go.id", PASSWORD).await;
    let (_, trail) = server
        .get("/audit-log?entity=region&entity_id=1", &token)
        .await;
    let applied = trail
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "region_preset_applied")
        .count();
    assert_eq!(applied, 1, "{trail}");
}

/// A configured region never takes another preset: every command that opens the database
/// stops with what to do, and changes nothing.
async fn a_different_preset_on_a_configured_region_stops_every_command(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let users = app.user_count().await;
    for args in [
        vec![
            "create-admin",
            "--email",
            "admin@ambon.go.id",
            "--name",
            "A",
            "--password-stdin",
        ],
        vec!["serve"],
        vec!["migrate"],
    ] {
        let output = run_cli(&app.storage, Some("ambon"), &args, &format!("{PASSWORD}\n"));
        let text = said(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {text}");
        assert!(
            text.contains("SERVICEDESK_REGION_PRESET=ambon")
                && text.contains("tojo-una-una")
                && text.contains("unset SERVICEDESK_REGION_PRESET")
                && text.contains("SERVICEDESK_DATA_DIR"),
            "{args:?}: {text}"
        );
    }
    // seed-demo stops sooner: for the server running on the database.
    let seed = run_cli(
        &app.storage,
        Some("ambon"),
        &["seed-demo", "--tickets", "5"],
        "",
    );
    assert!(
        !seed.status.success() && said(&seed).contains("Stop the server"),
        "{}",
        said(&seed)
    );
    assert_eq!(app.user_count().await, users);
    let (_, region) = app.get("/api/v1/region", &app.admin_token).await;
    assert_eq!(region["preset"], "tojo-una-una");
    let same = create_admin(
        &app.storage,
        Some("tojo-una-una"),
        "kedua@tojounaunakab.go.id",
    );
    assert!(same.status.success(), "the same preset: {}", said(&same));
}

/// A region set up by hand without a preset (here: its first admin) is configured too.
async fn a_preset_after_someone_configured_the_region_is_refused(backend: Backend) {
    let storage = Storage::new(backend);
    let first = create_admin(&storage, None, "admin@pemda.example");
    assert!(first.status.success(), "{}", said(&first));
    let output = create_admin(&storage, Some("batu"), "admin@batukota.go.id");
    let text = said(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("configured by hand"), "{text}");
}

/// `seed-demo` with a mail relay set would mail made-up people at a real Pemda: it refuses and
/// writes nothing, unless told `--allow-mail`.
async fn seed_demo_refuses_a_mail_relay_and_writes_nothing(backend: Backend) {
    let storage = Storage::new(backend);
    let output = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .args(["seed-demo", "--tickets", "5"])
        .env_clear()
        .envs(storage.env(Some("tojo-una-una")))
        .env("SERVICEDESK_SMTP_URL", "smtp://127.0.0.1:2525")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("SERVICEDESK_SMTP_URL") && text.contains("--allow-mail"),
        "{text}"
    );
    assert!(
        std::fs::read_dir(storage.dir.path())
            .expect("dir")
            .next()
            .is_none(),
        "nothing in the data directory"
    );
    let migrate = run_cli(&storage, None, &["migrate"], "");
    assert!(
        !String::from_utf8_lossy(&migrate.stdout).starts_with("0 "),
        "the database was never touched: {}",
        said(&migrate)
    );
    // A blank value is no relay, as `serve` reads it too.
    let blank = Storage::new(backend);
    let output = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .args(["seed-demo", "--tickets", "5"])
        .env_clear()
        .envs(blank.env(Some("tojo-una-una")))
        .env("SERVICEDESK_SMTP_URL", "  ")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", said(&output));
}

fn rows(report: &Value) -> Vec<Value> {
    report["rows"].as_array().cloned().expect("rows")
}

fn sum(rows: &[Value], field: &str) -> i64 {
    rows.iter().filter_map(|r| r[field].as_i64()).sum()
}

fn due_at(clock: &Value) -> Option<DateTime<Utc>> {
    clock["due_at"].as_str().and_then(|at| at.parse().ok())
}

/// Reports over the demo's past show breaches, escalations, a resolution time for every
/// priority, downtime planned and not, and a service over its monthly budget.
async fn the_past_shows_in_the_reports(server: &Running, supervisor: &str, period: &str) {
    let (status, by_priority) = server
        .get(
            &format!("/reports/sla?{period}&group_by=priority"),
            supervisor,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_priority}");
    let by_priority = rows(&by_priority);
    assert!(sum(&by_priority, "breached") > 0, "{by_priority:?}");
    assert!(sum(&by_priority, "escalated") > 0, "{by_priority:?}");
    assert!(
        by_priority
            .iter()
            .all(|r| r["mean_time_to_resolve_seconds"].as_i64().unwrap_or(0) > 0),
        "{by_priority:?}"
    );
    let (_, availability) = server
        .get(&format!("/reports/availability?{period}"), supervisor)
        .await;
    let availability = rows(&availability);
    assert!(
        sum(&availability, "downtime_seconds") > 0,
        "{availability:?}"
    );
    assert!(sum(&availability, "planned_downtime_seconds") > 0);
    assert!(
        availability
            .iter()
            .any(|r| !r["budget_breaches"].as_array().is_none_or(Vec::is_empty)),
        "a service over its monthly budget: {availability:?}"
    );
}

/// Some tickets at Tier 2 were escalated by hand, and some by the engine.
async fn escalated_by_hand_and_by_the_engine(
    server: &Running,
    supervisor: &str,
    tickets: &[Value],
) {
    let (mut by_hand, mut by_engine) = (false, false);
    for ticket in tickets.iter().filter(|t| t["tier"] == 2) {
        let id = ticket["id"].as_str().expect("id");
        let (_, events) = server
            .get(&format!("/tickets/{id}/events"), supervisor)
            .await;
        for event in events.as_array().into_iter().flatten() {
            if event["type"] == "escalated" {
                by_engine |= event["actor_id"].is_null();
                by_hand |= !event["actor_id"].is_null();
            }
        }
        if by_hand && by_engine {
            break;
        }
    }
    assert!(
        by_hand && by_engine,
        "escalations by hand and by the engine"
    );
}

/// The demo is a living desk with a past: reports over its 90 days show breaches, escalations
/// (by hand and by the engine), a resolution time and outages; nothing of that past waits in
/// the outbox; its integration token reads tickets; and some tickets come due within minutes.
async fn seed_demo_makes_a_desk_with_a_past_that_mails_nobody(backend: Backend) {
    let storage = Storage::new(backend);
    let seeded_at = Utc::now();
    let output = run_cli(
        &storage,
        Some("tojo-una-una"),
        &["seed-demo", "--tickets", "150"],
        "",
    );
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let token_line = lines
        .iter()
        .position(|l| l.starts_with("integration token"))
        .expect("the integration token is printed");
    let integration_token = lines[token_line + 1].trim();

    let server = Running::start(&storage);
    let supervisor = server
        .login("supervisor@tojounaunakab.go.id", "demo-servicedesk")
        .await;
    let now = Utc::now();
    let period = format!(
        "from={}&to={}",
        (now - Duration::days(91)).format("%Y-%m-%dT%H:%M:%SZ"),
        (now + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    the_past_shows_in_the_reports(&server, &supervisor, &period).await;

    let admin = server
        .login("admin@tojounaunakab.go.id", "demo-servicedesk")
        .await;
    let (_, queued) = server
        .get("/notifications?status=pending&limit=200", &admin)
        .await;
    assert_eq!(
        queued["items"].as_array().map(Vec::len),
        Some(0),
        "nothing of the past is queued: {queued}"
    );

    let (status, read) = server.get("/tickets?limit=200", integration_token).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let tickets = read["items"].as_array().cloned().expect("items");
    assert_eq!(tickets.len(), 150);
    let created: Vec<DateTime<Utc>> = tickets
        .iter()
        .filter_map(|t| t["created_at"].as_str()?.parse().ok())
        .collect();
    assert!(created.iter().any(|at| *at < now - Duration::days(60)));

    let soon = seeded_at + Duration::minutes(15);
    let due_soon = tickets
        .iter()
        .filter(|t| {
            ["response", "tier1"]
                .iter()
                .any(|clock| due_at(&t["sla"][clock]).is_some_and(|at| at > seeded_at && at < soon))
        })
        .count();
    assert!(due_soon >= 2, "tickets due within minutes: {due_soon}");

    escalated_by_hand_and_by_the_engine(&server, &supervisor, &tickets).await;
}

on_both_databases!(
    a_preset_configures_a_region_started_without_one,
    processes_starting_at_once_apply_a_preset_once,
    a_different_preset_on_a_configured_region_stops_every_command,
    a_preset_after_someone_configured_the_region_is_refused,
    seed_demo_refuses_a_mail_relay_and_writes_nothing,
    seed_demo_makes_a_desk_with_a_past_that_mails_nobody,
);
