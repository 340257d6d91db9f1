//! Signing in, and which tokens are accepted.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, JWT_SECRET, PASSWORD, TestApp, read};

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

fn sign(claims: serde_json::Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("sign")
}

fn claims(sub: &str, exp: i64) -> serde_json::Value {
    json!({"sub": sub, "role": "admin", "iat": Utc::now().timestamp(), "exp": exp,
           "iss": "spbe-servicedesk", "aud": "spbe-servicedesk-api", "jti": "x", "typ": "access"})
}

async fn forged_expired_and_tampered_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let me = |token: String| {
        let app = &app;
        async move {
            app.send(Method::GET, "/api/v1/auth/me", Some(&token), None)
                .await
        }
    };
    let later = (Utc::now() + Duration::hours(1)).timestamp();
    let mut valid = claims(&app.admin_id, later);
    let accepted = me(sign(valid.clone(), JWT_SECRET.as_bytes())).await;
    assert_eq!(accepted.status(), StatusCode::OK, "the control token works");

    let mut refused = vec![
        (
            "another secret",
            sign(valid.clone(), b"another-secret-another-secret-xyz"),
        ),
        (
            "expired",
            sign(
                claims(
                    &app.admin_id,
                    (Utc::now() - Duration::seconds(5)).timestamp(),
                ),
                JWT_SECRET.as_bytes(),
            ),
        ),
    ];
    valid["iss"] = json!("someone-else");
    refused.push(("foreign issuer", sign(valid.clone(), JWT_SECRET.as_bytes())));
    valid["iss"] = json!("spbe-servicedesk");
    valid["aud"] = json!("another-api");
    refused.push(("foreign audience", sign(valid, JWT_SECRET.as_bytes())));

    let (_, auditor_token) = app
        .create_user(&format!("auditor@{DOMAIN}"), "auditor", None)
        .await;
    let admin_parts: Vec<&str> = app.admin_token.split('.').collect();
    let auditor_parts: Vec<&str> = auditor_token.split('.').collect();
    // The auditor's claims under the admin's signature.
    refused.push((
        "tampered",
        format!("{}.{}.{}", admin_parts[0], auditor_parts[1], admin_parts[2]),
    ));
    // {"alg":"none","typ":"JWT"} with the admin's claims and no signature.
    refused.push((
        "alg=none",
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", admin_parts[1]),
    ));
    refused.push(("garbage", "not-a-token".to_owned()));

    for (what, token) in refused {
        let response = me(token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..]),
            "{what}"
        );
        let (_, body) = read(response).await;
        assert_eq!(body["code"], "unauthenticated", "{what}");
    }
    let (status, _) = read(app.send(Method::GET, "/api/v1/auth/me", None, None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no token at all");
}

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
        StatusCode::OK,
        "reactivation restores it"
    );
}

async fn five_failed_logins_lock_the_account_but_not_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = format!("admin@{DOMAIN}");
    let pd = app.create_pd("DISDIK").await;
    let (_, _) = app
        .create_user(&format!("lain@{DOMAIN}"), "tier1", Some(&pd))
        .await;

    for _ in 0..4 {
        assert_eq!(
            app.try_login(&admin, "salah-sandi-123").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.try_login(&admin, PASSWORD).await.0,
        StatusCode::OK,
        "a success clears the count"
    );
    for _ in 0..5 {
        assert_eq!(
            app.try_login(&admin, "salah-sandi-123").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": admin, "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After header");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(read(response).await.1["code"], "too_many_attempts");

    assert_eq!(
        app.try_login(&format!("lain@{DOMAIN}"), PASSWORD).await.0,
        StatusCode::OK
    );
}

async fn more_than_thirty_logins_a_minute_from_one_address_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The admin's own sign-in at start-up was the first request of the minute; each attempt
    // names another account so that only the per-address limit can answer 429.
    let mut statuses = Vec::new();
    for i in 1..40 {
        statuses.push(
            app.try_login(&format!("orang{i}@{DOMAIN}"), "salah-sandi-123")
                .await
                .0,
        );
    }
    assert!(
        statuses[..29]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[29..].contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let (status, body) = app.try_login(&format!("admin@{DOMAIN}"), PASSWORD).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::TOO_MANY_REQUESTS, &json!("too_many_attempts"))
    );
}

on_both_databases!(
    admin_signs_in_and_sees_own_account,
    unknown_email_and_wrong_password_get_the_same_answer,
    forged_expired_and_tampered_tokens_are_refused,
    a_deactivated_users_token_stops_working_at_once,
    five_failed_logins_lock_the_account_but_not_others,
    more_than_thirty_logins_a_minute_from_one_address_are_refused,
);
