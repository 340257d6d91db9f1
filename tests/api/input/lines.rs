//! One-line text in titles and names: no controls, no bidirectional overrides, something visible.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::refused_field;
use crate::on_both_databases;
use crate::support::{
    Backend, Cast, DOMAIN, PASSWORD, PRESET, Storage, TestApp, assert_refused_on, incident, run_cli,
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

/// Each create whose one-line `field` gets `bad`: path, token, body, field.
fn bad_line_cases<'a>(
    bad: &str,
    cast: &'a Cast,
    admin: &'a str,
    supervisor: &'a str,
    calendar: &Value,
) -> Vec<(&'static str, &'a str, Value, &'static str)> {
    vec![
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
            admin,
            json!({"name": bad, "email": format!("baru@{DOMAIN}"), "password": PASSWORD,
                   "role": "auditor"}),
            "name",
        ),
        (
            "/api/v1/units",
            admin,
            json!({"code": "BARU", "name": bad, "kind": "pd"}),
            "name",
        ),
        (
            "/api/v1/services",
            supervisor,
            json!({"code": "BARU", "name": bad, "owner_unit_id": cast.dinkes}),
            "name",
        ),
        (
            "/api/v1/calendars",
            supervisor,
            json!({"name": bad, "timezone": "Asia/Makassar", "always_open": true}),
            "name",
        ),
        (
            "/api/v1/sla-policies",
            supervisor,
            json!({"name": bad, "calendar_id": calendar["id"], "targets": []}),
            "name",
        ),
    ]
}

/// Emoji and a description's line breaks and tabs are kept; a title's line break is not.
async fn a_description_keeps_its_lines_a_title_does_not(app: &TestApp, cast: &Cast) {
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
        let cases = bad_line_cases(bad, &cast, &admin, &supervisor, &calendar);
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

    a_description_keeps_its_lines_a_title_does_not(&app, &cast).await;
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

on_both_databases!(
    short_fields_refuse_control_bidi_and_invisible_text,
    the_command_line_refuses_a_name_with_a_bidi_override,
);
