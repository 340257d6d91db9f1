//! Every duration, date and instant the API takes is bounded: an absurd one is refused with
//! 422 naming the field, and nothing is written (one such value once stopped ticket creation).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp};

/// Asserts a 422 whose errors name `field`.
fn refused(answer: &(StatusCode, Value), field: &str) {
    let (status, problem) = answer;
    assert_eq!(
        *status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}: {problem}"
    );
    assert!(
        problem["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["field"] == field)),
        "{field}: {problem}"
    );
}

fn targets(critical_resolution: i64, high_tier1: i64) -> Value {
    json!([
        {"priority": "critical", "response_seconds": 600, "tier1_seconds": 1800,
         "resolution_seconds": critical_resolution},
        {"priority": "high", "response_seconds": 1200, "tier1_seconds": high_tier1,
         "resolution_seconds": 31_536_000},
        {"priority": "medium", "response_seconds": 3600, "tier1_seconds": null,
         "resolution_seconds": 86400},
        {"priority": "low", "response_seconds": 7200, "tier1_seconds": null,
         "resolution_seconds": 172800}
    ])
}

async fn sla_targets_longer_than_a_year_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (_, page) = app
        .get("/api/v1/sla-policies", &cast.supervisor.token)
        .await;
    let existing = page["items"].clone();
    let calendar = existing[0]["calendar_id"].clone();
    let policy = |targets| json!({"name": "Uji", "calendar_id": calendar, "targets": targets});
    let absurd = app
        .post(
            "/api/v1/sla-policies",
            &cast.supervisor.token,
            policy(targets(100_000_000_000_000_000, 1800)),
        )
        .await;
    refused(&absurd, "targets[0].resolution_seconds");
    let a_day_too_long = app
        .post(
            "/api/v1/sla-policies",
            &cast.supervisor.token,
            policy(targets(7200, 31_536_001)),
        )
        .await;
    refused(&a_day_too_long, "targets[1].tier1_seconds");
    let path = format!(
        "/api/v1/sla-policies/{}",
        existing[0]["id"].as_str().expect("id")
    );
    let mut replacement = policy(targets(i64::MAX, 1800));
    replacement["default"] = json!(true);
    refused(
        &app.put(&path, &cast.supervisor.token, replacement).await,
        "targets[0].resolution_seconds",
    );
    let (_, after) = app
        .get("/api/v1/sla-policies", &cast.supervisor.token)
        .await;
    assert_eq!(after["items"], existing, "nothing written");

    let (status, year) = app
        .post(
            "/api/v1/sla-policies",
            &cast.supervisor.token,
            policy(targets(31_536_000, 1800)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "a year is allowed: {year}");
}

async fn holidays_outside_the_years_a_calendar_covers_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let calendar = |date: &str| {
        json!({"name": "Kantor", "timezone": "Asia/Makassar",
               "working_hours": {"mon": [["08:00", "16:00"]]},
               "holidays": [{"date": "2026-12-25", "name": "Natal"}, {"date": date, "name": "Jauh"}]})
    };
    for date in ["+12026-12-25", "9999-12-31", "1900-01-01"] {
        let answer = app
            .post("/api/v1/calendars", &cast.supervisor.token, calendar(date))
            .await;
        refused(&answer, "holidays[1].date");
    }
    let (status, created) = app
        .post(
            "/api/v1/calendars",
            &cast.supervisor.token,
            calendar("2100-12-31"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let holidays = format!(
        "/api/v1/calendars/{}/holidays",
        created["id"].as_str().expect("id")
    );
    let answer = app
        .post(
            &holidays,
            &cast.supervisor.token,
            json!({"date": "2101-01-01", "name": "Tahun baru"}),
        )
        .await;
    refused(&answer, "date");
    let (_, calendar) = app
        .get(
            &format!("/api/v1/calendars/{}", created["id"].as_str().expect("id")),
            &cast.supervisor.token,
        )
        .await;
    assert_eq!(calendar["holidays"].as_array().map(Vec::len), Some(2));
}

async fn instants_before_the_epoch_or_past_year_9999_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = &cast.supervisor.token;
    refused(
        &app.get("/api/v1/tickets?created_from=1969-12-31T23:59:59Z", token)
            .await,
        "created_from",
    );
    refused(
        &app.get(
            "/api/v1/tickets?created_to=9999-12-31T23:59:59-01:00",
            token,
        )
        .await,
        "created_to",
    );
    let (status, page) = app
        .get(
            "/api/v1/tickets?created_from=1970-01-01T00:00:00Z&created_to=9999-12-31T23:59:59Z",
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    refused(
        &app.get(
            "/api/v1/reports/sla?from=0000-01-01T00:00:00Z&to=0000-06-01T00:00:00Z&group_by=unit",
            token,
        )
        .await,
        "from",
    );
    refused(
        &app.get(
            "/api/v1/reports/availability?from=9999-12-01T00:00:00Z&to=9999-12-31T23:59:59-12:00",
            token,
        )
        .await,
        "to",
    );
}

async fn other_lifetimes_and_targets_stay_within_their_bounds(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Dasbor", "email": "dasbor2@tojounaunakab.go.id", "role": "integration"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let tokens = format!("/api/v1/users/{}/tokens", user["id"].as_str().expect("id"));
    for days in [json!(731), json!(100_000_000_000_000_000_i64)] {
        refused(
            &app.post(
                &tokens,
                &app.admin_token,
                json!({"name": "x", "expires_in_days": days}),
            )
            .await,
            "expires_in_days",
        );
    }
    refused(
        &app.post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "X", "name": "X", "owner_unit_id": cast.disdik,
                   "availability_target_percent": 1e300}),
        )
        .await,
        "availability_target_percent",
    );
}

on_both_databases!(
    sla_targets_longer_than_a_year_are_refused,
    holidays_outside_the_years_a_calendar_covers_are_refused,
    instants_before_the_epoch_or_past_year_9999_are_refused,
    other_lifetimes_and_targets_stay_within_their_bounds,
);
