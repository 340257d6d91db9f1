//! Outages and the availability SLA of services.

use std::sync::Arc;

use chrono::TimeZone;
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp, assert_refused_on};

pub(crate) async fn service(app: &TestApp, cast: &Cast) -> String {
    let (status, service) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "SIMPEG", "name": "Kepegawaian", "owner_unit_id": cast.dinkes,
                   "critical": true, "availability_target_percent": 99.5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    service["id"].as_str().expect("id").to_owned()
}

/// A server whose clock stands at 30 November 2026, so the outages of these tests stay within
/// the year an outage may be recorded in.
pub(crate) async fn spawn_on_30_november(backend: Backend) -> (TestApp, Cast) {
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
    TestApp::spawn_cast_on_clock(backend, Arc::new(ManualClock::new(now))).await
}

async fn availability(app: &TestApp, token: &str, service: &str, from: &str, to: &str) -> Value {
    let (status, figures) = app
        .get(
            &format!("/api/v1/services/{service}/availability?from={from}&to={to}"),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    figures
}

async fn overlapping_outages_count_once_and_maintenance_not_at_all(backend: Backend) {
    let (app, cast) = spawn_on_30_november(backend).await;
    let simpeg = service(&app, &cast).await;
    let outages = format!("/api/v1/services/{simpeg}/outages");
    for (started, ended, planned) in [
        ("2026-11-10T08:00:00Z", "2026-11-10T11:00:00Z", false),
        ("2026-11-10T10:00:00+08:00", "2026-11-10T12:00:00Z", false),
        ("2026-11-14T22:00:00Z", "2026-11-15T02:00:00Z", true),
    ] {
        let (status, outage) = app
            .post(
                &outages,
                &cast.tier2.token,
                json!({"started_at": started, "ended_at": ended, "planned": planned}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{outage}");
    }
    let figures = availability(
        &app,
        &cast.integration.token,
        &simpeg,
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    .await;
    // 08:00–11:00 and 02:00–12:00 UTC overlap: 10 hours counted once.
    assert_eq!(figures["downtime_seconds"], 10 * 3600);
    assert_eq!(figures["planned_downtime_seconds"], 4 * 3600);
    let expected = 100.0 * (1.0 - 10.0 / 720.0);
    assert!(
        (figures["availability_percent"].as_f64().expect("percent") - expected).abs() < 1e-9,
        "{figures}"
    );
    assert_eq!(
        (&figures["target_percent"], &figures["met"]),
        (&json!(99.5), &json!(false))
    );

    let december = availability(
        &app,
        &cast.tier1.token,
        &simpeg,
        "2026-12-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        (&december["downtime_seconds"], &december["met"]),
        (&json!(0), &json!(true))
    );
}

async fn an_open_outage_counts_until_it_is_ended(backend: Backend) {
    let (app, cast) = spawn_on_30_november(backend).await;
    let simpeg = service(&app, &cast).await;
    let (status, open) = app
        .post(
            &format!("/api/v1/services/{simpeg}/outages"),
            &cast.supervisor.token,
            json!({"started_at": "2026-10-31T23:00:00Z", "note": "Server mati"}),
        )
        .await;
    assert_eq!(
        (status, &open["ended_at"]),
        (StatusCode::CREATED, &json!(null))
    );
    // The period started after the outage: only its part inside the period counts.
    let october_end = availability(
        &app,
        &cast.tier2.token,
        &simpeg,
        "2026-10-31T00:00:00Z",
        "2026-11-01T00:00:00Z",
    )
    .await;
    assert_eq!(october_end["downtime_seconds"], 3600);
    let path = format!(
        "/api/v1/services/{simpeg}/outages/{}",
        open["id"].as_str().expect("id")
    );
    let end = |at: &str| app.patch(&path, &cast.tier2.token, json!({"ended_at": at}));
    let (status, problem) = end("2026-10-31T22:00:00Z").await;
    assert_refused_on(status, &problem, "ended_at");
    let (status, ended) = end("2026-11-01T01:30:00Z").await;
    assert_eq!(
        (status, &ended["ended_at"]),
        (StatusCode::OK, &json!("2026-11-01T01:30:00Z"))
    );
    let november = availability(
        &app,
        &cast.tier2.token,
        &simpeg,
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    .await;
    assert_eq!(november["downtime_seconds"], 5400);
}

/// A period of availability is at most five years and runs forward; a month is the region's.
async fn availability_periods_are_checked(app: &TestApp, token: &str, simpeg: &str) {
    let (status, problem) = app
        .get(&format!("/api/v1/services/{simpeg}/availability?from=2020-01-01T00:00:00Z&to=2026-12-01T00:00:00Z"), token)
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("to")),
        "a period is at most five years, as for the reports"
    );
    let audit_period = availability(
        app,
        token,
        simpeg,
        "2025-01-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        audit_period["to"], "2026-12-01T00:00:00Z",
        "two years, as an audit reads: {audit_period}"
    );
    let (status, month) = app
        .get(
            &format!("/api/v1/services/{simpeg}/availability?month=2026-11"),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{month}");
    assert_eq!(
        (&month["from"], &month["to"]),
        (
            &json!("2026-10-31T16:00:00Z"),
            &json!("2026-11-30T16:00:00Z")
        ),
        "a month of the region is its local month (the test region is on Asia/Makassar)"
    );
    let (status, problem) = app
        .get(&format!("/api/v1/services/{simpeg}/availability?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z"), token)
        .await;
    assert_refused_on(status, &problem, "to");
}

async fn outages_are_recorded_by_the_dinas_and_checked(backend: Backend) {
    let (app, cast) = spawn_on_30_november(backend).await;
    let simpeg = service(&app, &cast).await;
    let outages = format!("/api/v1/services/{simpeg}/outages");
    let outage = json!({"started_at": "2026-11-10T08:00:00Z", "ended_at": "2026-11-10T09:00:00Z"});
    for token in [
        &cast.tier1.token,
        &cast.auditor.token,
        &cast.integration.token,
    ] {
        assert_eq!(
            app.post(&outages, token, outage.clone()).await.0,
            StatusCode::FORBIDDEN
        );
    }
    for (outage, field) in [
        (
            json!({"started_at": "2026-11-10T08:00:00Z", "ended_at": "2026-11-10T07:00:00Z"}),
            "ended_at",
        ),
        (json!({"started_at": "kemarin"}), "started_at"),
        (json!({"started_at": "2025-11-01T00:00:00Z"}), "started_at"),
        (
            json!({"started_at": "2026-11-29T00:00:00Z", "ended_at": "2026-12-01T00:00:00Z"}),
            "ended_at",
        ),
        (json!({"started_at": "2026-12-01T00:00:00Z"}), "started_at"),
        (
            json!({"started_at": "2028-01-01T00:00:00Z", "planned": true}),
            "started_at",
        ),
    ] {
        let (status, problem) = app.post(&outages, &cast.tier2.token, outage.clone()).await;
        assert_eq!(
            (status, &problem["code"], &problem["errors"][0]["field"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!("validation_failed"),
                &json!(field)
            ),
            "{outage}"
        );
    }
    let maintenance = json!({"started_at": "2026-12-05T22:00:00Z", "ended_at": "2026-12-06T02:00:00Z",
                             "planned": true, "note": "Pemeliharaan terjadwal"});
    let (status, announced) = app.post(&outages, &cast.tier2.token, maintenance).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "planned maintenance is announced ahead: {announced}"
    );
    let (status, _) = app
        .post("/api/v1/services/nope/outages", &cast.tier2.token, outage)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    availability_periods_are_checked(&app, &cast.tier2.token, &simpeg).await;
    let none = availability(
        &app,
        &cast.tier2.token,
        &simpeg,
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    .await;
    assert_eq!(none["downtime_seconds"], 0, "nothing was written");
}

/// The audit log holds one breach of the service's budget, recorded by no one: the engine.
async fn the_engine_audited_one_breach(app: &TestApp, auditor: &str, id: &str) {
    let (status, log) = app
        .get(
            &format!("/api/v1/audit-log?entity=service&entity_id={id}"),
            auditor,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries: Vec<&Value> = log
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "availability_breached")
        .collect();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["actor_id"], Value::Null);
}

async fn a_month_over_its_downtime_budget_is_recorded_once(backend: Backend) {
    let (app, cast, clock) = TestApp::spawn_driven_on_monday(backend).await;
    // What the breach mails is for the mail tests to check.
    app.expect_owed_mail();
    let (status, service) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "SIPD", "name": "Perencanaan", "owner_unit_id": cast.dinkes,
                   "critical": true, "availability_target_percent": 99.9}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let id = service["id"].as_str().expect("id");
    let outages = format!("/api/v1/services/{id}/outages");
    // November in WITA has 30 days: 99.9% allows 2,592 s of unplanned downtime.
    let breaches = || async {
        availability(
            &app,
            &cast.tier2.token,
            id,
            "2026-11-01T00:00:00%2B08:00",
            "2026-12-01T00:00:00%2B08:00",
        )
        .await["budget_breaches"]
            .clone()
    };
    for (started, ended) in [
        (json!("2026-11-20T08:00:00Z"), json!("2026-11-20T08:30:00Z")),
        (json!("2026-11-23T01:50:00Z"), Value::Null),
    ] {
        let (status, outage) = app
            .post(
                &outages,
                &cast.tier2.token,
                json!({"started_at": started, "ended_at": ended}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{outage}");
    }
    assert_eq!(breaches().await, json!([]), "40 minutes down so far");
    clock.advance(chrono::Duration::minutes(3));
    app.run_due_sla().await;
    assert_eq!(breaches().await, json!([]), "2,580 s is within the budget");

    // The open outage passes the budget by itself: the engine notices.
    clock.advance(chrono::Duration::minutes(1));
    app.run_due_sla().await;
    let recorded = breaches().await;
    assert_eq!(
        recorded,
        json!([{"month": "2026-11", "at": "2026-11-23T02:04:00Z",
                "downtime_seconds": 2640, "budget_seconds": 2592}])
    );
    let (status, more) = app
        .post(
            &outages,
            &cast.tier2.token,
            json!({"started_at": "2026-11-21T00:00:00Z", "ended_at": "2026-11-21T05:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{more}");
    assert_eq!(breaches().await, recorded, "once per month");
    the_engine_audited_one_breach(&app, &cast.auditor.token, id).await;
}

on_both_databases!(
    a_month_over_its_downtime_budget_is_recorded_once,
    overlapping_outages_count_once_and_maintenance_not_at_all,
    an_open_outage_counts_until_it_is_ended,
    outages_are_recorded_by_the_dinas_and_checked,
);
