//! Making an account: its role and unit, official domains, one account to an address.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp};

/// Budi Santoso, a Tier 1 technician of `pd` at `email`, as the admin made him.
async fn new_technician(app: &TestApp, email: &str, pd: &str) -> Value {
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Budi Santoso", "email": email,
                   "password": PASSWORD, "role": "tier1", "unit_id": pd}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user
}

async fn admin_creates_a_tier1_technician_for_a_pd(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let user = new_technician(&app, &format!("Budi.Santoso@{DOMAIN}"), &pd).await;
    assert_eq!(user["email"], format!("budi.santoso@{DOMAIN}"));
    assert_eq!(
        (&user["role"], &user["unit_id"], &user["active"]),
        (&json!("tier1"), &json!(pd), &json!(true))
    );
    let text = user.to_string();
    assert!(
        !text.contains(PASSWORD) && !text.contains("argon2"),
        "no password or hash: {text}"
    );

    let token = app.login(&format!("budi.santoso@{DOMAIN}"), PASSWORD).await;
    let (_, me) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(me["id"], user["id"]);
    let (_, fetched) = app
        .get(
            &format!("/api/v1/users/{}", user["id"].as_str().expect("id")),
            &app.admin_token,
        )
        .await;
    assert_eq!(fetched, user);
}

async fn an_address_outside_the_official_domains_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let before = app.user_count().await;
    for email in [
        "budi@gmail.com",
        format!("budi@not{DOMAIN}").as_str(),
        format!("puskesmas@dinkes.{DOMAIN}").as_str(),
    ] {
        let (status, problem) = app
            .post(
                "/api/v1/users",
                &app.admin_token,
                json!({"name": "Budi", "email": email, "password": PASSWORD, "role": "tier1", "unit_id": pd}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert_eq!(problem["code"], "email_not_official");
        assert_eq!(problem["errors"][0]["field"], "email");
    }
    assert_eq!(
        app.user_count().await,
        before,
        "nothing was written; a subdomain is official only where the region lists it"
    );
}

async fn integration_accounts_are_exempt_from_the_official_domain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Dasbor", "email": "dashboard@vendor.example.com", "role": "integration"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let (status, _) = app.try_login("dashboard@vendor.example.com", "").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "integration accounts have no password"
    );
}

async fn roles_must_sit_in_the_right_kind_of_unit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let dinas = app.dinas_id().await;
    let before = app.user_count().await;
    let cases = [
        ("tier1", Some(dinas.as_str()), "a tier1 at the Dinas"),
        ("tier1", None, "a tier1 without a PD"),
        ("tier2", Some(pd.as_str()), "a tier2 in a PD"),
        ("supervisor", Some(pd.as_str()), "a supervisor in a PD"),
    ];
    for (i, (role, unit, what)) in cases.into_iter().enumerate() {
        let (status, problem) = app
            .post(
                "/api/v1/users",
                &app.admin_token,
                json!({"name": what, "email": format!("u{i}@{DOMAIN}"), "password": PASSWORD,
                       "role": role, "unit_id": unit}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert_eq!(problem["code"], "role_unit_mismatch", "{what}");
        assert_eq!(problem["errors"][0]["field"], "unit_id", "{what}");
    }
    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "x", "email": "x@vendor.example.com", "role": "integration", "unit_id": pd}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("role_unit_mismatch")
        )
    );
    assert_eq!(app.user_count().await, before, "nothing was written");

    app.create_user(&format!("t2@{DOMAIN}"), "tier2", Some(&dinas))
        .await;
    app.create_user(&format!("spv@{DOMAIN}"), "supervisor", Some(&dinas))
        .await;
    app.create_user(&format!("inspektorat@{DOMAIN}"), "auditor", Some(&pd))
        .await;
}

async fn one_address_one_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Kembar", "email": format!("ADMIN@{DOMAIN}"), "password": PASSWORD, "role": "auditor"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("email_taken"))
    );
}

async fn me_names_the_callers_unit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let user = new_technician(&app, &format!("budi@{DOMAIN}"), &pd).await;
    let token = app.login(&format!("budi@{DOMAIN}"), PASSWORD).await;
    let (status, me) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (&me["id"], &me["name"], &me["unit_id"]),
        (&user["id"], &json!("Budi Santoso"), &json!(pd))
    );
    assert_eq!(
        me["unit"],
        json!({"id": pd, "code": "DINKES", "name": "Unit DINKES"})
    );
    let (_, admin) = app.get("/api/v1/auth/me", &app.admin_token).await;
    if admin["unit_id"].is_null() {
        assert!(admin["unit"].is_null(), "{admin}");
    } else {
        assert_eq!(admin["unit"]["id"], admin["unit_id"]);
        assert!(admin["unit"]["code"].is_string(), "{admin}");
    }
}

on_both_databases!(
    admin_creates_a_tier1_technician_for_a_pd,
    an_address_outside_the_official_domains_is_refused,
    integration_accounts_are_exempt_from_the_official_domain,
    roles_must_sit_in_the_right_kind_of_unit,
    one_address_one_account,
    me_names_the_callers_unit,
);
