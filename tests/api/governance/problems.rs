//! Batu Pasal 18 (4) huruf f: the Tim Teknis Monev's inventory of open problems, with the
//! incidents linked to them and the feedback given, as JSON, CSV and a workbook.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on};

async fn the_inventory_lists_open_problems_with_incidents_and_feedback(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let problem = app
        .create_ticket(
            &cast.tier1.token,
            json!({"kind": "problem", "title": "Jaringan lantai 2 sering putus"}),
        )
        .await;
    let incident = app.create_ticket(&cast.tier1.token, json!({})).await;
    let other_pd = app
        .create_ticket(&cast.tier1_other_pd.token, json!({}))
        .await;
    let link = |ticket: &serde_json::Value| {
        format!(
            "/api/v1/tickets/{}/problem",
            ticket["id"].as_str().expect("id")
        )
    };

    let (status, made) = app
        .put(
            &link(&incident),
            &cast.tier1.token,
            json!({"problem_id": problem["number"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["problem_number"], problem["number"]);
    let (status, problem_refused) = app
        .put(
            &link(&problem),
            &cast.tier1.token,
            json!({"problem_id": problem["id"]}),
        )
        .await;
    assert_refused_on(status, &problem_refused, "id");
    let (status, not_a_problem) = app
        .put(
            &link(&incident),
            &cast.tier1.token,
            json!({"problem_id": other_pd["id"]}),
        )
        .await;
    assert_refused_on(status, &not_a_problem, "problem_id");
    let (status, _) = app
        .put(
            &link(&other_pd),
            &cast.tier1.token,
            json!({"problem_id": problem["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another PD's ticket");
    // A request is not what a problem covers.
    let request = app
        .create_ticket(&cast.tier1.token, json!({"kind": "request"}))
        .await;
    let (status, refused) = app
        .put(
            &link(&request),
            &cast.tier1.token,
            json!({"problem_id": problem["id"]}),
        )
        .await;
    assert_refused_on(status, &refused, "id");
    // Once the incident is at tier 2, its link is the Dinas's to change.
    let escalated = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act_saying(&cast.tier1.token, &escalated, "escalate", "Butuh Tier 2")
        .await;
    let unlinked = app
        .send(
            reqwest::Method::DELETE,
            &link(&escalated),
            Some(&cast.tier1.token),
            None,
        )
        .await;
    assert_eq!(unlinked.status(), StatusCode::FORBIDDEN);
    let (status, _) = app
        .put(
            &link(&escalated),
            &cast.tier1.token,
            json!({"problem_id": problem["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, made) = app
        .put(
            &link(&escalated),
            &cast.tier2.token,
            json!({"problem_id": problem["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    // Who linked what stays on record.
    let (status, trail) = app
        .get(
            &format!(
                "/api/v1/audit-log?entity=ticket&entity_id={}",
                escalated["id"].as_str().expect("id")
            ),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    assert_eq!(
        crate::support::actions(&trail),
        ["problem_linked"],
        "{trail}"
    );
    let unlinked = app
        .send(
            reqwest::Method::DELETE,
            &link(&escalated),
            Some(&cast.tier2.token),
            None,
        )
        .await;
    assert_eq!(unlinked.status(), StatusCode::NO_CONTENT);
    let id = problem["id"].as_str().expect("id");
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            &cast.tier2.token,
            json!({"body": "Tim Monev: ganti switch lantai 2 sebelum akhir bulan."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, _) = app
        .get("/api/v1/reports/problem-inventory", &cast.integration.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, inventory) = app
        .get("/api/v1/reports/problem-inventory", &cast.auditor.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{inventory}");
    let rows = inventory["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{inventory}");
    assert_eq!(
        rows[0]["incidents"][0]["number"], incident["number"],
        "{inventory}"
    );
    assert_eq!(
        rows[0]["feedback"][0]["body"],
        "Tim Monev: ganti switch lantai 2 sebelum akhir bulan."
    );

    let response = app
        .client
        .get(app.url("/api/v1/reports/problem-inventory?format=csv"))
        .bearer_auth(&cast.auditor.token)
        .send()
        .await
        .expect("sent");
    let csv = response.text().await.expect("csv");
    let line = csv.lines().nth(1).expect("a row");
    assert!(
        line.contains(problem["number"].as_str().expect("n"))
            && line.contains(incident["number"].as_str().expect("n")),
        "{csv}"
    );
    let response = app
        .client
        .get(app.url("/api/v1/reports/problem-inventory?format=xlsx"))
        .bearer_auth(&cast.auditor.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.expect("workbook");
    assert!(bytes.starts_with(b"PK"), "a workbook is a zip");

    let response = app
        .send(
            reqwest::Method::DELETE,
            &link(&incident),
            Some(&cast.tier1.token),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, inventory) = app
        .get("/api/v1/reports/problem-inventory", &cast.auditor.token)
        .await;
    assert_eq!(inventory["rows"][0]["incidents"], json!([]), "{inventory}");
    let (status, _) = app.get(&link(&incident), &cast.tier1.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_databases!(the_inventory_lists_open_problems_with_incidents_and_feedback);
