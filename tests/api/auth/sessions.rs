//! A change to an account ends the sessions it had.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp};

async fn a_deactivated_users_token_stops_working_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let (id, token) = app
        .create_user(&format!("teknisi@{DOMAIN}"), "tier1", Some(&pd))
        .await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);

    let (status, user) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_eq!((status, &user["active"]), (StatusCode::OK, &json!(false)));
    assert_eq!(
        app.get("/api/v1/auth/me", &token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login(&format!("teknisi@{DOMAIN}"), PASSWORD)
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "a deactivated user cannot sign in again"
    );

    app.patch(
        &format!("/api/v1/users/{id}"),
        &app.admin_token,
        json!({"active": true}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/auth/me", &token).await.0,
        StatusCode::UNAUTHORIZED,
        "reactivation does not bring back a token issued before the deactivation"
    );
    let fresh = app.login(&format!("teknisi@{DOMAIN}"), PASSWORD).await;
    assert_eq!(app.get("/api/v1/auth/me", &fresh).await.0, StatusCode::OK);
}

/// A role change or a password change ends the account's sessions: a token issued before
/// answers 401, even once the role is changed back.
async fn a_role_or_password_change_ends_every_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let dinas = app.dinas_id().await;
    let email = format!("teknisi@{DOMAIN}");
    let (id, before) = app.create_user(&email, "tier1", Some(&pd)).await;
    let account = format!("/api/v1/users/{id}");
    let second = app.login(&email, PASSWORD).await;

    let (status, _) = app
        .patch(
            &account,
            &app.admin_token,
            json!({"role": "tier2", "unit_id": dinas}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .patch(
            &account,
            &app.admin_token,
            json!({"role": "tier1", "unit_id": pd}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for token in [&before, &second] {
        assert_eq!(
            app.get("/api/v1/auth/me", token).await.0,
            StatusCode::UNAUTHORIZED,
            "a session from before the role change, though the role is back"
        );
    }

    let during = app.login(&email, PASSWORD).await;
    assert_eq!(app.get("/api/v1/auth/me", &during).await.0, StatusCode::OK);
    let new_password = "kata-sandi-baru-456";
    let (status, _) = app
        .patch(
            &account,
            &app.admin_token,
            json!({"password": new_password}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/auth/me", &during).await.0,
        StatusCode::UNAUTHORIZED,
        "a session from before the password change"
    );
    let after = app.login(&email, new_password).await;
    assert_eq!(app.get("/api/v1/auth/me", &after).await.0, StatusCode::OK);
}

on_both_databases!(
    a_deactivated_users_token_stops_working_at_once,
    a_role_or_password_change_ends_every_session,
);
