//! No field of a restricted ticket reaches an integration.

use serde_json::json;

use super::{RawStream, everything_an_integration_reads, id, mails_sent, nowhere};
use crate::on_both_databases;
use crate::support::{Backend, TestApp};

async fn no_field_of_a_restricted_ticket_reaches_an_integration(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    let live = RawStream::open(&app, &cast.integration.token, None).await;
    let title = "Dugaan peretasan situs DISDIK";
    let description = "Halaman depan situs diganti pesan dari pihak tak dikenal.";
    // The oldest open ticket of all, escalated, commented and mailed about.
    let restricted = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"title": title, "description": description, "security_incident": true}),
        )
        .await;
    assert_eq!(restricted["classification"], "restricted");
    let public = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.post(
        &format!("/api/v1/tickets/{}/comments", id(&restricted)),
        &cast.tier1_other_pd.token,
        json!({"body": "Log server sudah diamankan"}),
    )
    .await;
    app.act_saying(
        &cast.tier1_other_pd.token,
        &restricted,
        "escalate",
        "Butuh tim keamanan Tier 2",
    )
    .await;
    mails_sent(&app, &cast, &[(&restricted, 2), (&public, 1)]).await;

    let answers = everything_an_integration_reads(&app, &cast, &[&restricted, &public], live).await;
    let number = restricted["number"].as_str().expect("number");
    for field in [id(&restricted), number, title, description] {
        nowhere(&answers, field);
    }

    let (_, staff) = app
        .get("/api/v1/dashboard/summary", &cast.supervisor.token)
        .await;
    let (_, theirs) = app
        .get("/api/v1/dashboard/summary", &cast.integration.token)
        .await;
    assert_eq!(staff["oldest_open"]["id"], restricted["id"]);
    assert_eq!(theirs["oldest_open"]["id"], public["id"]);
    for count in [
        "open_by_status",
        "open_by_tier",
        "open_by_priority",
        "escalated_today",
        "by_unit",
    ] {
        assert_eq!(theirs[count], staff[count], "{count} counts it too");
    }
    assert_eq!(theirs["open_by_tier"], json!({"1": 2, "2": 1}));
}

on_both_databases!(no_field_of_a_restricted_ticket_reaches_an_integration);
