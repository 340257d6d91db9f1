//! Recording a ticket: its number, kind and priority, and what is refused.

use chrono::{Datelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on, incident, read};

async fn tier1_records_an_incident_for_its_own_pd(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/tickets",
            Some(&cast.tier1.token),
            Some(incident(
                json!({"impact": "high", "urgency": "medium", "unit_id": cast.dinkes}),
            )),
        )
        .await;
    assert_eq!(
        response.headers().get("etag").map(|v| v.as_bytes()),
        Some(&b"\"1\""[..])
    );
    let (status, ticket) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let year = Utc::now().with_timezone(&chrono_tz::Asia::Makassar).year();
    assert_eq!(ticket["number"], format!("SD-{year}-000001"));
    assert_eq!(
        (&ticket["status"], &ticket["tier"], &ticket["priority"]),
        (&json!("new"), &json!(1), &json!("high"))
    );
    assert_eq!(
        (&ticket["unit_id"], &ticket["created_by"]),
        (&json!(cast.dinkes), &json!(cast.tier1.id))
    );
    assert_eq!(
        (&ticket["classification"], &ticket["version"]),
        (&json!("public"), &json!(1))
    );
    assert_eq!(ticket["reporter"]["email"], "siti@tojounaunakab.go.id");

    let id = ticket["id"].as_str().expect("id");
    let (_, by_id) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1.token)
        .await;
    let (_, by_number) = app
        .get(
            &format!("/api/v1/tickets/sd-{year}-000001"),
            &cast.tier1.token,
        )
        .await;
    assert_eq!(by_id, ticket);
    assert_eq!(by_number, ticket);
    let (_, events) = app
        .get(&format!("/api/v1/tickets/{id}/events"), &cast.tier1.token)
        .await;
    assert_eq!(events[0]["type"], "created");
    assert_eq!(events[0]["actor_id"], cast.tier1.id);

    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            &cast.tier1.token,
            incident(json!({"unit_id": cast.disdik})),
        )
        .await;
    assert_refused_on(status, &problem, "unit_id");
}

async fn the_five_statutory_kinds_and_the_priority_matrix(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    for (kind, impact, urgency, priority) in [
        ("incident", "high", "high", "critical"),
        ("complaint", "medium", "high", "high"),
        ("problem", "low", "high", "medium"),
        ("request", "medium", "low", "low"),
        ("change", "low", "low", "low"),
    ] {
        let ticket = app
            .create_ticket(
                &cast.tier1.token,
                json!({"kind": kind, "impact": impact, "urgency": urgency}),
            )
            .await;
        assert_eq!(
            (&ticket["kind"], &ticket["priority"]),
            (&json!(kind), &json!(priority)),
            "{kind}"
        );
    }
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            &cast.tier1.token,
            incident(json!({"kind": "question"})),
        )
        .await;
    assert_refused_on(status, &problem, "kind");
}

async fn numbers_have_no_gaps_under_eight_concurrent_clients(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let tokens = [
        &cast.tier1.token,
        &cast.tier1_colleague.token,
        &cast.tier1_other_pd.token,
        &cast.tier2.token,
    ];
    let clients = (0..8).map(|client| {
        let app = &app;
        let token = tokens[client % tokens.len()].clone();
        let unit = if client % 4 == 3 { Some(cast.dinkes.clone()) } else { None };
        async move {
            let mut numbers = Vec::new();
            for i in 0..5 {
                let (status, ticket) = app
                    .post(
                        "/api/v1/tickets",
                        &token,
                        incident(json!({"title": format!("client {client} ticket {i}"), "unit_id": unit})),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{ticket}");
                numbers.push(ticket["number"].as_str().expect("number").to_owned());
            }
            numbers
        }
    });
    let numbers: Vec<String> = futures::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut sequence: Vec<u32> = numbers
        .iter()
        .map(|n| {
            n.rsplit('-')
                .next()
                .and_then(|s| s.parse().ok())
                .expect("SD-year-seq")
        })
        .collect();
    sequence.sort_unstable();
    assert_eq!(sequence, (1..=40).collect::<Vec<u32>>(), "{numbers:?}");
}

async fn invalid_tickets_are_refused_and_nothing_is_written(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let cases = [
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"title": "   "}), "title"),
        (json!({"description": "x".repeat(20_001)}), "description"),
        (
            json!({"reporter": {"name": "Siti", "email": "bukan-alamat"}}),
            "reporter.email",
        ),
        (
            json!({"reporter": {"name": "", "phone": "12"}}),
            "reporter.name",
        ),
        (
            json!({"reporter": {"name": "Siti", "phone": "telepon saya"}}),
            "reporter.phone",
        ),
        (json!({"impact": "extreme"}), "impact"),
        (
            json!({"service_id": "01900000-0000-7000-8000-000000000000"}),
            "service_id",
        ),
    ];
    for (fields, field) in cases {
        let (status, problem) = app
            .post("/api/v1/tickets", &cast.tier1.token, incident(fields))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        assert!(
            problem["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {problem}"
        );
    }
    let mut no_title = incident(json!({}));
    no_title.as_object_mut().expect("object").remove("title");
    let (status, problem) = app
        .post("/api/v1/tickets", &cast.tier1.token, no_title)
        .await;
    assert_refused_on(status, &problem, "title");
    let (status, problem) = app
        .post("/api/v1/tickets", &cast.tier2.token, incident(json!({})))
        .await;
    assert_refused_on(status, &problem, "unit_id");
    let (status, _) = app
        .post("/api/v1/tickets", &cast.auditor.token, incident(json!({})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.ticket_count().await, 0, "nothing was written");
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    assert!(
        ticket["number"]
            .as_str()
            .expect("number")
            .ends_with("-000001"),
        "no number was used up"
    );
}

on_both_databases!(
    tier1_records_an_incident_for_its_own_pd,
    the_five_statutory_kinds_and_the_priority_matrix,
    numbers_have_no_gaps_under_eight_concurrent_clients,
    invalid_tickets_are_refused_and_nothing_is_written,
);
