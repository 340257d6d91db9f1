//! Integration tokens for the Dinas Tier 2 dashboard.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, TestApp, actions, assert_refused_on, read};

async fn integration_user(app: &TestApp) -> String {
    let (status, user) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Dasbor Tier 2", "email": format!("dasbor@{DOMAIN}"), "role": "integration"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user["id"].as_str().expect("id").to_owned()
}

async fn a_revoked_token_is_refused_from_then_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = integration_user(&app).await;
    let (status, issued) = app
        .post(
            &format!("/api/v1/users/{user}/tokens"),
            &app.admin_token,
            json!({"name": "Dasbor", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let token = issued["token"].as_str().expect("token");
    let (status, me) = app.get("/api/v1/auth/me", token).await;
    assert_eq!(
        (status, &me["role"]),
        (StatusCode::OK, &json!("integration"))
    );

    let (_, listed) = app
        .get(&format!("/api/v1/users/{user}/tokens"), &app.admin_token)
        .await;
    assert_eq!(listed[0]["id"], issued["id"]);
    assert!(
        !listed.to_string().contains(token),
        "the token is shown only once"
    );

    let revoke = format!("/api/v1/tokens/{}", issued["id"].as_str().expect("id"));
    let (status, body) = read(
        app.send(Method::DELETE, &revoke, Some(&app.admin_token), None)
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::NO_CONTENT, serde_json::Value::Null)
    );
    assert_eq!(
        app.get("/api/v1/auth/me", token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, listed) = app
        .get(&format!("/api/v1/users/{user}/tokens"), &app.admin_token)
        .await;
    assert!(listed[0]["revoked_at"].is_string());
    let again = app
        .send(Method::DELETE, &revoke, Some(&app.admin_token), None)
        .await;
    assert_eq!(
        again.status(),
        StatusCode::NO_CONTENT,
        "revoking twice is harmless"
    );
}

async fn tokens_are_for_active_integration_accounts_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, problem) = app
        .post(
            &format!("/api/v1/users/{}/tokens", app.admin_id),
            &app.admin_token,
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("not_an_integration_account")
        )
    );

    let user = integration_user(&app).await;
    let (status, problem) = app
        .post(
            &format!("/api/v1/users/{user}/tokens"),
            &app.admin_token,
            json!({"name": "x", "expires_in_days": 0}),
        )
        .await;
    assert_refused_on(status, &problem, "expires_in_days");
    let (_, listed) = app
        .get(&format!("/api/v1/users/{user}/tokens"), &app.admin_token)
        .await;
    assert_eq!(listed, json!([]), "nothing was written");

    let (_, issued) = app
        .post(
            &format!("/api/v1/users/{user}/tokens"),
            &app.admin_token,
            json!({"name": "Dasbor"}),
        )
        .await;
    let token = issued["token"].as_str().expect("token");
    app.patch(
        &format!("/api/v1/users/{user}"),
        &app.admin_token,
        json!({"active": false}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/auth/me", token).await.0,
        StatusCode::UNAUTHORIZED,
        "deactivating the account stops its tokens"
    );
    // The account at fault is the path's `id`, and the answer says what is wrong with it.
    let (status, problem) = app
        .post(
            &format!("/api/v1/users/{user}/tokens"),
            &app.admin_token,
            json!({"name": "Dasbor lagi"}),
        )
        .await;
    assert_refused_on(status, &problem, "id");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("deactivated")),
        "{problem}"
    );
}

