//! What the desk takes from its callers: one-line text in titles and names, addresses the
//! mailer can send to, official domains taken exactly, and edits that change nothing.

use std::sync::Arc;
use std::time::Duration;

use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::app::{self, Application};
use servicedesk::clock::SystemClock;

use crate::on_both_databases;
use crate::support::{
    Backend, DOMAIN, PASSWORD, PRESET, Storage, TestApp, assert_refused_on, desk_with_sink,
    incident, read, run_cli,
};

/// Text a title or a name must not be: line breaks, tabs and other controls (C0 the HTTP
/// layer lets through, DEL, C1), bidirectional controls, nothing visible.
const BAD_LINES: [&str; 15] = [
    "Baris satu\nBaris dua",
    "Kolom\tdua",
    "Akhir\r",
    "Hapus\u{7f}",
    "C1\u{85}kontrol",
    "CSI\u{9b}31m",
    "Nama\u{202e}gpj.exe",
    "Isolasi\u{2067}kanan\u{2069}",
    "Embed\u{202a}kiri",
    "\u{200b}\u{200b}",
    "\u{feff}",
    "\u{3164}\u{2060}\u{180e}",
    "Baris\u{2028}pemisah",
    "\u{2800}\u{2800}",
    "\u{301}",
];

async fn refused_field(app: &TestApp, path: &str, token: &str, body: Value) -> Vec<String> {
    let (status, problem) = app.post(path, token, body).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{path}: {problem}"
    );
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

