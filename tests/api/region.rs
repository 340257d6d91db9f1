//! Region settings and presets.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, PASSWORD, TestApp};

async fn a_preset_seeds_the_region(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, region) = app.get("/api/v1/region", &app.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(region["name"], "Kabupaten Tojo Una-Una");
    assert_eq!(region["timezone"], "Asia/Makassar");
    assert_eq!(
        region["official_email_domains"],
        json!(["tojounaunakab.go.id"])
    );
    assert_eq!(region["mail_from"], "servicedesk@tojounaunakab.go.id");
    assert_eq!(
        (&region["language"], &region["preset"]),
        (&json!("id"), &json!("tojo-una-una"))
    );
}

async fn every_preset_has_its_own_timezone_and_domain(backend: Backend) {
    for (preset, timezone, domain) in [
        ("palangka-raya", "Asia/Jakarta", "palangkaraya.go.id"),
        ("ambon", "Asia/Jayapura", "ambon.go.id"),
        ("kupang", "Asia/Makassar", "kupang.go.id"),
        ("batu", "Asia/Jakarta", "batukota.go.id"),
    ] {
        let app = TestApp::spawn_with(backend, Some(preset), &format!("admin@{domain}")).await;
        let (_, region) = app.get("/api/v1/region", &app.admin_token).await;
        assert_eq!(
            (&region["timezone"], &region["official_email_domains"][0]),
            (&json!(timezone), &json!(domain))
        );
    }
}

async fn an_admin_configures_a_region_started_without_a_preset(backend: Backend) {
    // The first admin of an unconfigured region comes from the command line, before any domain.
    let app = TestApp::spawn_with(backend, None, "admin@kabupaten-baru.go.id").await;
    let (_, region) = app.get("/api/v1/region", &app.admin_token).await;
    assert_eq!(
        (&region["official_email_domains"], &region["mail_from"]),
        (&json!([]), &json!(null))
    );
    let dinas = app.dinas_id().await;
    let user = json!({"name": "Staf", "email": "staf@kabupaten-baru.go.id", "password": PASSWORD,
                      "role": "tier2", "unit_id": dinas});
    let (status, problem) = app
        .post("/api/v1/users", &app.admin_token, user.clone())
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("email_not_official")
        )
    );

    let (status, region) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            json!({"name": "Kabupaten Baru", "timezone": "Asia/Jayapura",
                   "official_email_domains": ["Kabupaten-Baru.go.id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{region}");
    assert_eq!(
        region["official_email_domains"],
        json!(["kabupaten-baru.go.id"])
    );
    assert_eq!(region["mail_from"], "servicedesk@kabupaten-baru.go.id");
    assert_eq!(
        app.post("/api/v1/users", &app.admin_token, user).await.0,
        StatusCode::CREATED
    );
}

async fn region_changes_are_checked_and_admin_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, problem) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            json!({"name": "", "timezone": "WITA", "official_email_domains": ["tojounaunakab.go.id"],
                   "mail_from": "servicedesk@gmail.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["mail_from", "name", "timezone"]);
    let (_, region) = app.get("/api/v1/region", &app.admin_token).await;
    assert_eq!(region["timezone"], "Asia/Makassar", "nothing was written");

    let (_, auditor) = app
        .create_user("inspektorat@tojounaunakab.go.id", "auditor", None)
        .await;
    let (status, _) = app
        .put(
            "/api/v1/region",
            &auditor,
            json!({"name": "x", "timezone": "Asia/Jakarta", "official_email_domains": ["x.go.id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/region", &auditor).await.0, StatusCode::OK);
}

on_both_databases!(
    a_preset_seeds_the_region,
    every_preset_has_its_own_timezone_and_domain,
    an_admin_configures_a_region_started_without_a_preset,
    region_changes_are_checked_and_admin_only,
);
