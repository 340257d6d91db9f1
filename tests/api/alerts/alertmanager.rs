//! A real Prometheus Alertmanager delivering to the desk, configured as docs/monitoring.md
//! says: firing alerts open one outage and one incident per service however often it sends
//! them again, resolved ones end the outages at their end, and an alert for a service the
//! catalogue does not have is listed.

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{incidents, monitor, outages, service};
use crate::on_both_databases;
use crate::support::alertmanager::Alertmanager;
use crate::support::{Backend, Cast, TestApp};

fn stamp(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn alert(service: &str, severity: &str, starts: &str, ends: Option<&str>) -> Value {
    let mut alert = json!({
        "labels": {"alertname": "LayananMati", "service": service, "severity": severity},
        "annotations": {"summary": format!("{service} tidak menjawab")},
        "startsAt": starts,
        "generatorURL": "http://prometheus.example.org/graph?g0.expr=up%3D%3D0",
    });
    if let Some(ends) = ends {
        alert["endsAt"] = json!(ends);
    }
    alert
}

/// Waits up to 60 s for `done` to hold of the desk.
async fn until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 60 s");
}

async fn open_outages(app: &TestApp, cast: &Cast, service: &Value) -> usize {
    outages(app, &cast.tier2.token, service)
        .await
        .iter()
        .filter(|o| o["ended_at"].is_null())
        .count()
}

async fn alertmanager_opens_and_ends_one_outage_and_incident_per_service(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let sipd = service(&app, &cast, "SIPD", json!({"auto_resolve": true})).await;
    let manager = Alertmanager::start(&app.base, &token).await;
    let starts = stamp((Utc::now() - chrono::Duration::minutes(3)).trunc_subsecs(0));
    let firing = json!([
        alert("SIMPEG", "critical", &starts, None),
        alert("SIPD", "warning", &starts, None),
        alert("BELUMTERDAFTAR", "critical", &starts, None),
    ]);
    manager.push(&firing).await;
    until("both incidents", || async {
        incidents(&app, &cast, &simpeg).await.len() == 1
            && incidents(&app, &cast, &sipd).await.len() == 1
    })
    .await;
    // Alertmanager sends each group again every two seconds while it fires.
    let sent = manager.deliveries().await;
    until("repeated deliveries", || async {
        manager.deliveries().await >= sent + 4
    })
    .await;
    for (svc, priority) in [(&simpeg, "critical"), (&sipd, "high")] {
        let tickets = incidents(&app, &cast, svc).await;
        assert_eq!(
            tickets.len(),
            1,
            "one incident however often it is sent: {tickets:?}"
        );
        assert_eq!(
            (&tickets[0]["priority"], &tickets[0]["tier"]),
            (&json!(priority), &json!(2))
        );
        let listed = outages(&app, &cast.tier2.token, svc).await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(
            (&listed[0]["source"], &listed[0]["started_at"]),
            (&json!("alert"), &json!(starts))
        );
        assert_eq!(listed[0]["ticket_id"], tickets[0]["id"]);
    }
    let (status, unmatched) = app
        .get("/api/v1/alerts?matched=false", &cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{unmatched}");
    assert_eq!(
        unmatched["items"][0]["service_code"], "BELUMTERDAFTAR",
        "{unmatched}"
    );
    assert_eq!(
        unmatched["items"].as_array().map(Vec::len),
        Some(1),
        "{unmatched}"
    );

    let ends = stamp((Utc::now() - chrono::Duration::seconds(30)).trunc_subsecs(0));
    let resolved = json!([
        alert("SIMPEG", "critical", &starts, Some(&ends)),
        alert("SIPD", "warning", &starts, Some(&ends)),
    ]);
    manager.push(&resolved).await;
    until("both outages ended", || async {
        open_outages(&app, &cast, &simpeg).await == 0 && open_outages(&app, &cast, &sipd).await == 0
    })
    .await;
    for svc in [&simpeg, &sipd] {
        let listed = outages(&app, &cast.tier2.token, svc).await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["ended_at"], json!(ends), "{listed:?}");
    }
    let status_of = |svc: Value| {
        let app = &app;
        let cast = &cast;
        async move { incidents(app, cast, &svc).await[0]["status"].clone() }
    };
    assert_eq!(
        status_of(simpeg.clone()).await,
        "new",
        "a person resolves SIMPEG's incident"
    );
    assert_eq!(
        status_of(sipd.clone()).await,
        "resolved",
        "SIPD says auto_resolve"
    );
    assert_eq!(incidents(&app, &cast, &simpeg).await.len(), 1);
}

on_both_databases!(alertmanager_opens_and_ends_one_outage_and_incident_per_service);
