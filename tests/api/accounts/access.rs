//! Who sees and manages accounts, and how an admin cannot lock the desk out.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, assert_refused_on};

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

on_both_databases!(
    tier1_sees_only_its_own_pds_accounts,
    only_admins_manage_accounts,
    an_admin_cannot_lock_themself_out,
    two_admins_deactivating_each_other_at_once_leave_one,
);
