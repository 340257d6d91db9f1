//! Backup and restore inside the application, run as an operator runs them: a snapshot taken
//! while tickets are being written restores into an empty database of the other backend and
//! reads as the source did; a damaged archive or an unfit target is refused before anything
//! is written; the restore test records what it found.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::{Backend, Storage, TestApp, incident, run_cli, said};

fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

/// `servicedesk backup --output` on `storage`, into its data directory.
fn back_up(storage: &Storage, name: &str) -> PathBuf {
    let archive = storage.dir.path().join(name);
    let output = run_cli(
        storage,
        None,
        &["backup", "--output", &archive.to_string_lossy()],
        "",
    );
    assert!(output.status.success(), "{}", said(&output));
    archive
}

fn restore(target: &Storage, archive: &Path) -> std::process::Output {
    run_cli(
        target,
        None,
        &["restore", "--input", &archive.to_string_lossy()],
        "",
    )
}

/// What a reader sees of every record that does not change while tickets are created.
async fn settled_reads(app: &TestApp, token: &str) -> Vec<Value> {
    let mut reads = Vec::new();
    for path in [
        "/api/v1/region",
        "/api/v1/units?limit=200",
        "/api/v1/users?limit=200",
        "/api/v1/services?limit=200",
        "/api/v1/sla-policies?limit=200",
        "/api/v1/calendars?limit=200",
    ] {
        let (status, body) = app.get(path, token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        reads.push(body);
    }
    reads
}

/// A ticket as its reader sees it, with its trail.
async fn ticket_reads(app: &TestApp, token: &str, id: &str) -> (Value, Value) {
    let (status, ticket) = app.get(&format!("/api/v1/tickets/{id}"), token).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let (_, events) = app
        .get(&format!("/api/v1/tickets/{id}/events"), token)
        .await;
    (ticket, events)
}

async fn ticket_ids(app: &TestApp, token: &str) -> Vec<String> {
    let (status, page) = app.get("/api/v1/tickets?limit=200", token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|ticket| ticket["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A backup taken during a burst of creates restores into an empty database of the other
/// backend: every ticket in it reads exactly as on the source, with its whole trail, the rest
/// of the desk reads the same, the chain verifies to the archive's head, and numbering goes on
/// from the last ticket it holds.
async fn a_backup_during_a_burst_restores_into_the_other_backend(backend: Backend) {
    // One clock for both desks: a ticket's clocks read as of the reader's now.
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let (app, cast) = TestApp::spawn_driven(backend, Some(clock.clone()), &[]).await;
    app.expect_owed_mail();
    for _ in 0..5 {
        app.create_ticket(&cast.tier1.token, json!({})).await;
    }
    // Mail of file mode: stored files the archive must carry.
    app.dispatch_mail().await;
    let mailed = outbox(app.storage.dir.path());
    assert!(!mailed.is_empty());
    let burst = {
        let client = app.client.clone();
        let url = app.url("/api/v1/tickets");
        let token = cast.tier1.token.clone();
        tokio::spawn(async move {
            let creates = (0..40).map(|_| {
                client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&incident(json!({})))
                    .send()
            });
            futures_util::future::join_all(creates).await
        })
    };
    let storage_dir = app.storage.dir.path().to_owned();
    let archive = {
        let env = app.storage.env(None);
        tokio::task::spawn_blocking(move || {
            let archive = storage_dir.join("burst.zip");
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_servicedesk"))
                .args(["backup", "--output", &archive.to_string_lossy()])
                .env_clear()
                .envs(env)
                .env("SERVICEDESK_LOG", "warn")
                .output()
                .expect("binary runs");
            assert!(output.status.success(), "{}", said(&output));
            archive
        })
        .await
        .expect("join")
    };
    let created = burst.await.expect("burst");
    assert!(
        created
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.status() == StatusCode::CREATED))
    );

    let target = Storage::new(other(backend));
    let restored = restore(&target, &archive);
    assert!(restored.status.success(), "{}", said(&restored));
    assert_eq!(outbox(target.dir.path()), mailed);
    let copy = TestApp::spawn_restored(target, clock).await;
    copy.expect_owed_mail();

    let token = &cast.auditor.token;
    assert_eq!(
        settled_reads(&copy, token).await,
        settled_reads(&app, token).await
    );
    let kept = ticket_ids(&copy, token).await;
    assert!(kept.len() >= 5, "{} tickets", kept.len());
    for id in &kept {
        assert_eq!(
            ticket_reads(&copy, token, id).await,
            ticket_reads(&app, token, id).await
        );
    }

    let manifest = manifest(&archive);
    let (_, chain) = copy.get("/api/v1/audit/verify", token).await;
    assert_eq!(chain["verified"], true, "{chain}");
    assert_eq!(chain["head"], manifest["trail_head"]["hash"], "{chain}");

    let highest = |numbers: Vec<i64>| numbers.into_iter().max().expect("a ticket");
    let mut numbers = Vec::new();
    for id in &kept {
        let (ticket, _) = ticket_reads(&copy, token, id).await;
        numbers.push(sequence_of(&ticket));
    }
    let next = copy.create_ticket(&cast.tier1.token, json!({})).await;
    assert_eq!(sequence_of(&next), highest(numbers) + 1, "{next}");
}

/// The mail files under a data directory, each with its content.
fn outbox(data_dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir.join("outbox"))
        .map(|entries| {
            entries
                .map(|entry| {
                    let path = entry.expect("entry").path();
                    let name = path
                        .file_name()
                        .expect("name")
                        .to_string_lossy()
                        .into_owned();
                    (name, std::fs::read(&path).expect("read"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The running number of `SD-YYYY-NNNNNN`.
fn sequence_of(ticket: &Value) -> i64 {
    let number = ticket["number"].as_str().expect("a number");
    number
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect(number)
}

fn manifest(archive: &Path) -> Value {
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(archive).expect("archive")).expect("zip");
    let mut text = String::new();
    zip.by_name("manifest.json")
        .expect("manifest")
        .read_to_string(&mut text)
        .expect("read");
    serde_json::from_str(&text).expect("json")
}

/// A copy of `archive` with one byte of `entry`'s stored data changed.
fn with_changed_byte(archive: &Path, entry: &str) -> PathBuf {
    let start = {
        let mut zip =
            zip::ZipArchive::new(std::fs::File::open(archive).expect("archive")).expect("zip");
        let part = zip.by_name(entry).expect("entry");
        assert!(part.compressed_size() > 8, "{entry} is too small to damage");
        part.data_start().expect("data offset") + part.compressed_size() / 2
    };
    let mut bytes = std::fs::read(archive).expect("read");
    bytes[usize::try_from(start).expect("offset")] ^= 0x20;
    let damaged = archive.with_file_name("damaged.zip");
    std::fs::write(&damaged, bytes).expect("write");
    damaged
}

/// The parts of an archive, by name.
type Parts = std::collections::BTreeMap<String, Vec<u8>>;

/// A copy of `archive` named `name`, its parts (the manifest parsed) changed by `change`, as
/// someone who edits archives would make it.
fn rewritten(archive: &Path, name: &str, change: impl FnOnce(&mut Parts, &mut Value)) -> PathBuf {
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(archive).expect("archive")).expect("zip");
    let mut parts = Parts::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        parts.insert(entry.name().expect("a name").into_owned(), bytes);
    }
    let mut manifest: Value =
        serde_json::from_slice(&parts.remove("manifest.json").expect("manifest")).expect("json");
    change(&mut parts, &mut manifest);
    parts.insert(
        "manifest.json".into(),
        serde_json::to_vec(&manifest).expect("json"),
    );
    let copy = archive.with_file_name(name);
    let mut out = zip::ZipWriter::new(std::fs::File::create(&copy).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(name, options).expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.finish().expect("finish");
    copy
}

/// Restoring `archive` into an empty database of `backend` fails saying `reason`, and leaves
/// it empty: the whole archive restores into it afterwards.
fn refused_into_empty(backend: Backend, archive: &Path, whole: &Path, reason: &str) {
    let target = Storage::new(backend);
    let refused = restore(&target, archive);
    assert!(!refused.status.success(), "{}", archive.display());
    assert!(said(&refused).contains(reason), "{}", said(&refused));
    let restored = restore(&target, whole);
    assert!(restored.status.success(), "{}", said(&restored));
}

/// The backup entries of the audit log about the archive named `file`.
async fn backup_entries(app: &TestApp, file: &str) -> Vec<Value> {
    let (status, entries) = app
        .get(
            "/api/v1/audit-log?entity=backup&entity_id=backups",
            &app.admin_token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    entries
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| {
            entry["data"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with(file))
        })
        .cloned()
        .collect()
}

/// A changed byte in a table's part is refused naming the table, by restore and by the restore
/// test, and nothing is written; the restore test of the whole archive passes and is recorded.
async fn a_damaged_archive_is_refused_naming_the_table(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    app.expect_owed_mail();
    app.create_ticket(&cast.tier1.token, json!({})).await;
    let archive = back_up(&app.storage, "whole.zip");
    let completed = backup_entries(&app, "whole.zip").await;
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert_eq!(completed[0]["action"], "backup_completed");
    let sha256 = completed[0]["data"]["sha256"].clone();

    let verified = run_cli(
        &app.storage,
        None,
        &["backup", "--verify", &archive.to_string_lossy()],
        "",
    );
    assert!(verified.status.success(), "{}", said(&verified));
    let recorded = backup_entries(&app, "whole.zip").await;
    assert_eq!(
        recorded
            .last()
            .map(|e| (&e["action"], &e["data"]["verified"], &e["data"]["sha256"])),
        Some((&json!("backup_verified"), &json!(true), &sha256)),
        "{recorded:?}"
    );
    assert_eq!(
        recorded.last().map(|e| &e["data"]["recorded"]),
        Some(&json!(true))
    );

    let damaged = with_changed_byte(&archive, "tables/tickets.jsonl");
    let target = Storage::new(other(backend));
    let refused = restore(&target, &damaged);
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("table tickets"),
        "{}",
        said(&refused)
    );
    let test = run_cli(
        &app.storage,
        None,
        &["backup", "--verify", &damaged.to_string_lossy()],
        "",
    );
    assert!(!test.status.success());
    assert!(said(&test).contains("table tickets"), "{}", said(&test));
    let failed = backup_entries(&app, "damaged.zip").await;
    assert_eq!(
        failed.last().map(|e| &e["action"]),
        Some(&json!("backup_failed")),
        "{failed:?}"
    );

    // Nothing reached the target: the whole archive restores into it afterwards.
    let restored = restore(&target, &archive);
    assert!(restored.status.success(), "{}", said(&restored));
}

/// A target that holds data, or an archive from a newer schema, is refused with the reason.
async fn an_unfit_target_or_a_newer_archive_is_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    app.expect_owed_mail();
    app.create_ticket(&cast.tier1.token, json!({})).await;
    let archive = back_up(&app.storage, "whole.zip");
    let before = app.ticket_count().await;

    let onto_itself = restore(&app.storage, &archive);
    assert!(!onto_itself.status.success());
    assert!(
        said(&onto_itself).contains("not empty"),
        "{}",
        said(&onto_itself)
    );
    assert_eq!(app.ticket_count().await, before);

    let newer = rewritten(&archive, "newer.zip", |_, manifest| {
        manifest["schema_version"] = json!("99991231000000");
    });
    let target = Storage::new(backend);
    let refused = restore(&target, &newer);
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("newer version"),
        "{}",
        said(&refused)
    );
}

#[derive(diesel::QueryableByName)]
struct Table {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// Every table the migrations make is in a backup: a new table cannot be left out of it.
async fn a_backup_holds_every_table_there_is(backend: Backend) {
    use diesel::RunQueryDsl;
    let app = TestApp::spawn(backend).await;
    let mut conn = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url())
        .expect("url")
        .establish()
        .expect("connect");
    let sql = match backend {
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema()"
        }
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    let mut tables: Vec<String> = diesel::sql_query(sql)
        .load::<Table>(&mut conn)
        .expect("catalogue")
        .into_iter()
        .map(|table| table.name)
        .filter(|name| name != "__diesel_schema_migrations")
        .collect();
    tables.sort();
    let mut backed_up = servicedesk::db::snapshot::TABLES
        .map(str::to_owned)
        .to_vec();
    backed_up.sort();
    assert_eq!(tables, backed_up);
}

/// Archives edited by hand are refused with the reason, and leave the target as empty as it
/// was: a table taken out (with its manifest entry), a manifest naming another trail head, an
/// entry that inflates a thousand times, a stored file with a path outside the outbox. An
/// archive whose parts and manifest were both edited restores, but the restore test says this
/// desk never recorded it.
async fn edited_archives_are_refused_or_unrecorded(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    app.expect_owed_mail();
    app.create_ticket(&cast.tier1.token, json!({})).await;
    let whole = back_up(&app.storage, "whole.zip");

    let without = rewritten(&whole, "without.zip", |parts, manifest| {
        parts.remove("tables/ticket_sla.jsonl");
        let tables = manifest["tables"].as_array_mut().expect("tables");
        tables.retain(|table| table["name"] != "ticket_sla");
    });
    refused_into_empty(
        backend,
        &without,
        &whole,
        "table ticket_sla: missing from the archive",
    );

    let headless = rewritten(&whole, "headless.zip", |_, manifest| {
        manifest["trail_head"]["hash"] = json!("0".repeat(64));
    });
    refused_into_empty(
        backend,
        &headless,
        &whole,
        "does not verify to its manifest's head",
    );

    let bomb = rewritten(&whole, "bomb.zip", |parts, _| {
        parts.insert("tables/idempotency_keys.jsonl".into(), vec![b' '; 40 << 20]);
    });
    refused_into_empty(backend, &bomb, &whole, "would inflate");

    let escaping = rewritten(&whole, "escaping.zip", |parts, manifest| {
        let bytes = b"From: x\r\n\r\nx".to_vec();
        manifest["files"] = json!([{"path": "outbox/../../jwt_secret", "bytes": bytes.len(),
            "sha256": servicedesk::domain::digest::sha256_hex(&bytes)}]);
        parts.insert("files/outbox/../../jwt_secret".into(), bytes);
    });
    refused_into_empty(
        backend,
        &escaping,
        &whole,
        "not a path the desk stores files at",
    );

    // Both edited: an auditor's account made an admin, and its checksum made to match.
    let promoted = rewritten(&whole, "promoted.zip", |parts, manifest| {
        let users = String::from_utf8(parts["tables/users.jsonl"].clone()).expect("text");
        let users = users.replace("\"auditor\"", "\"admin\"").into_bytes();
        for table in manifest["tables"].as_array_mut().expect("tables") {
            if table["name"] == "users" {
                table["sha256"] = json!(servicedesk::domain::digest::sha256_hex(&users));
            }
        }
        parts.insert("tables/users.jsonl".into(), users);
    });
    let test = run_cli(
        &app.storage,
        None,
        &["backup", "--verify", &promoted.to_string_lossy()],
        "",
    );
    assert!(test.status.success(), "{}", said(&test));
    let outcome: Value = serde_json::from_slice(&test.stdout).expect("json");
    assert_eq!(
        (&outcome["verified"], &outcome["recorded"]),
        (&json!(true), &json!(false))
    );
}

/// A backup never writes over a file, nor through a link a killed run's leftovers could be,
/// and only its owner may read it; mail files of mails outside the snapshot stay out of it.
async fn a_backup_writes_a_new_private_file_of_what_the_snapshot_holds(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    app.expect_owed_mail();
    app.create_ticket(&cast.tier1.token, json!({})).await;
    app.dispatch_mail().await;
    let dir = app.storage.dir.path();
    let stray = format!("outbox/{}.eml", uuid::Uuid::now_v7());
    std::fs::write(dir.join(&stray), "a mail of no row").expect("stray mail");
    std::fs::write(dir.join("outbox/.half.eml.part"), "half").expect("half mail");

    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let target = dir.join("linked.zip");
    std::os::unix::fs::symlink(&victim, dir.join("linked.zip.partial")).expect("link");
    let output = run_cli(
        &app.storage,
        None,
        &["backup", "--output", &target.to_string_lossy()],
        "",
    );
    assert!(output.status.success(), "{}", said(&output));
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&target)
        .expect("archive")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    let files = manifest(&target)["files"].clone();
    let paths: Vec<&str> = files
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        !paths.is_empty() && paths.iter().all(|p| *p != stray && !p.contains(".part")),
        "{paths:?}"
    );

    let again = run_cli(
        &app.storage,
        None,
        &["backup", "--output", &target.to_string_lossy()],
        "",
    );
    assert!(!again.status.success());
    assert!(said(&again).contains("exists already"), "{}", said(&again));
}

