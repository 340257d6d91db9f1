//! Signing in, and which tokens are accepted.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::json;
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::support::logged::LoggedServer;
use crate::support::{Backend, DOMAIN, JWT_SECRET, PASSWORD, Storage, TestApp, read};

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

/// The `role` claim must be the account's stored role, and the token's lifetime one this
/// service issues; `nbf` is honoured.
async fn a_token_for_another_role_or_lifetime_or_not_yet_valid_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let (tier1, _) = app
        .create_user(&format!("teknisi@{DOMAIN}"), "tier1", Some(&pd))
        .await;
    let now = Utc::now().timestamp();
    let forge = |changes: serde_json::Value| {
        let mut claims = claims(&tier1, now + 3600);
        claims["role"] = json!("tier1");
        for (name, value) in changes.as_object().expect("object") {
            claims[name] = value.clone();
        }
        sign(claims, JWT_SECRET.as_bytes())
    };
    let cases = [
        ("the stored role", json!({}), StatusCode::OK),
        (
            "another role",
            json!({"role": "admin"}),
            StatusCode::UNAUTHORIZED,
        ),
        ("nbf passed", json!({"nbf": now - 10}), StatusCode::OK),
        (
            "nbf to come",
            json!({"nbf": now + 600}),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "the longest lifetime",
            json!({"iat": now - 100, "exp": now + 3500}),
            StatusCode::OK,
        ),
        (
            "a lifetime past SERVICEDESK_ACCESS_TOKEN_TTL",
            json!({"iat": now - 100, "exp": now + 3501}),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "issued ten years from now",
            json!({"iat": now + 315_360_000, "exp": now + 315_363_600, "nbf": now}),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "a subject with a NUL",
            json!({"sub": format!("{tier1}\u{0}")}),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "a token id with a NUL",
            json!({"jti": "a\u{0}b"}),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (what, changes, expected) in cases {
        let status = app.get("/api/v1/auth/me", &forge(changes)).await.0;
        assert_eq!(status, expected, "{what}");
    }

    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Dasbor", "email": format!("dasbor@{DOMAIN}"), "role": "integration"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let dashboard = user["id"].as_str().expect("id");
    let (_, issued) = app
        .post(
            &format!("/api/v1/users/{dashboard}/tokens"),
            &app.admin_token,
            json!({"name": "Dasbor", "expires_in_days": 730}),
        )
        .await;
    let integration = |lifetime_days: i64| {
        let mut claims = claims(dashboard, now + lifetime_days * 86_400);
        claims["role"] = json!("integration");
        claims["typ"] = json!("integration");
        claims["jti"] = issued["id"].clone();
        sign(claims, JWT_SECRET.as_bytes())
    };
    assert_eq!(
        app.get("/api/v1/auth/me", &integration(730)).await.0,
        StatusCode::OK,
        "730 days, the longest an integration token lives"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &integration(731)).await.0,
        StatusCode::UNAUTHORIZED,
        "731 days"
    );
}

/// RFC 7235: the scheme's name is case-insensitive, and spaces around the token do not count.
async fn the_bearer_scheme_is_case_insensitive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = &app.admin_token;
    let cases = [
        (format!("Bearer {token}"), StatusCode::OK),
        (format!("BEARER {token}"), StatusCode::OK),
        (format!("bEaReR {token}"), StatusCode::OK),
        (format!("Bearer    {token}  "), StatusCode::OK),
        (format!("Bearer{token}"), StatusCode::UNAUTHORIZED),
        (format!("Basic {token}"), StatusCode::UNAUTHORIZED),
        ("Bearer ".to_owned(), StatusCode::UNAUTHORIZED),
    ];
    for (header, expected) in cases {
        let response = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .header("authorization", &header)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), expected, "{header:.12}…");
    }
}

/// The server, run as an operator would with debug logging, never writes a token sent in a
/// query string to its log.
async fn a_token_in_a_query_string_never_reaches_the_log(backend: Backend) {
    let storage = Storage::new(backend);
    let server = LoggedServer::start(&storage, "debug");
    let port = server.port;

    let now = Utc::now().timestamp();
    let token = sign(claims("no-such-user", now + 600), JWT_SECRET.as_bytes());
    let client = reqwest::Client::new();
    for (target, expected) in [
        (
            format!("auth/me?access_token={token}"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            format!("auth/me?limit=5&Token={token}"),
            StatusCode::UNAUTHORIZED,
        ),
        (format!("auth/me?q={token}"), StatusCode::UNAUTHORIZED),
        (
            format!("auth/me?q=Bearer+{token}"),
            StatusCode::UNAUTHORIZED,
        ),
        (format!("auth/me?{token}=1"), StatusCode::UNAUTHORIZED),
        (format!("tickets/{token}"), StatusCode::UNAUTHORIZED),
        (
            "auth/me?passwd=rahasia-kecil".to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
        // Refused for its query, with an answer that quotes the value back to the caller.
        (
            format!("users?role={token}"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let response = client
            .get(format!("http://127.0.0.1:{port}/api/v1/{target}"))
            .bearer_auth("not-a-token")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), expected, "{target:.20}");
    }
    let log = server.stop().join("\n");
    assert!(
        log.contains("/api/v1/auth/me?access_token=REDACTED")
            && log.contains("/api/v1/auth/me?limit=5&Token=REDACTED"),
        "the requests were logged, without their tokens: {log}"
    );
    let signature = token.rsplit('.').next().expect("signature");
    assert!(
        !log.contains(&token) && !log.contains(signature) && !log.contains("rahasia-kecil"),
        "a token or password reached the log: {log}"
    );
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
    forged_expired_and_tampered_tokens_are_refused,
    a_deactivated_users_token_stops_working_at_once,
    a_role_or_password_change_ends_every_session,
    a_token_for_another_role_or_lifetime_or_not_yet_valid_is_refused,
    the_bearer_scheme_is_case_insensitive,
    a_token_in_a_query_string_never_reaches_the_log,
    failures_from_another_address_never_lock_the_owner_out,
    successful_logins_never_count,
    waits_double_with_each_further_failure,
    thirty_failures_from_one_address_make_it_wait,
);
