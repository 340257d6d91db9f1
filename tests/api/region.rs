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

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Target {
    #[diesel(sql_type = diesel::sql_types::Text)]
    priority: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    response_seconds: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    tier1_seconds: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    resolution_seconds: i64,
}

#[derive(diesel::QueryableByName, Debug)]
struct Holiday {
    #[diesel(sql_type = diesel::sql_types::Text)]
    day: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    timezone: String,
}

/// The calendar and policy have no endpoints until the SLA engine; read them from the database.
async fn a_preset_stores_the_office_calendar_and_default_policy(backend: Backend) {
    use diesel::RunQueryDsl;
    let app = TestApp::spawn(backend).await;
    let url = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    let targets: Vec<Target> = diesel::sql_query(
        "SELECT t.priority, t.response_seconds, t.tier1_seconds, t.resolution_seconds \
         FROM sla_targets t JOIN sla_policies p ON p.id = t.policy_id WHERE p.is_default \
         ORDER BY t.resolution_seconds",
    )
    .load(&mut conn)
    .expect("targets");
    let hour = 3600;
    let expected = [
        ("critical", 900, hour, 4 * hour),
        ("high", 1800, 2 * hour, 8 * hour),
        ("medium", 2 * hour, 8 * hour, 24 * hour),
        ("low", 4 * hour, 16 * hour, 40 * hour),
    ]
    .map(|(p, r, t, s)| Target {
        priority: p.into(),
        response_seconds: r,
        tier1_seconds: Some(t),
        resolution_seconds: s,
    });
    assert_eq!(targets, expected);
    let holidays: Vec<Holiday> = diesel::sql_query(
        "SELECT h.day, c.timezone FROM calendar_holidays h JOIN calendars c ON c.id = h.calendar_id",
    )
    .load(&mut conn)
    .expect("holidays");
    assert_eq!(
        holidays.len(),
        10,
        "five fixed national holidays, this year and next"
    );
    assert!(holidays.iter().any(|h| h.day.ends_with("-08-17")));
    assert!(holidays.iter().all(|h| h.timezone == "Asia/Makassar"));
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
    a_preset_stores_the_office_calendar_and_default_policy,
    every_preset_has_its_own_timezone_and_domain,
    an_admin_configures_a_region_started_without_a_preset,
    region_changes_are_checked_and_admin_only,
);
