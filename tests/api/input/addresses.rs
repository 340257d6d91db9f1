//! Addresses the mailer can send to, whether given now or stored before.

use diesel::RunQueryDsl;
use serde_json::{Value, json};

use super::refused_field;
use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, desk_with_sink, incident};

/// Addresses an RFC-minded parser might let by that the mail transport refuses.
const UNSENDABLE: [&str; 9] = [
    "a,b@tojounaunakab.go.id",
    "a..b@tojounaunakab.go.id",
    ".a@tojounaunakab.go.id",
    "a.@tojounaunakab.go.id",
    "a(b)@tojounaunakab.go.id",
    "a@tojounaunakab.go.id.",
    "\"a b\"@tojounaunakab.go.id",
    "a;b@tojounaunakab.go.id",
    "a@[10.0.0.1]",
];

async fn addresses_the_mailer_cannot_send_to_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let before = app.user_count().await;
    for bad in UNSENDABLE {
        let fields = refused_field(
            &app,
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Budi", "email": bad, "password": PASSWORD, "role": "auditor"}),
        )
        .await;
        assert_eq!(fields, ["email"], "{bad}");
        let fields = refused_field(
            &app,
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "BARU", "name": "Baru", "kind": "pd", "email": bad}),
        )
        .await;
        assert_eq!(fields, ["email"], "{bad}");
        let fields = refused_field(
            &app,
            "/api/v1/tickets",
            &cast.tier1.token,
            incident(json!({"reporter": {"name": "Siti", "email": bad}})),
        )
        .await;
        assert_eq!(fields, ["reporter.email"], "{bad}");
    }
    assert_eq!(app.user_count().await, before);
}

fn execute(app: &TestApp, sql: &str) {
    let url = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    diesel::sql_query(sql)
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn a_stored_address_the_mailer_refuses_is_skipped_alone(backend: Backend) {
    let (app, cast, sink, _) = desk_with_sink(backend, &[]).await;
    // An account written before the address rule, straight into the database.
    let old = format!("rekan..dinkes@{DOMAIN}");
    execute(
        &app,
        &format!(
            "UPDATE users SET email = '{old}' WHERE id = '{}'",
            cast.tier1_colleague.id
        ),
    );
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let mails = sink.after_dispatch(&app).await;
    assert_eq!(
        mails[0].to,
        [
            format!("dinkes@{DOMAIN}"),
            format!("teknisi.dinkes@{DOMAIN}")
        ],
        "the others get their mail"
    );
    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    let skipped: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "notification_skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{events:?}");
    assert_eq!(
        (
            &skipped[0]["data"]["address"],
            &skipped[0]["data"]["reason"]
        ),
        (&json!(old), &json!("invalid_address"))
    );
}

async fn a_queued_mail_loses_only_its_unusable_recipient(backend: Backend) {
    let (app, cast, sink, clock) = desk_with_sink(backend, &[]).await;
    sink.set_mode(crate::support::smtp::Mode::Down);
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.dispatch_mail().await;
    let (_, page) = app
        .get("/api/v1/notifications?status=pending", &app.admin_token)
        .await;
    let pending = page["items"][0].clone();
    assert!(pending["last_error"].is_string(), "{pending}");
    // A mail queued before the address rule, with an address the transport refuses.
    let bad = format!("a(b)@{DOMAIN}");
    let recipients = json!({"to": [format!("dinkes@{DOMAIN}"), bad], "cc": []});
    execute(
        &app,
        &format!(
            "UPDATE notifications SET recipients = '{recipients}' WHERE id = '{}'",
            pending["id"].as_str().expect("id")
        ),
    );
    sink.set_mode(crate::support::smtp::Mode::Accept);
    clock.advance(chrono::Duration::minutes(2));
    let mails = sink.after_dispatch(&app).await;
    assert_eq!(mails[0].to, [format!("dinkes@{DOMAIN}")]);
    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    let skipped = events
        .iter()
        .find(|e| e["type"] == "notification_skipped")
        .unwrap_or_else(|| panic!("a skip on the trail: {events:?}"));
    assert_eq!(
        (&skipped["data"]["address"], &skipped["data"]["reason"]),
        (&json!(bad), &json!("invalid_address"))
    );
    assert_eq!(skipped["data"]["notification_id"], pending["id"]);
}

on_both_databases!(
    addresses_the_mailer_cannot_send_to_are_refused,
    a_stored_address_the_mailer_refuses_is_skipped_alone,
    a_queued_mail_loses_only_its_unusable_recipient,
);
