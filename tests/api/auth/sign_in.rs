//! Signing in, and the waits that failed sign-ins earn an address.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, TestApp, read};

async fn admin_signs_in_and_sees_own_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = app.try_login(&format!("ADMIN@{DOMAIN}"), PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "emails compare case-insensitively: {body}"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none() && body["user"].get("password").is_none());

    let (status, me) = app.get("/api/v1/auth/me", &app.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], format!("admin@{DOMAIN}"));
    assert_eq!(me["id"], app.admin_id);
}

async fn unknown_email_and_wrong_password_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (wrong_status, wrong) = app
        .try_login(&format!("admin@{DOMAIN}"), "salah-sandi-123")
        .await;
    let (unknown_status, unknown) = app.try_login(&format!("nobody@{DOMAIN}"), PASSWORD).await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["code"], "invalid_credentials");
}

/// A client of the server from `address` (any 127.0.0.0/8 address reaches a server on
/// 127.0.0.1 on Linux).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().expect("address"))
        .build()
        .expect("client")
}

/// Status, `Retry-After` and problem code of a login from `client`.
async fn login_from(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> (StatusCode, Option<u64>, serde_json::Value) {
    let response = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sent");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let (status, body) = read(response).await;
    (status, retry_after, body["code"].clone())
}

/// Someone guessing the admin's password from another address makes themself wait, never
/// the admin.
async fn failures_from_another_address_never_lock_the_owner_out(backend: Backend) {
    // Time stands still, so that the attacker's waits cannot run out during the test.
    let app = TestApp::spawn_on_clock(backend, Arc::new(ManualClock::new(Utc::now()))).await;
    let admin = format!("admin@{DOMAIN}");
    let attacker = client_from("127.0.0.2");
    let owner = client_from("127.0.0.1");
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(
            login_from(&app, &attacker, &admin, "tebakan-sandi-1")
                .await
                .0,
        );
    }
    assert!(
        statuses[..4].iter().all(|s| *s == StatusCode::UNAUTHORIZED)
            && statuses[4..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "the attacker waits: {statuses:?}"
    );
    let (status, _, code) = login_from(&app, &attacker, &admin, PASSWORD).await;
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, json!("too_many_attempts")),
        "while it waits even the right password is refused, so it learns nothing"
    );

    let (status, _, _) = login_from(&app, &owner, &admin, "salah-ketik-123").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the owner's own typo");
    let (status, _, _) = login_from(&app, &owner, &admin, PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the owner signs in from their own address"
    );
}

async fn successful_logins_never_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = format!("admin@{DOMAIN}");
    for attempt in 0..40 {
        let (status, _, code) = login_from(&app, &app.client, &admin, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "sign-in {attempt}: {code}");
    }
}

/// After three failures in a row of one address for one account, each failure doubles the
/// wait; a success clears it.
async fn waits_double_with_each_further_failure(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = TestApp::spawn_on_clock(backend, clock.clone()).await;
    let admin = format!("admin@{DOMAIN}");
    let here = client_from("127.0.0.1");
    for _ in 0..4 {
        assert_eq!(
            login_from(&app, &here, &admin, "salah-sandi-123").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let mut waits = Vec::new();
    for _ in 0..4 {
        let (status, retry_after, code) = login_from(&app, &here, &admin, "salah-sandi-123").await;
        assert_eq!(
            (status, code),
            (StatusCode::TOO_MANY_REQUESTS, json!("too_many_attempts"))
        );
        let wait = retry_after.expect("Retry-After");
        waits.push(wait);
        clock.advance(chrono::Duration::seconds(
            i64::try_from(wait).expect("secs"),
        ));
        assert_eq!(
            login_from(&app, &here, &admin, "salah-sandi-123").await.0,
            StatusCode::UNAUTHORIZED,
            "after waiting, the attempt is heard"
        );
    }
    assert_eq!(waits, [1, 2, 4, 8]);
    let (status, retry_after, _) = login_from(&app, &here, &admin, PASSWORD).await;
    assert_eq!(
        (status, retry_after),
        (StatusCode::TOO_MANY_REQUESTS, Some(16)),
        "even the right password waits"
    );
    assert_eq!(
        login_from(&app, &client_from("127.0.0.3"), &admin, PASSWORD)
            .await
            .0,
        StatusCode::OK,
        "from another address the account is not held up"
    );
    clock.advance(chrono::Duration::seconds(16));
    assert_eq!(
        login_from(&app, &here, &admin, PASSWORD).await.0,
        StatusCode::OK
    );
    for _ in 0..3 {
        assert_eq!(
            login_from(&app, &here, &admin, "salah-sandi-123").await.0,
            StatusCode::UNAUTHORIZED,
            "the success cleared the failures"
        );
    }
}

/// Password spraying: 30 failures from one address within 15 minutes, whatever the accounts,
/// make that address wait; other addresses are not held up.
async fn thirty_failures_from_one_address_make_it_wait(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sprayer = client_from("127.0.0.2");
    let mut statuses = Vec::new();
    for i in 0..35 {
        statuses.push(
            login_from(
                &app,
                &sprayer,
                &format!("orang{i}@{DOMAIN}"),
                "salah-sandi-123",
            )
            .await
            .0,
        );
    }
    assert!(
        statuses[..30]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED)
            && statuses[30..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let admin = format!("admin@{DOMAIN}");
    let (status, retry_after, code) = login_from(&app, &sprayer, &admin, PASSWORD).await;
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, json!("too_many_attempts"))
    );
    assert!(
        retry_after.is_some_and(|s| (1..=900).contains(&s)),
        "{retry_after:?}"
    );
    assert_eq!(
        login_from(&app, &client_from("127.0.0.1"), &admin, PASSWORD)
            .await
            .0,
        StatusCode::OK
    );
}

on_both_databases!(
    admin_signs_in_and_sees_own_account,
    unknown_email_and_wrong_password_get_the_same_answer,
    failures_from_another_address_never_lock_the_owner_out,
    successful_logins_never_count,
    waits_double_with_each_further_failure,
    thirty_failures_from_one_address_make_it_wait,
);
