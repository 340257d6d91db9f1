//! Report periods: up to five years, or a month of the region in its own timezone.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::monday_morning;
use crate::support::{Backend, Cast, TestApp};

/// A service at 99.5% down for an hour in January 2026 and five hours in June and in
/// November (each over that month's budget of 3 h 36 min); returns its id.
pub async fn service_with_outages(app: &TestApp, cast: &Cast) -> String {
    let id = crate::availability::service(app, cast).await;
    for (started, ended) in [
        ("2026-01-10T08:00:00Z", "2026-01-10T09:00:00Z"),
        ("2026-06-10T08:00:00Z", "2026-06-10T13:00:00Z"),
        ("2026-11-10T08:00:00Z", "2026-11-10T13:00:00Z"),
    ] {
        let (status, outage) = app
            .post(
                &format!("/api/v1/services/{id}/outages"),
                &cast.tier2.token,
                json!({"started_at": started, "ended_at": ended}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{outage}");
    }
    id
}

fn row_of(report: &Value, id: &str) -> Value {
    report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["service_id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("a row for {id}: {report}"))
}

async fn a_five_year_report_answers_what_its_months_do(backend: Backend) {
    let (app, cast) =
        TestApp::spawn_cast_on_clock(backend, Arc::new(ManualClock::new(monday_morning()))).await;
    let token = &cast.integration.token;
    let id = service_with_outages(&app, &cast).await;

    let (status, five_years) = app
        .get(
            "/api/v1/reports/availability?from=2022-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{five_years}");
    let whole = row_of(&five_years, &id);

    // The months with outages, one report each, as a walk month by month would add them up.
    let mut downtime = 0;
    let mut breaches = Vec::new();
    for month in ["2026-01", "2026-06", "2026-11"] {
        let (status, report) = app
            .get(
                &format!("/api/v1/reports/availability?month={month}"),
                token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let row = row_of(&report, &id);
        downtime += row["downtime_seconds"].as_i64().expect("seconds");
        breaches.extend(
            row["budget_breaches"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    assert_eq!(whole["downtime_seconds"], downtime);
    assert_eq!(downtime, 11 * 3600);
    assert_eq!(whole["budget_breaches"], Value::Array(breaches.clone()));
    let months: Vec<&Value> = breaches.iter().map(|b| &b["month"]).collect();
    assert_eq!(months, [&json!("2026-06"), &json!("2026-11")]);
    let seconds = 5 * 365 * 86_400 + 86_400;
    let expected = 100.0 * (1.0 - (11.0 * 3600.0) / seconds as f64);
    let percent = whole["availability_percent"].as_f64().expect("percent");
    assert!((percent - expected).abs() < 1e-9, "{percent} vs {expected}");

    let (status, sla) = app
        .get(
            "/api/v1/reports/sla?from=2021-11-23T00:00:00Z&to=2026-11-23T00:00:00Z",
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "five years of SLA figures: {sla}");
}

async fn a_period_past_five_years_or_a_bad_month_is_refused_by_name(backend: Backend) {
    let (app, cast) =
        TestApp::spawn_cast_on_clock(backend, Arc::new(ManualClock::new(monday_morning()))).await;
    let token = &cast.integration.token;
    for report in ["sla", "availability"] {
        for (query, field) in [
            ("from=2022-01-01T00:00:00Z&to=2027-01-01T00:00:01Z", "to"),
            ("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"),
            ("month=2026-13", "month"),
            // WITA's January 1970 starts on 31 December 1969 in UTC, before any instant the API answers.
            ("month=1970-01", "month"),
            ("month=2026-1", "month"),
            ("month=november", "month"),
            ("month=2026-11&from=2026-11-01T00:00:00Z", "month"),
            ("month=2026-11&to=2026-12-01T00:00:00Z", "month"),
            ("to=2026-12-01T00:00:00Z", "from"),
            ("", "from"),
            ("month=2026-11&format=pdf", "format"),
        ] {
            let (status, problem) = app
                .get(&format!("/api/v1/reports/{report}?{query}"), token)
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{report}?{query}: {problem}"
            );
            let named: Vec<&str> = problem["errors"]
                .as_array()
                .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
                .unwrap_or_default();
            assert!(named.contains(&field), "{report}?{query} names {named:?}");
        }
    }
}

/// Tojo Una-Una keeps WITA (UTC+8): its November starts at 16:00 UTC on 31 October.
async fn a_month_runs_from_local_midnight_to_local_midnight(backend: Backend) {
    let before_midnight = Utc
        .with_ymd_and_hms(2026, 11, 30, 15, 45, 0)
        .single()
        .expect("instant");
    let clock = Arc::new(ManualClock::new(before_midnight));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock.clone()).await;
    let token = &cast.integration.token;
    let (_, region) = app.get("/api/v1/region", &app.admin_token).await;
    assert_eq!(region["timezone"], "Asia/Makassar");
    // 23:45 WITA on 30 November, then 00:15 WITA on 1 December.
    app.create_ticket(&cast.tier1.token, json!({})).await;
    clock.advance(chrono::Duration::minutes(30));
    app.create_ticket(&cast.tier1.token, json!({})).await;
    app.create_ticket(&cast.tier1.token, json!({})).await;

    for report in ["sla", "availability"] {
        let (status, november) = app
            .get(&format!("/api/v1/reports/{report}?month=2026-11"), token)
            .await;
        assert_eq!(status, StatusCode::OK, "{november}");
        assert_eq!(
            (&november["from"], &november["to"]),
            (
                &json!("2026-10-31T16:00:00Z"),
                &json!("2026-11-30T16:00:00Z")
            ),
            "{report}"
        );
    }
    let tickets = |report: &Value| -> i64 {
        report["rows"]
            .as_array()
            .map(|rows| rows.iter().filter_map(|r| r["tickets"].as_i64()).sum())
            .unwrap_or_default()
    };
    let (_, november) = app.get("/api/v1/reports/sla?month=2026-11", token).await;
    let (_, december) = app.get("/api/v1/reports/sla?month=2026-12", token).await;
    assert_eq!(
        (tickets(&november), tickets(&december)),
        (1, 2),
        "{november} {december}"
    );
}

on_both_databases!(
    a_five_year_report_answers_what_its_months_do,
    a_period_past_five_years_or_a_bad_month_is_refused_by_name,
    a_month_runs_from_local_midnight_to_local_midnight,
);