/// The tools that read a desk do not make one where there is none.
async fn the_tools_do_not_make_a_desk_where_there_is_none(backend: Backend) {
    let empty = Storage::new(backend);
    for args in [
        vec!["verify-audit"],
        vec!["evidence", "--month", "2026-11", "--output", "/dev/null"],
        vec!["backup", "--output", "x.zip"],
    ] {
        let output = run_cli(&empty, None, &args, "");
        assert!(!output.status.success(), "{args:?}: {}", said(&output));
        let said = said(&output);
        assert!(
            said.contains("no database at") || said.contains("lacks migrations"),
            "{said}"
        );
    }
    if backend == Backend::Sqlite {
        assert!(!empty.sqlite_file().exists());
    }
}

/// A backup onto a disk that fills fails, leaves nothing behind (no archive, no partial file,
/// no copy of the database) and is recorded as failed; the desk goes on.
async fn a_backup_onto_a_full_disk_fails_leaving_nothing(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    app.expect_owed_mail();
    for _ in 0..3 {
        app.create_ticket(&cast.tier1.token, json!({})).await;
    }
    let disk = app.storage.dir.path().join("small-disk");
    std::fs::create_dir(&disk).expect("mount point");
    let _mounted = crate::support::faulty_fs::Mounted::tmpfs(&disk, "4k").expect("a tmpfs");
    let archive = disk.join("full.zip");
    let output = run_cli(
        &app.storage,
        None,
        &["backup", "--output", &archive.to_string_lossy()],
        "",
    );
    assert!(!output.status.success(), "{}", said(&output));
    let left: Vec<_> = std::fs::read_dir(&disk).expect("disk").collect();
    assert!(left.is_empty(), "{left:?}");
    let failed = backup_entries(&app, "full.zip").await;
    assert_eq!(
        failed.last().map(|e| &e["action"]),
        Some(&json!("backup_failed")),
        "{failed:?}"
    );
    app.create_ticket(&cast.tier1.token, json!({})).await;
}

on_both_databases!(
    a_backup_onto_a_full_disk_fails_leaving_nothing,
    edited_archives_are_refused_or_unrecorded,
    a_backup_writes_a_new_private_file_of_what_the_snapshot_holds,
    the_tools_do_not_make_a_desk_where_there_is_none,
    a_backup_holds_every_table_there_is,
    a_backup_during_a_burst_restores_into_the_other_backend,
    a_damaged_archive_is_refused_naming_the_table,
    an_unfit_target_or_a_newer_archive_is_refused,
);