async fn short_fields_refuse_control_bidi_and_invisible_text(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let admin = app.admin_token.clone();
    let supervisor = cast.supervisor.token.clone();
    let calendar = app
        .post(
            "/api/v1/calendars",
            &supervisor,
            json!({"name": "24x7", "timezone": "Asia/Makassar", "always_open": true}),
        )
        .await
        .1;
    let tickets_before = app.ticket_count().await;
    for bad in BAD_LINES {
        let cases: Vec<(&str, &str, Value, &str)> = vec![
            (
                "/api/v1/tickets",
                &cast.tier1.token,
                incident(json!({"title": bad})),
                "title",
            ),
            (
                "/api/v1/tickets",
                &cast.tier1.token,
                incident(json!({"reporter": {"name": bad}})),
                "reporter.name",
            ),
            (
                "/api/v1/users",
                &admin,
                json!({"name": bad, "email": format!("baru@{DOMAIN}"), "password": PASSWORD,
                       "role": "auditor"}),
                "name",
            ),
            (
                "/api/v1/units",
                &admin,
                json!({"code": "BARU", "name": bad, "kind": "pd"}),
                "name",
            ),
            (
                "/api/v1/services",
                &supervisor,
                json!({"code": "BARU", "name": bad, "owner_unit_id": cast.dinkes}),
                "name",
            ),
            (
                "/api/v1/calendars",
                &supervisor,
                json!({"name": bad, "timezone": "Asia/Makassar", "always_open": true}),
                "name",
            ),
            (
                "/api/v1/sla-policies",
                &supervisor,
                json!({"name": bad, "calendar_id": calendar["id"], "targets": []}),
                "name",
            ),
        ];
        for (path, token, body, field) in cases {
            let fields = refused_field(&app, path, token, body).await;
            assert!(
                fields.iter().any(|f| f == field),
                "{path} {bad:?}: {fields:?}"
            );
        }
        let token_path = format!("/api/v1/users/{}/tokens", cast.integration.id);
        let fields = refused_field(&app, &token_path, &admin, json!({"name": bad})).await;
        assert_eq!(fields, ["name"], "token name {bad:?}");
        let (status, problem) = app
            .put(
                "/api/v1/region",
                &admin,
                json!({"name": bad, "timezone": "Asia/Makassar",
                       "official_email_domains": [DOMAIN]}),
            )
            .await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("name")),
            "region name {bad:?}"
        );
    }
    assert_eq!(
        app.ticket_count().await,
        tickets_before,
        "nothing was written"
    );

    let ticket = app
        .create_ticket(
            &cast.tier1.token,
            json!({"title": "Printer 🖨️ rusak, lantai 2 (ruang Kabid)",
                   "description": "Baris satu\nBaris dua\n\tterindentasi"}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id"));
    let (status, problem) = app
        .patch(&path, &cast.tier1.token, json!({"title": "Judul\nbaru"}))
        .await;
    assert_refused_on(status, &problem, "title");
    let (_, stored) = app.get(&path, &cast.tier1.token).await;
    assert_eq!(stored["title"], "Printer 🖨️ rusak, lantai 2 (ruang Kabid)");
    assert_eq!(
        stored["description"],
        "Baris satu\nBaris dua\n\tterindentasi"
    );
}

async fn the_command_line_refuses_a_name_with_a_bidi_override(backend: Backend) {
    let storage = Storage::new(backend);
    let output = run_cli(
        &storage,
        Some(PRESET),
        &[
            "create-admin",
            "--email",
            &format!("admin@{DOMAIN}"),
            "--name",
            "Admin\u{202e}nimdA",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("bidirectional"), "{stderr}");
}

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

async fn subdomains_are_official_only_where_the_region_lists_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let user = |email: String| {
        json!({"name": "Budi", "email": email, "password": PASSWORD, "role": "tier1",
               "unit_id": pd})
    };
    for email in [format!("x@evil.{DOMAIN}"), format!("x@a.b.{DOMAIN}")] {
        let (status, problem) = app
            .post("/api/v1/users", &app.admin_token, user(email.clone()))
            .await;
        assert_eq!(
            (status, &problem["code"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!("email_not_official")
            ),
            "{email}"
        );
    }
    let region = |domains: Value, mail_from: Option<String>| {
        json!({"name": "Kabupaten Tojo Una-Una", "timezone": "Asia/Makassar",
               "official_email_domains": domains, "mail_from": mail_from})
    };
    let (status, problem) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            region(json!([DOMAIN]), Some(format!("servicedesk@mail.{DOMAIN}"))),
        )
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("mail_from")),
        "the sender's subdomain is not listed"
    );
    for (bad, index) in [
        ("*.go.id", 1),
        ("a*.tojounaunakab.go.id", 1),
        ("dinkes.*.go.id", 1),
        ("*", 1),
        ("@gmail.com", 0),
        (" gmail.com", 0),
        ("gmail.com\n", 0),
        ("xn--zz.com", 0),
    ] {
        let list = if index == 0 {
            json!([bad])
        } else {
            json!([DOMAIN, bad])
        };
        let (status, problem) = app
            .put("/api/v1/region", &app.admin_token, region(list, None))
            .await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!([{
                    "field": format!("official_email_domains[{index}]"),
                    "message": problem["errors"][0]["message"]
                }])
            ),
            "{bad:?}: the entry is told, and nothing else"
        );
    }
    let (status, only_wildcard) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            region(json!([format!("*.{DOMAIN}")]), None),
        )
        .await;
    assert_eq!(
        (status, &only_wildcard["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("mail_from")),
        "no exact domain to send from: {only_wildcard}"
    );

    let (status, updated) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            region(json!([DOMAIN, format!("*.{DOMAIN}")]), None),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (&updated["official_email_domains"], &updated["mail_from"]),
        (
            &json!([DOMAIN, format!("*.{DOMAIN}")]),
            &json!(format!("servicedesk@{DOMAIN}"))
        )
    );
    let (status, created) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            user(format!("puskesmas@dinkes.{DOMAIN}")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "listed now: {created}");
}

async fn a_sender_on_an_unlisted_subdomain_stops_startup(backend: Backend) {
    let storage = Storage::new(backend);
    let mut config = storage.config(Some(PRESET));
    app::prepare(&config, Arc::new(SystemClock)).expect("seeded");
    config.mail_from = Some(format!("servicedesk@evil.{DOMAIN}"));
    let error = Application::build(&config, Arc::new(SystemClock))
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("SERVICEDESK_MAIL_FROM"),
        "{error}"
    );
}

