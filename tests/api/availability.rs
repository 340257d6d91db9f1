//! Outages and the availability SLA of services.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp};

async fn service(app: &TestApp, cast: &Cast) -> String {
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
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
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
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
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
    let (status, problem) = app
        .patch(
            &path,
            &cast.tier2.token,
            json!({"ended_at": "2026-10-31T22:00:00Z"}),
        )
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("ended_at"))
    );
    let (status, ended) = app
        .patch(
            &path,
            &cast.tier2.token,
            json!({"ended_at": "2026-11-01T01:30:00Z"}),
        )
        .await;
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

async fn outages_are_recorded_by_the_dinas_and_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cast = app.cast().await;
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
    let (status, problem) = app
        .post(
            &outages,
            &cast.tier2.token,
            json!({"started_at": "2026-11-10T08:00:00Z", "ended_at": "2026-11-10T07:00:00Z"}),
        )
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("ended_at"))
    );
    let (status, problem) = app
        .post(
            &outages,
            &cast.tier2.token,
            json!({"started_at": "kemarin"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_body"))
    );
    let (status, _) = app
        .post("/api/v1/services/nope/outages", &cast.tier2.token, outage)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = app
        .get(&format!("/api/v1/services/{simpeg}/availability?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z"), &cast.tier2.token)
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("to"))
    );
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

on_both_databases!(
    overlapping_outages_count_once_and_maintenance_not_at_all,
    an_open_outage_counts_until_it_is_ended,
    outages_are_recorded_by_the_dinas_and_checked,
);
