//! The ticket trail and the audit log as evidence: entries are only ever added, whoever holds
//! the database.

use diesel::{QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::logged::LoggedServer;
use crate::support::{Backend, TestApp, incident, run_cli, said};

/// Straight SQL against the desk's database, as someone with its password or its file could
/// send, cannot change or remove an entry of either trail.
async fn no_one_changes_or_removes_an_entry_of_the_trail(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    let (_, audit) = app
        .get(
            &format!("/api/v1/audit-log?entity=unit&entity_id={}", cast.dinkes),
            &cast.auditor.token,
        )
        .await;
    assert!(!events.is_empty() && audit.as_array().is_some_and(|a| !a.is_empty()));

    let url = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    let mut statements = vec![
        "UPDATE ticket_events SET data = '{}'",
        "DELETE FROM ticket_events",
        "UPDATE audit_log SET action = 'nothing_happened'",
        "DELETE FROM audit_log",
    ];
    if backend == Backend::Postgres {
        statements.extend(["TRUNCATE ticket_events", "TRUNCATE audit_log"]);
    }
    let head = diesel::sql_query("DELETE FROM trail_head").execute(&mut conn);
    assert!(
        head.as_ref()
            .is_err_and(|e| e.to_string().contains("never removed")),
        "{head:?}"
    );
    for sql in statements {
        let refused = diesel::sql_query(sql).execute(&mut conn);
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("is append-only")),
            "{sql}: {refused:?}"
        );
    }

    // The mail dispatcher may add its own event meanwhile; what was there stays as it was.
    let now = app.ticket_events(&cast.auditor.token, &ticket).await;
    assert!(now.starts_with(&events), "{now:?}");
    let (_, after) = app
        .get(
            &format!("/api/v1/audit-log?entity=unit&entity_id={}", cast.dinkes),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(after, audit);
}

on_both_databases!(no_one_changes_or_removes_an_entry_of_the_trail);

/// Straight SQL, with the guard the desk put on the table taken off first, as the database's
/// owner could.
fn tamper(app: &TestApp, backend: Backend, guard: (&str, &str), sql: &str) {
    let (table, trigger) = guard;
    let lift = match backend {
        Backend::Postgres => format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"),
        Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
    };
    let mut conn = database(app);
    for sql in [lift.as_str(), sql] {
        diesel::sql_query(sql).execute(&mut conn).expect(sql);
    }
}

fn database(app: &TestApp) -> servicedesk::db::DbConn {
    servicedesk::db::DatabaseUrl::parse(&app.storage.database_url())
        .expect("url")
        .establish()
        .expect("connect")
}

/// Entries of both trails in the database now.
fn entries_stored(app: &TestApp) -> i64 {
    use servicedesk::db::schema::{audit_log, ticket_events};
    let mut conn = database(app);
    let events: i64 = ticket_events::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    let audit: i64 = audit_log::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    events + audit
}

async fn verification(app: &TestApp, token: &str) -> Value {
    let (status, verification) = app.get("/api/v1/audit/verify", token).await;
    assert_eq!(status, StatusCode::OK, "{verification}");
    verification
}

/// The whole trail verifies and its count covers every entry; an event changed in the database
/// afterwards is named by the API and by `verify-audit`, which then fails.
async fn a_changed_event_is_named_by_the_chain(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.create_ticket(&cast.tier1_other_pd.token, json!({}))
        .await;
    let (status, _) = app.get("/api/v1/audit/verify", &cast.tier1.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = entries_stored(&app);
    let whole = verification(&app, &cast.auditor.token).await;
    let after = entries_stored(&app);
    assert_eq!(whole["verified"], true, "{whole}");
    assert_eq!(whole["first_failure"], Value::Null);
    let entries = whole["entries"].as_i64().expect("a count");
    assert!(
        (before..=after).contains(&entries),
        "{entries} of {before}..{after}"
    );
    assert_eq!(whole["head"].as_str().map(str::len), Some(64), "{whole}");
    let cli = run_cli(&app.storage, None, &["verify-audit"], "");
    assert!(cli.status.success(), "{}", said(&cli));

    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    let changed = events[0]["id"].as_str().expect("an event id").to_owned();
    let guard = match backend {
        Backend::Postgres => "ticket_events_append_only",
        Backend::Sqlite => "ticket_events_no_update",
    };
    tamper(
        &app,
        backend,
        ("ticket_events", guard),
        &format!("UPDATE ticket_events SET data = '{{}}' WHERE id = '{changed}'"),
    );
    let broken = verification(&app, &app.admin_token).await;
    assert_eq!(broken["verified"], false, "{broken}");
    let failure = &broken["first_failure"];
    assert_eq!(
        (&failure["entry"], &failure["entry_id"], &failure["fault"]),
        (&json!("ticket_event"), &json!(changed), &json!("changed")),
        "{broken}"
    );
    let cli = run_cli(&app.storage, None, &["verify-audit"], "");
    assert!(!cli.status.success(), "{}", said(&cli));
    assert!(said(&cli).contains(&changed), "{}", said(&cli));
}

/// An entry added to the database beside the service has no link and is named; so is one
/// removed, whose link stays behind.
async fn an_entry_slipped_in_or_taken_out_is_named(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    let forged = "01900000-0000-7000-8000-000000000001";
    let mut conn = database(&app);
    diesel::sql_query(format!(
        "INSERT INTO ticket_events (id, ticket_id, type, actor_id, at, data) VALUES \
         ('{forged}', '{}', 'resolved', NULL, '2026-11-01 00:00:00', '{{}}')",
        ticket["id"].as_str().expect("id")
    ))
    .execute(&mut conn)
    .expect("insert");
    let slipped = verification(&app, &cast.auditor.token).await;
    assert_eq!(
        (
            &slipped["first_failure"]["entry_id"],
            &slipped["first_failure"]["fault"]
        ),
        (&json!(forged), &json!("unlinked")),
        "{slipped}"
    );

    let removed = events[0]["id"].as_str().expect("an event id").to_owned();
    let guard = match backend {
        Backend::Postgres => "ticket_events_append_only",
        Backend::Sqlite => "ticket_events_no_delete",
    };
    tamper(
        &app,
        backend,
        ("ticket_events", guard),
        &format!("DELETE FROM ticket_events WHERE id = '{removed}'"),
    );
    let missing = verification(&app, &cast.auditor.token).await;
    assert_eq!(
        (
            &missing["first_failure"]["entry_id"],
            &missing["first_failure"]["fault"]
        ),
        (&json!(removed), &json!("missing")),
        "{missing}"
    );
}

/// Two server processes on one database, creating tickets at once, keep one chain.
async fn two_servers_keep_one_chain(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let second = LoggedServer::start(&app.storage, "info");
    let elsewhere = format!("http://127.0.0.1:{}/api/v1/tickets", second.port);
    let creates = (0..24).map(|n| {
        let url = if n % 2 == 0 {
            app.url("/api/v1/tickets")
        } else {
            elsewhere.clone()
        };
        let request = app
            .client
            .post(url)
            .bearer_auth(&cast.tier1.token)
            .json(&incident(json!({})));
        async move { request.send().await.expect("sent").status() }
    });
    let statuses = futures_util::future::join_all(creates).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    second.stop();
    let whole = verification(&app, &cast.auditor.token).await;
    assert_eq!(whole["verified"], true, "{whole}");
    assert!(whole["entries"].as_i64() >= Some(24), "{whole}");
}

on_both_databases!(
    a_changed_event_is_named_by_the_chain,
    an_entry_slipped_in_or_taken_out_is_named,
    two_servers_keep_one_chain,
);
