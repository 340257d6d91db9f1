//! Scheduled backups inside `serve`: taken on time, the newest kept, each recorded; a run that
//! cannot write is an audit entry and a metric, and the next run recovers.

use std::path::Path;
use std::time::{Duration, Instant};

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, run_cli, said};

/// The count of scheduled backups with `outcome` that `/metrics` shows.
async fn scheduled(app: &TestApp, token: &str, outcome: &str) -> u64 {
    let (_, text) = app.get("/metrics", token).await;
    let prefix = format!("servicedesk_scheduled_backups_total{{outcome=\"{outcome}\"}} ");
    text.as_str()
        .expect("text")
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in the metrics"))
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "waited a minute for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn archives(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("backup dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".zip"))
        .collect();
    names.sort();
    names
}

fn audit_actions(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    use servicedesk::db::schema::audit_log;
    let mut conn = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url())
        .expect("url")
        .establish()
        .expect("connect");
    audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id)
        .select(audit_log::data)
        .load::<String>(&mut conn)
        .expect("entries")
        .iter()
        .map(|data| serde_json::from_str(data).expect("json"))
        .collect()
}

/// Every second, with two kept: the directory holds the newest two, each run is a
/// `backup_completed` entry whose checksum is the file's, and the newest passes the restore
/// test. With the directory gone (a file in its place) runs fail, each an audit entry and a
/// metric; with it back, backups go on.
async fn scheduled_backups_are_kept_recorded_and_never_fail_silently(backend: Backend) {
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir = scratch.path().join("backups");
    std::fs::create_dir(&dir).expect("backup dir");
    // An operator's own archive beside the scheduled ones is not the scheduler's to remove.
    let own = dir.join("servicedesk-before-upgrade.zip");
    std::fs::write(&own, "an archive the operator made").expect("own archive");
    let settings = [
        ("SERVICEDESK_BACKUP_DIR", dir.display().to_string()),
        ("SERVICEDESK_BACKUP_INTERVAL", "1".to_owned()),
        ("SERVICEDESK_BACKUP_KEEP", "2".to_owned()),
    ];
    let (app, cast) = TestApp::spawn_driven(backend, None, &settings).await;
    let token = &cast.integration.token;
    wait_for("three backups", async || {
        scheduled(&app, token, "completed").await >= 3
    })
    .await;

    assert!(own.is_file(), "the operator's archive was removed");
    std::fs::remove_file(&own).expect("remove the operator's archive");
    // A run writes its archive before it removes the oldest: a listing may fall between the
    // two, so the directory is read until it holds a run's result.
    let mut kept = archives(&dir);
    for _ in 0..100 {
        if kept.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        kept = archives(&dir);
    }
    assert_eq!(kept.len(), 2, "{kept:?}");
    let newest = &kept[1];
    let names_newest =
        |data: &serde_json::Value| data["file"] == json!(dir.join(newest).display().to_string());
    // The run's entry commits a moment after its archive is in place.
    let mut completed = audit_actions(&app, "backup_completed");
    for _ in 0..100 {
        if completed.iter().any(names_newest) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        completed = audit_actions(&app, "backup_completed");
    }
    assert!(completed.len() >= 3, "{completed:?}");
    let entry = completed
        .iter()
        .find(|data| names_newest(data))
        .unwrap_or_else(|| panic!("no entry for {newest} in {completed:?}"));
    let bytes = std::fs::read(dir.join(newest)).expect("archive");
    assert_eq!(
        entry["sha256"],
        json!(servicedesk::domain::digest::sha256_hex(&bytes))
    );
    let test = run_cli(
        &app.storage,
        None,
        &["backup", "--verify", &dir.join(newest).to_string_lossy()],
        "",
    );
    assert!(test.status.success(), "{}", said(&test));

    std::fs::remove_dir_all(&dir).expect("remove the backup dir");
    std::fs::write(&dir, "not a directory").expect("a file in its place");
    let failed_before = scheduled(&app, token, "failed").await;
    wait_for("a failed backup", async || {
        scheduled(&app, token, "failed").await > failed_before
    })
    .await;
    let failures = audit_actions(&app, "backup_failed");
    assert!(
        failures
            .last()
            .and_then(|data| data["error"].as_str())
            .is_some_and(|e| !e.is_empty()),
        "{failures:?}"
    );

    std::fs::remove_file(&dir).expect("remove the file");
    std::fs::create_dir(&dir).expect("the dir again");
    let completed_before = scheduled(&app, token, "completed").await;
    wait_for("backups again", async || {
        scheduled(&app, token, "completed").await > completed_before
    })
    .await;
    assert!(!archives(&dir).is_empty());
}

on_both_databases!(scheduled_backups_are_kept_recorded_and_never_fail_silently);
