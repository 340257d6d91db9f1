//! Each region's governance: Palangka Raya's sanctions, Tojo Una-Una's and Kupang's Tier 1 in
//! every PD, Ambon's supervisions, Batu's problem inventory.

mod compliance;
mod problems;
mod sanctions;
mod supervision;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{DOMAIN, PASSWORD, TestApp};

/// Changes the region's governance settings (`governance` is merged into what is set).
async fn govern(app: &TestApp, governance: Value) {
    // Signed in afresh: the test's clock may have moved past the first sign-in's hour.
    let admin = app.login(&format!("admin@{DOMAIN}"), PASSWORD).await;
    let (status, mut region) = app.get("/api/v1/region", &admin).await;
    assert_eq!(status, StatusCode::OK, "{region}");
    for (key, value) in governance.as_object().expect("settings") {
        region["governance"][key] = value.clone();
    }
    let body = json!({
        "name": region["name"], "timezone": region["timezone"],
        "official_email_domains": region["official_email_domains"],
        "mail_from": region["mail_from"], "governance": region["governance"],
    });
    let (status, region) = app.put("/api/v1/region", &admin, body).await;
    assert_eq!(status, StatusCode::OK, "{region}");
}

/// A service of `owner` (a unit id), made by `supervisor`; answers its id.
async fn service_of(app: &TestApp, supervisor: &str, code: &str, owner: &str) -> String {
    let (status, service) = app
        .post(
            "/api/v1/services",
            supervisor,
            json!({"code": code, "name": format!("Layanan {code}"), "owner_unit_id": owner}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    service["id"].as_str().expect("id").to_owned()
}
