//! Official domains taken exactly: a subdomain counts only where the region lists it.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::app::{self, Application};
use servicedesk::clock::SystemClock;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, PASSWORD, PRESET, Storage, TestApp};

/// The region's body with these domains and sender.
fn region(domains: Value, mail_from: Option<String>) -> Value {
    json!({"name": "Kabupaten Tojo Una-Una", "timezone": "Asia/Makassar",
           "official_email_domains": domains, "mail_from": mail_from})
}

/// A malformed or wildcard-abusing domain is refused, naming its entry and nothing else.
async fn each_bad_domain_is_named_alone(app: &TestApp) {
    for (bad, index) in [
        ("*.go.id", 1),
        ("a*.tojounaunakab.go.id", 1),
        ("dinkes.*.go.id", 1),
        ("*", 1),
        ("@gmail.com", 0),
        (" gmail.com", 0),
        ("gmail.com\n", 0),
        ("xn--zz.com", 0),
    ] {
        let list = if index == 0 {
            json!([bad])
        } else {
            json!([DOMAIN, bad])
        };
        let (status, problem) = app
            .put("/api/v1/region", &app.admin_token, region(list, None))
            .await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!([{
                    "field": format!("official_email_domains[{index}]"),
                    "message": problem["errors"][0]["message"]
                }])
            ),
            "{bad:?}: the entry is told, and nothing else"
        );
    }
}

async fn subdomains_are_official_only_where_the_region_lists_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pd = app.create_pd("DINKES").await;
    let user = |email: String| {
        json!({"name": "Budi", "email": email, "password": PASSWORD, "role": "tier1",
               "unit_id": pd})
    };
    for email in [format!("x@evil.{DOMAIN}"), format!("x@a.b.{DOMAIN}")] {
        let (status, problem) = app
            .post("/api/v1/users", &app.admin_token, user(email.clone()))
            .await;
        assert_eq!(
            (status, &problem["code"]),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!("email_not_official")
            ),
            "{email}"
        );
    }
    let (status, problem) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            region(json!([DOMAIN]), Some(format!("servicedesk@mail.{DOMAIN}"))),
        )
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("mail_from")),
        "the sender's subdomain is not listed"
    );
    each_bad_domain_is_named_alone(&app).await;
    let (status, only_wildcard) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            region(json!([format!("*.{DOMAIN}")]), None),
        )
        .await;
    assert_eq!(
        (status, &only_wildcard["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("mail_from")),
        "no exact domain to send from: {only_wildcard}"
    );

    let (status, updated) = app
        .put(
            "/api/v1/region",
            &app.admin_token,
            region(json!([DOMAIN, format!("*.{DOMAIN}")]), None),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (&updated["official_email_domains"], &updated["mail_from"]),
        (
            &json!([DOMAIN, format!("*.{DOMAIN}")]),
            &json!(format!("servicedesk@{DOMAIN}"))
        )
    );
    let (status, created) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            user(format!("puskesmas@dinkes.{DOMAIN}")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "listed now: {created}");
}

async fn a_sender_on_an_unlisted_subdomain_stops_startup(backend: Backend) {
    let storage = Storage::new(backend);
    let mut config = storage.config(Some(PRESET));
    app::prepare(&config, Arc::new(SystemClock)).expect("seeded");
    config.mail_from = Some(format!("servicedesk@evil.{DOMAIN}"));
    let error = Application::build(&config, Arc::new(SystemClock))
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("SERVICEDESK_MAIL_FROM"),
        "{error}"
    );
}

on_both_databases!(
    subdomains_are_official_only_where_the_region_lists_them,
    a_sender_on_an_unlisted_subdomain_stops_startup,
);
