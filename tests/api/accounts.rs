//! User accounts: roles, units, official domains, visibility.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, assert_refused_on};

async fn admin_creates_a_tier1_technician_for_a_pd(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Budi Santoso", "email": format!("Budi.Santoso@{DOMAIN}"),
                   "password": PASSWORD, "role": "tier1", "unit_id": pd}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
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

async fn tier1_sees_only_its_own_pds_accounts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dinkes = app.create_pd("DINKES").await;
    let disdik = app.create_pd("DISDIK").await;
    let (mine, token) = app
        .create_user(&format!("a@{DOMAIN}"), "tier1", Some(&dinkes))
        .await;
    let (colleague, _) = app
        .create_user(&format!("b@{DOMAIN}"), "tier1", Some(&dinkes))
        .await;
    let (stranger, _) = app
        .create_user(&format!("c@{DOMAIN}"), "tier1", Some(&disdik))
        .await;

    let (status, page) = app.get("/api/v1/users", &token).await;
    assert_eq!(status, StatusCode::OK);
    let mut ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|u| u["id"].as_str())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![mine.as_str(), colleague.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    let (_, page) = app
        .get(&format!("/api/v1/users?unit_id={disdik}"), &token)
        .await;
    assert_eq!(page["items"], json!([]), "a filter cannot widen the view");
    assert_eq!(
        app.get(&format!("/api/v1/users/{stranger}"), &token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{colleague}"), &token)
            .await
            .0,
        StatusCode::OK
    );
}

async fn only_admins_manage_accounts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dinas = app.dinas_id().await;
    let (_, supervisor) = app
        .create_user(&format!("spv@{DOMAIN}"), "supervisor", Some(&dinas))
        .await;
    let before = app.user_count().await;
    let (status, problem) = app
        .post(
            "/api/v1/users",
            &supervisor,
            json!({"name": "x", "email": format!("x@{DOMAIN}"), "password": PASSWORD, "role": "admin"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::FORBIDDEN, &json!("forbidden"))
    );
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{}", app.admin_id),
            &supervisor,
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.user_count().await, before);
    assert_eq!(
        app.get("/api/v1/auth/me", &app.admin_token).await.0,
        StatusCode::OK
    );
}

async fn an_admin_cannot_lock_themself_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let path = format!("/api/v1/users/{}", app.admin_id);
    let (status, problem) = app
        .patch(&path, &app.admin_token, json!({"active": false}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "active");
    let (status, problem) = app
        .patch(&path, &app.admin_token, json!({"role": "auditor"}))
        .await;
    assert_refused_on(status, &problem, "role");
    let (_, me) = app.get("/api/v1/auth/me", &app.admin_token).await;
    assert_eq!(
        (&me["role"], &me["active"]),
        (&json!("admin"), &json!(true))
    );
}

async fn two_admins_deactivating_each_other_at_once_leave_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for round in 0..5 {
        let (first, first_token) = app
            .create_user(&format!("admin{round}a@{DOMAIN}"), "admin", None)
            .await;
        let (second, second_token) = app
            .create_user(&format!("admin{round}b@{DOMAIN}"), "admin", None)
            .await;
        let deactivate = |id: &str, token: &str| {
            let path = format!("/api/v1/users/{id}");
            let token = token.to_owned();
            let app = &app;
            async move { app.patch(&path, &token, json!({"active": false})).await.0 }
        };
        let (a, b) = tokio::join!(
            deactivate(&second, &first_token),
            deactivate(&first, &second_token)
        );
        let done = [a, b].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(
            done, 1,
            "round {round}: {a} and {b}: exactly one of them may win"
        );
        let (_, users) = app
            .get("/api/v1/users?role=admin&active=true", &app.admin_token)
            .await;
        let active: Vec<&str> = users["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|u| u["id"].as_str())
            .collect();
        assert!(
            active.contains(&first.as_str()) != active.contains(&second.as_str()),
            "round {round}: one of the two stays an active admin: {users}"
        );
    }
}

async fn an_admin_moves_a_technician_and_resets_a_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dinkes = app.create_pd("DINKES").await;
    let disdik = app.create_pd("DISDIK").await;
    let email = format!("pindah@{DOMAIN}");
    let (id, _) = app.create_user(&email, "tier1", Some(&dinkes)).await;
    let (status, user) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            json!({"unit_id": disdik, "password": "sandi-baru-yang-panjang", "name": "Pindahan"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        (&user["unit_id"], &user["name"]),
        (&json!(disdik), &json!("Pindahan"))
    );
    assert_eq!(
        app.try_login(&email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.login(&email, "sandi-baru-yang-panjang").await;

    let (status, problem) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            json!({"unit_id": null}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("role_unit_mismatch")
        )
    );
}

async fn account_changes_leave_an_audit_trail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let (id, _) = app
        .create_user(&format!("a@{DOMAIN}"), "tier1", Some(&pd))
        .await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        &app.admin_token,
        json!({"password": "sandi-baru-yang-panjang"}),
    )
    .await;
    // The password change ended the earlier session.
    let tier1 = app
        .login(&format!("a@{DOMAIN}"), "sandi-baru-yang-panjang")
        .await;
    let (_, auditor) = app
        .create_user(&format!("inspektorat@{DOMAIN}"), "auditor", None)
        .await;
    let path = format!("/api/v1/audit-log?entity=user&entity_id={id}");
    let (status, trail) = app.get(&path, &auditor).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = trail
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["user_created", "user_updated"]);
    assert_eq!(trail[0]["actor_id"], app.admin_id);
    assert_eq!(trail[1]["data"]["password_changed"], true);
    assert!(
        !trail.to_string().contains("sandi-baru"),
        "no password in the trail"
    );
    assert_eq!(app.get(&path, &tier1).await.0, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .get(
            &format!("/api/v1/audit-log?entity=usr&entity_id={id}"),
            &auditor,
        )
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("entity")),
        "a misspelt kind of record is told, not answered with an empty trail"
    );
}

async fn me_names_the_callers_unit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Budi Santoso", "email": format!("budi@{DOMAIN}"),
                   "password": PASSWORD, "role": "tier1", "unit_id": pd}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
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
    tier1_sees_only_its_own_pds_accounts,
    only_admins_manage_accounts,
    an_admin_cannot_lock_themself_out,
    two_admins_deactivating_each_other_at_once_leave_one,
    an_admin_moves_a_technician_and_resets_a_password,
    account_changes_leave_an_audit_trail,
    me_names_the_callers_unit,
);