async fn integration_tokens_cannot_administer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = integration_user(&app).await;
    let (_, issued) = app
        .post(
            &format!("/api/v1/users/{user}/tokens"),
            &app.admin_token,
            json!({"name": "Dasbor"}),
        )
        .await;
    let token = issued["token"].as_str().expect("token");
    assert_eq!(
        app.get("/api/v1/users", token).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/units",
            token,
            json!({"code": "X", "name": "X", "kind": "pd"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/users/{user}/tokens"),
            token,
            json!({"name": "more"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

/// Both tokens list as revoked, each with its own audit entry, and the account's entries say
/// which changes ended its sessions.
async fn the_revocation_is_on_record(app: &TestApp, user: &str, issued: &[serde_json::Value]) {
    let (_, listed) = app
        .get(&format!("/api/v1/users/{user}/tokens"), &app.admin_token)
        .await;
    let listed = listed.as_array().expect("tokens");
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|t| t["revoked_at"].is_string()),
        "both tokens show as revoked: {listed:?}"
    );
    for token in issued {
        let (_, trail) = app
            .get(
                &format!(
                    "/api/v1/audit-log?entity=token&entity_id={}",
                    token["id"].as_str().expect("id")
                ),
                &app.admin_token,
            )
            .await;
        let actions = actions(&trail);
        assert_eq!(actions, ["token_created", "token_revoked"], "{trail}");
    }
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit-log?entity=user&entity_id={user}"),
            &app.admin_token,
        )
        .await;
    let ended: Vec<&serde_json::Value> = trail
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["data"]["sessions_ended"])
        .collect();
    assert_eq!(
        ended,
        [&json!(null), &json!(false), &json!(true), &json!(true)],
        "{trail}"
    );
}

/// `PATCH /users/{id} {"role":"admin"}` on a dashboard account must not turn its read-only
/// token into an admin credential: the change ends its tokens, for good.
async fn a_role_change_revokes_the_accounts_tokens_for_good(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = integration_user(&app).await;
    let mut issued = Vec::new();
    for name in ["Dasbor", "Layar"] {
        let (status, token) = app
            .post(
                &format!("/api/v1/users/{user}/tokens"),
                &app.admin_token,
                json!({"name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        issued.push(token);
    }
    let token = issued[0]["token"].as_str().expect("token");
    let account = format!("/api/v1/users/{user}");
    let change = |body: Value| app.patch(&account, &app.admin_token, body);
    let app = &app;
    let answers = |path: &'static str| async move { app.get(path, token).await.0 };
    let (status, _) = change(json!({"name": "Dasbor Tier 2 (baru)"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answers("/api/v1/auth/me").await,
        StatusCode::OK,
        "a change of name leaves the tokens alone"
    );

    let (status, changed) = change(json!({"role": "admin"})).await;
    assert_eq!(
        (status, &changed["role"]),
        (StatusCode::OK, &json!("admin"))
    );
    assert_eq!(
        answers("/api/v1/users").await,
        StatusCode::UNAUTHORIZED,
        "the dashboard token did not become an admin credential"
    );
    let (status, _) = change(json!({"role": "integration"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answers("/api/v1/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "changing the role back does not bring the token back"
    );

    the_revocation_is_on_record(app, &user, &issued).await;

    let (status, fresh) = app
        .post(
            &format!("/api/v1/users/{user}/tokens"),
            &app.admin_token,
            json!({"name": "Dasbor"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app.get("/api/v1/auth/me", fresh["token"].as_str().expect("token"))
            .await
            .0,
        StatusCode::OK,
        "a token issued after the change works"
    );
}

/// Tokens issued while the account is being deactivated are either refused or revoked with
/// the others: none is left listed as live.
async fn tokens_issued_during_a_deactivation_end_with_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = integration_user(&app).await;
    let tokens = format!("/api/v1/users/{user}/tokens");
    let issue = || async {
        let mut issued = 0;
        for _ in 0..15 {
            if app
                .post(&tokens, &app.admin_token, json!({"name": "Dasbor"}))
                .await
                .0
                == StatusCode::CREATED
            {
                issued += 1;
            }
        }
        issued
    };
    let deactivate = async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        app.patch(
            &format!("/api/v1/users/{user}"),
            &app.admin_token,
            json!({"active": false}),
        )
        .await
        .0
    };
    let (a, b, c, status) = tokio::join!(issue(), issue(), issue(), deactivate);
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = app.get(&tokens, &app.admin_token).await;
    let listed = listed.as_array().expect("a list");
    assert!(a + b + c > 0 && listed.len() == a + b + c, "{listed:?}");
    let live: Vec<&Value> = listed
        .iter()
        .filter(|t| t["revoked_at"].is_null())
        .collect();
    assert!(
        live.is_empty(),
        "tokens of a deactivated account listed as live: {live:?}"
    );
}

on_both_databases!(
    tokens_issued_during_a_deactivation_end_with_it,
    a_revoked_token_is_refused_from_then_on,
    tokens_are_for_active_integration_accounts_only,
    integration_tokens_cannot_administer,
    a_role_change_revokes_the_accounts_tokens_for_good,
);
