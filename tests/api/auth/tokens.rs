//! Which tokens are accepted: signature, claims, lifetime, scheme, and where they may travel.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::logged::LoggedServer;
use crate::support::{Backend, DOMAIN, JWT_SECRET, Storage, TestApp, read};

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

/// The `role` claim must be the account's stored role, and the token's lifetime one this
/// service issues; `nbf` is honoured.
/// An integration token is accepted for 730 days and refused past them.
async fn integration_tokens_live_730_days_at_most(app: &TestApp, now: i64) {
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

    integration_tokens_live_730_days_at_most(&app, now).await;
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

on_both_databases!(
    forged_expired_and_tampered_tokens_are_refused,
    a_token_for_another_role_or_lifetime_or_not_yet_valid_is_refused,
    the_bearer_scheme_is_case_insensitive,
    a_token_in_a_query_string_never_reaches_the_log,
);
