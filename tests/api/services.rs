//! The service catalogue.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on};

async fn supervisors_keep_the_catalogue_and_tickets_name_services(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (status, simpeg) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "simpeg", "name": "Sistem Informasi Kepegawaian", "owner_unit_id": cast.dinkes,
                   "critical": true, "availability_target_percent": 99.9}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{simpeg}");
    assert_eq!(
        (
            &simpeg["code"],
            &simpeg["critical"],
            &simpeg["sla_policy_id"]
        ),
        (&json!("SIMPEG"), &json!(true), &json!(null))
    );
    let id = simpeg["id"].as_str().expect("id");

    let (_, page) = app.get("/api/v1/services", &cast.tier1.token).await;
    assert_eq!(
        page["items"][0]["id"], simpeg["id"],
        "Tier 1 reads the catalogue"
    );
    let ticket = app
        .create_ticket(&cast.tier1.token, json!({"service_id": id}))
        .await;
    assert_eq!(ticket["service_id"], simpeg["id"]);

    let (status, changed) = app
        .patch(
            &format!("/api/v1/services/{id}"),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(
        (status, &changed["active"]),
        (StatusCode::OK, &json!(false))
    );
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            &cast.tier1.token,
            crate::support::incident(json!({"service_id": id})),
        )
        .await;
    assert_refused_on(status, &problem, "service_id");
}

async fn the_catalogue_refuses_bad_entries_and_other_roles(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let entry = json!({"code": "WEB", "name": "Portal", "owner_unit_id": cast.disdik});
    assert_eq!(
        app.post("/api/v1/services", &cast.tier1.token, entry.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/services", &cast.tier2.token, entry.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/services", &cast.supervisor.token, entry.clone())
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, problem) = app
        .post("/api/v1/services", &cast.supervisor.token, entry)
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("service_code_taken")
        )
    );
    for (fields, field) in [
        (
            json!({"code": "A", "name": "A", "owner_unit_id": cast.disdik, "availability_target_percent": 101}),
            "availability_target_percent",
        ),
        (
            json!({"code": "B", "name": "B", "owner_unit_id": "nope"}),
            "owner_unit_id",
        ),
        (
            json!({"code": "C", "name": "C", "owner_unit_id": cast.disdik, "sla_policy_id": "nope"}),
            "sla_policy_id",
        ),
        (
            json!({"code": "D D", "name": "D", "owner_unit_id": cast.disdik}),
            "code",
        ),
    ] {
        let (status, problem) = app
            .post("/api/v1/services", &cast.supervisor.token, fields)
            .await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!(field)),
            "{field}"
        );
    }
    let (_, page) = app.get("/api/v1/services", &app.admin_token).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(1),
        "nothing else was written"
    );
}

on_both_databases!(
    supervisors_keep_the_catalogue_and_tickets_name_services,
    the_catalogue_refuses_bad_entries_and_other_roles,
);
