//! Ambon Pasal 36 (9): the Kominfo PD's supervisions of each PD are recorded, and the view
//! shows the PDs not supervised within the region's interval.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on};

fn pd<'a>(status: &'a Value, unit: &str) -> &'a Value {
    status["pds"]
        .as_array()
        .expect("pds")
        .iter()
        .find(|pd| pd["unit_id"] == unit)
        .unwrap_or_else(|| panic!("{unit} in {status}"))
}

async fn supervisions_show_the_pds_due(backend: Backend) {
    let (app, cast, _clock) = TestApp::spawn_driven_on_monday(backend).await;
    let (_, status) = app
        .get(
            "/api/v1/governance/supervision-status",
            &cast.supervisor.token,
        )
        .await;
    assert_eq!(
        (&status["interval_days"], &status["overdue"]),
        (&Value::Null, &json!(0)),
        "{status}"
    );
    app.set_governance(json!({"supervision_interval_days": 30}))
        .await;
    let record = |fields: Value| {
        let mut body = json!({"unit_id": "DINKES", "held_on": "2026-11-13",
                              "findings": "Cadangan basis data belum terjadwal.",
                              "follow_ups": "Jadwal cadangan harian dipasang."});
        for (key, value) in fields.as_object().expect("fields") {
            body[key] = value.clone();
        }
        body
    };
    let (status, _) = app
        .post(
            "/api/v1/governance/supervisions",
            &cast.tier2.token,
            record(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (fields, field) in [
        (json!({"held_on": "2026-11-24"}), "held_on"),
        (json!({"unit_id": app.dinas_id().await}), "unit_id"),
        (json!({"findings": " "}), "findings"),
    ] {
        let (status, problem) = app
            .post(
                "/api/v1/governance/supervisions",
                &cast.supervisor.token,
                record(fields),
            )
            .await;
        assert_refused_on(status, &problem, field);
    }
    let (status, made) = app
        .post(
            "/api/v1/governance/supervisions",
            &cast.supervisor.token,
            record(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["unit_id"], json!(cast.dinkes));

    let (status, view) = app
        .get("/api/v1/governance/supervision-status", &cast.auditor.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(pd(&view, &cast.dinkes)["due_on"], "2026-12-13", "{view}");
    assert_eq!(pd(&view, &cast.dinkes)["overdue"], false);
    assert_eq!(
        pd(&view, &cast.disdik)["overdue"],
        true,
        "never supervised: {view}"
    );
    assert_eq!(view["overdue"], 1);
    let (_, summary) = app
        .get("/api/v1/dashboard/summary", &cast.tier2.token)
        .await;
    assert_eq!(summary["governance"]["supervision_overdue"], 1, "{summary}");

    let (status, page) = app
        .get(
            &format!("/api/v1/governance/supervisions?unit_id={}", cast.disdik),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(
        (status, page["items"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0)),
        "{page}"
    );
    let (_, page) = app
        .get(
            "/api/v1/governance/supervisions?unit_id=DINKES",
            &cast.auditor.token,
        )
        .await;
    assert_eq!(
        page["items"][0]["findings"], "Cadangan basis data belum terjadwal.",
        "{page}"
    );
    let (status, _) = app
        .get("/api/v1/governance/supervisions", &cast.tier1.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

on_both_databases!(supervisions_show_the_pds_due);
