//! Each region's governance: Palangka Raya's sanctions, Tojo Una-Una's and Kupang's Tier 1 in
//! every PD, Ambon's supervisions, Batu's problem inventory.

mod compliance;
mod model;
mod problems;
mod sanctions;
mod supervision;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestApp;

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
