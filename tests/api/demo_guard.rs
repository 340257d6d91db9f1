//! The demo never meets a mail relay or a running server by accident: `seed-demo` refuses a
//! database a `serve` runs on, and `serve` refuses a relay on a demo seeded without
//! `--allow-mail`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use crate::on_both_databases;
use crate::support::smtp::SmtpSink;
use crate::support::{Backend, PRESET, Storage, run_cli, said};

/// `serve` as an operator runs it, once it listens.
struct Serving(Child);

impl Serving {
    fn start(storage: &Storage, extra: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
            .arg("serve")
            .env_clear()
            .envs(storage.env(Some(PRESET)))
            .envs(extra.iter().copied())
            .env("SERVICEDESK_LOG", "info")
            .env("SERVICEDESK_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let (lines, log) = std::sync::mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().expect("stderr"));
        // Read to the end, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut said = Vec::new();
        for line in log.iter() {
            if line.contains("servicedesk listening") {
                return Self(child);
            }
            said.push(line);
        }
        let _ = child.wait();
        panic!("serve stopped before listening: {said:?}");
    }

    fn stop(self) {
        drop(self);
    }
}

/// Also when a test fails half-way: no server outlives its test.
impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn seed(storage: &Storage, extra: &[&str]) -> Output {
    let args: Vec<&str> = ["seed-demo", "--tickets", "5"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    run_cli(storage, Some(PRESET), &args, "")
}

fn refused_for_a_server(output: &Output) -> bool {
    let text = said(output);
    !output.status.success()
        && text.contains("a `serve` (or another seed-demo) runs on")
        && text.contains("Stop the server")
        && text.contains("SERVICEDESK_DATA_DIR")
}

/// While servers run on the database (two of them share it), `seed-demo` refuses and writes
/// nothing; once they stop, the seed fills the database, which it does to an empty one only.
async fn seed_demo_refuses_a_database_a_server_runs_on(backend: Backend) {
    let storage = Storage::new(backend);
    let first = Serving::start(&storage, &[]);
    let second = Serving::start(&storage, &[]);
    let refused = seed(&storage, &[]);
    assert!(refused_for_a_server(&refused), "{}", said(&refused));
    first.stop();
    let refused = seed(&storage, &[]);
    assert!(refused_for_a_server(&refused), "{}", said(&refused));
    second.stop();
    // A killed server's PostgreSQL session ends a moment after the process does.
    let mut seeded = seed(&storage, &[]);
    for _ in 0..100 {
        if !refused_for_a_server(&seeded) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        seeded = seed(&storage, &[]);
    }
    assert!(
        seeded.status.success(),
        "nothing was written before: {}",
        said(&seeded)
    );
}

/// Another path to the same SQLite file (a link to it) is the same database: the seed is
/// refused there too.
#[test]
fn a_path_through_a_link_is_the_same_database() {
    let storage = Storage::new(Backend::Sqlite);
    let server = Serving::start(&storage, &[]);
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let link = elsewhere.path().join("desk.db");
    std::os::unix::fs::symlink(storage.dir.path().join("servicedesk.db"), &link).expect("symlink");
    let refused = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .args(["seed-demo", "--tickets", "5"])
        .env_clear()
        .env("SERVICEDESK_DATA_DIR", elsewhere.path())
        .env(
            "SERVICEDESK_DATABASE_URL",
            format!("sqlite://{}", link.display()),
        )
        .env("SERVICEDESK_REGION_PRESET", PRESET)
        .env("SERVICEDESK_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("binary runs");
    assert!(refused_for_a_server(&refused), "{}", said(&refused));
    server.stop();
}

/// Whether a server's hold on the storage's database is in place right now.
fn held(storage: &Storage) -> bool {
    match storage
        .pg
        .as_ref()
        .map_or(Backend::Sqlite, |_| Backend::Postgres)
    {
        Backend::Sqlite => storage.dir.path().join("servicedesk.db.hold").exists(),
        Backend::Postgres => {
            use diesel::{Connection, RunQueryDsl};
            let mut conn =
                diesel::PgConnection::establish(&storage.database_url()).expect("connects");
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
            ))
            .get_result(&mut conn)
            .expect("pg_locks")
        }
    }
}

/// Takes the running server's hold away as an operator or the database can: its PostgreSQL
/// session ended (`pg_terminate_backend`, as an `idle_session_timeout` or a restart would), its
/// SQLite hold file deleted.
fn take_the_hold_away(storage: &Storage) {
    match storage
        .pg
        .as_ref()
        .map_or(Backend::Sqlite, |_| Backend::Postgres)
    {
        Backend::Sqlite => {
            std::fs::remove_file(storage.dir.path().join("servicedesk.db.hold")).expect("removed")
        }
        Backend::Postgres => {
            use diesel::{Connection, RunQueryDsl};
            let mut conn =
                diesel::PgConnection::establish(&storage.database_url()).expect("connects");
            diesel::sql_query(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .execute(&mut conn)
            .expect("terminated");
        }
    }
}

/// A server whose hold was taken away takes it back, so a seed is still refused.
async fn a_lost_hold_is_taken_back(backend: Backend) {
    let storage = Storage::new(backend);
    let server = Serving::start(&storage, &[]);
    assert!(held(&storage), "the server holds its database");
    take_the_hold_away(&storage);
    let mut back = false;
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        back = held(&storage);
        if back {
            break;
        }
    }
    assert!(back, "the server took its hold back");
    let refused = seed(&storage, &[]);
    assert!(refused_for_a_server(&refused), "{}", said(&refused));
    server.stop();
}

on_both_databases!(a_lost_hold_is_taken_back);

/// A demo seeded without `--allow-mail` keeps its made-up addresses away from any relay:
/// `serve` with one refuses to start and says why; seeded with `--allow-mail`, it starts.
async fn serve_refuses_a_mail_relay_on_a_demo_seeded_without_allow_mail(backend: Backend) {
    let sink = SmtpSink::start().await;
    let relay = sink.url();
    let storage = Storage::new(backend);
    let seeded = seed(&storage, &[]);
    assert!(seeded.status.success(), "{}", said(&seeded));
    let output = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .arg("serve")
        .env_clear()
        .envs(storage.env(Some(PRESET)))
        .env("SERVICEDESK_SMTP_URL", &relay)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("holds the demo")
            && text.contains("made-up addresses")
            && text.contains("Unset SERVICEDESK_SMTP_URL")
            && text.contains("--allow-mail"),
        "{text}"
    );
    Serving::start(&storage, &[]).stop();

    let catcher = Storage::new(backend);
    let seeded = seed(&catcher, &["--allow-mail"]);
    assert!(seeded.status.success(), "{}", said(&seeded));
    Serving::start(&catcher, &[("SERVICEDESK_SMTP_URL", &relay)]).stop();
}

on_both_databases!(
    seed_demo_refuses_a_database_a_server_runs_on,
    serve_refuses_a_mail_relay_on_a_demo_seeded_without_allow_mail,
);
