//! Changing an account: a move, a password reset, and the audit trail they leave.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, actions};

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
    let actions = actions(&trail);
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

on_both_databases!(
    an_admin_moves_a_technician_and_resets_a_password,
    account_changes_leave_an_audit_trail,
);
