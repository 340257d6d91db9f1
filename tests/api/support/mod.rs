//! Shared setup: a real server on a free port over a real database, and an HTTP client.

pub mod alertmanager;
mod cast;
pub mod faulty_fs;
pub mod logged;
mod server;
pub mod smtp;
mod storage;
mod template;

pub use cast::{Cast, Member, desk_with_running_sink, desk_with_sink, incident};
pub use server::{TestApp, read};
pub use storage::{PgDatabase, Storage};

/// The secret every test server signs with, so that tests can forge tokens on purpose.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The password of every account the tests make.
pub const PASSWORD: &str = "kata-sandi-uji-123";
/// The ten actions of the contract's action table, by their fixed names.
pub const ACTIONS: [&str; 10] = [
    "acknowledge",
    "assign",
    "pend",
    "resume",
    "escalate",
    "return",
    "resolve",
    "reopen",
    "close",
    "cancel",
];
/// The six statuses of a ticket, by their fixed names.
pub const STATUSES: [&str; 6] = [
    "new",
    "in_progress",
    "pending",
    "resolved",
    "closed",
    "cancelled",
];
/// The preset most tests run on.
pub const PRESET: &str = "tojo-una-una";
/// Its official domain.
pub const DOMAIN: &str = "tojounaunakab.go.id";

/// Monday 23 November 2026, 10:00 WITA (02:00:00 UTC): office hours, and whole seconds so that
/// instants compare exactly.
pub fn monday_morning() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 23, 2, 0, 0)
        .single()
        .expect("instant")
}

/// The `action` of each entry of an audit trail, in order.
pub fn actions(trail: &serde_json::Value) -> Vec<&str> {
    trail
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect()
}

/// What a command printed, its standard output then its errors.
pub fn said(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs the `servicedesk` binary on `storage` as an operator would, with `stdin` as its input.
pub fn run_cli(
    storage: &Storage,
    preset: Option<&str>,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .args(args)
        .env_clear()
        .envs(storage.env(preset))
        .env("SERVICEDESK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("binary exits")
}

/// Runs the binary with `args` `times` times at once, as processes starting together would.
pub fn run_cli_at_once(
    storage: &Storage,
    preset: Option<&str>,
    args: &[&str],
    times: usize,
) -> Vec<std::process::Output> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..times)
            .map(|_| scope.spawn(|| run_cli(storage, preset, args, "")))
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("thread"))
            .collect()
    })
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each listed `async fn name(Backend)` as two tests, `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await
            }
        }
    )+};
}

/// Asserts that an answer is a `422` whose first field error names `field`.
#[track_caller]
pub fn assert_refused_on(status: reqwest::StatusCode, problem: &serde_json::Value, field: &str) {
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            &serde_json::json!(field)
        ),
        "{problem}"
    );
}
