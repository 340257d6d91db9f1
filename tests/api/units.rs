//! Units: PDs and the single Dinas.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, TestApp};

async fn the_preset_creates_the_dinas_and_admins_add_pds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, page) = app.get("/api/v1/units", &app.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    let dinas = &page["items"][0];
    assert_eq!(dinas["kind"], "dinas");
    assert_eq!(
        dinas["name"],
        "Dinas Komunikasi, Informatika, Persandian dan Statistik Kabupaten Tojo Una-Una"
    );
    assert_eq!(dinas["email"], format!("diskominfo@{DOMAIN}"));

    let (status, unit) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "dinkes", "name": "Dinas Kesehatan", "kind": "pd", "email": format!("Dinkes@{DOMAIN}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    assert_eq!(
        (&unit["code"], &unit["email"]),
        (&json!("DINKES"), &json!(format!("dinkes@{DOMAIN}")))
    );
    let (_, fetched) = app
        .get(
            &format!("/api/v1/units/{}", unit["id"].as_str().expect("id")),
            &app.admin_token,
        )
        .await;
    assert_eq!(fetched, unit);
}

async fn there_is_exactly_one_dinas(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, problem) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "KOMINFO2", "name": "Kedua", "kind": "dinas"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (&problem["code"], &problem["errors"][0]["field"]),
        (&json!("dinas_unit_exists"), &json!("kind"))
    );
    let (_, page) = app.get("/api/v1/units", &app.admin_token).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(1),
        "nothing was written"
    );
}

async fn unit_codes_are_unique_and_mailboxes_official(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_pd("DINKES").await;
    let (status, problem) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "dinkes", "name": "Lagi", "kind": "pd"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("unit_code_taken"))
    );
    let (status, problem) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "DISDIK", "name": "Pendidikan", "kind": "pd", "email": "disdik@yahoo.com"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("email_not_official")
        )
    );
    let (status, problem) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "A B", "name": "", "kind": "pd"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: HashSet<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, HashSet::from(["code", "name"]));
}

async fn admins_rename_and_retire_units(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.create_pd("DINKES").await;
    let path = format!("/api/v1/units/{id}");
    let (status, unit) = app
        .patch(
            &path,
            &app.admin_token,
            json!({"name": "Dinas Kesehatan Daerah", "email": null, "active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{unit}");
    assert_eq!(
        (&unit["name"], &unit["email"], &unit["active"]),
        (
            &json!("Dinas Kesehatan Daerah"),
            &json!(null),
            &json!(false)
        )
    );
    let (_, tier1) = app
        .create_user(&format!("t@{DOMAIN}"), "auditor", None)
        .await;
    assert_eq!(
        app.patch(&path, &tier1, json!({"name": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/units/01900000-0000-7000-8000-000000000000", &tier1)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

async fn unit_pages_neither_repeat_nor_miss(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for code in ["A1", "A2", "A3", "A4", "A5"] {
        app.create_pd(code).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/units?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&path, &app.admin_token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .filter_map(|u| u["code"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/units?limit=2&cursor={cursor}");
                if seen.len() == 4 {
                    app.create_pd("A6").await;
                }
            }
            None => break,
        }
    }
    assert_eq!(seen, ["DISKOMINFO", "A1", "A2", "A3", "A4", "A5", "A6"]);
    assert_eq!(
        app.get("/api/v1/units?limit=500", &app.admin_token).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

on_both_databases!(
    the_preset_creates_the_dinas_and_admins_add_pds,
    there_is_exactly_one_dinas,
    unit_codes_are_unique_and_mailboxes_official,
    admins_rename_and_retire_units,
    unit_pages_neither_repeat_nor_miss,
);