/// The audit actions recorded on one entity, oldest first.
async fn audit_actions(app: &TestApp, auditor: &str, entity: &str, id: &str) -> Vec<String> {
    let path = format!("/api/v1/audit-log?entity={entity}&entity_id={id}");
    let (status, trail) = app.get(&path, auditor).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    trail
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

async fn an_edit_that_changes_nothing_leaves_no_trace(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let auditor = cast.auditor.token.clone();
    let ticket = app
        .create_ticket(&cast.tier1.token, json!({"impact": "high"}))
        .await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id"));
    // Let the clock move, so that a needless write would show in `updated_at`.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let same = json!({"title": format!(" {} ", ticket["title"].as_str().expect("title")),
                      "description": ticket["description"], "impact": "high",
                      "urgency": ticket["urgency"], "service_id": null, "assignee_id": null,
                      "classification": ticket["classification"]});
    for body in [same, json!({})] {
        let response = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&cast.tier1.token)
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
            .await
            .expect("sent");
        let (status, edited) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{body}: {edited}");
        assert_eq!(
            (&edited["version"], &edited["updated_at"]),
            (&json!(1), &ticket["updated_at"]),
            "{body}"
        );
    }
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&cast.tier1.token)
        .header("If-Match", "\"7\"")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        stale.status(),
        StatusCode::PRECONDITION_FAILED,
        "If-Match still counts"
    );
    let (_, stored) = app.get(&path, &cast.tier1.token).await;
    assert_eq!(
        (&stored["version"], &stored["updated_at"]),
        (&json!(1), &ticket["updated_at"])
    );
    let events = app.ticket_events(&cast.auditor.token, &ticket).await;
    assert!(
        !events.iter().any(|e| e["type"] == "updated"),
        "no updated event: {events:?}"
    );

    let unit_path = format!("/api/v1/units/{}", cast.dinkes);
    let (_, unit) = app.get(&unit_path, &app.admin_token).await;
    let (status, edited) = app
        .patch(
            &unit_path,
            &app.admin_token,
            json!({"code": "dinkes", "name": unit["name"], "email": unit["email"], "active": true}),
        )
        .await;
    assert_eq!((status, &edited), (StatusCode::OK, &unit));

    let user_path = format!("/api/v1/users/{}", cast.tier1.id);
    let (_, user) = app.get(&user_path, &app.admin_token).await;
    let (status, edited) = app
        .patch(
            &user_path,
            &app.admin_token,
            json!({"name": user["name"], "email": user["email"], "role": user["role"],
                   "unit_id": user["unit_id"], "active": true}),
        )
        .await;
    assert_eq!((status, &edited), (StatusCode::OK, &user));

    let (status, service) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": cast.dinkes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let service_path = format!("/api/v1/services/{}", service["id"].as_str().expect("id"));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (status, edited) = app
        .patch(
            &service_path,
            &cast.supervisor.token,
            json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": cast.dinkes,
                   "critical": false, "sla_policy_id": null,
                   "availability_target_percent": 99.5, "description": "", "active": true}),
        )
        .await;
    assert_eq!((status, &edited), (StatusCode::OK, &service));
    for (path, token, expected) in [
        (&unit_path, &app.admin_token, &unit),
        (&user_path, &app.admin_token, &user),
        (&service_path, &cast.supervisor.token, &service),
    ] {
        assert_eq!(&app.get(path, token).await.1, expected, "{path}");
    }
    assert_eq!(
        audit_actions(&app, &auditor, "unit", &cast.dinkes).await,
        ["unit_created"]
    );
    assert_eq!(
        audit_actions(&app, &auditor, "user", &cast.tier1.id).await,
        ["user_created"]
    );
    assert_eq!(
        audit_actions(
            &app,
            &auditor,
            "service",
            service["id"].as_str().expect("id")
        )
        .await,
        ["service_created"]
    );
}

on_both_databases!(
    short_fields_refuse_control_bidi_and_invisible_text,
    the_command_line_refuses_a_name_with_a_bidi_override,
    addresses_the_mailer_cannot_send_to_are_refused,
    a_stored_address_the_mailer_refuses_is_skipped_alone,
    a_queued_mail_loses_only_its_unusable_recipient,
    subdomains_are_official_only_where_the_region_lists_them,
    a_sender_on_an_unlisted_subdomain_stops_startup,
    an_edit_that_changes_nothing_leaves_no_trace,
);
