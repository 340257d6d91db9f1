//! The ticket trail and the audit log as evidence: entries are only ever added, whoever holds
//! the database.

use diesel::RunQueryDsl;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp};

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
