//! Listing tickets: pages, filters, search and the limits of the query.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ids, refused_naming};
use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp, assert_refused_on};

async fn pages_neither_repeat_nor_miss_while_tickets_arrive(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(
            app.create_ticket(&cast.tier1.token, json!({"title": format!("T{i}")}))
                .await["id"]
                .clone(),
        );
    }
    for (sort, expect_new) in [("-created_at", false), ("created_at", true)] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut arrivals = Vec::new();
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/tickets?limit=3&sort={sort}&cursor={c}"),
                None => format!("/api/v1/tickets?limit=3&sort={sort}"),
            };
            let (status, page) = app.get(&path, &cast.tier1.token).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            seen.extend(ids(&page));
            if arrivals.is_empty() {
                for i in 0..2 {
                    arrivals.push(
                        app.create_ticket(
                            &cast.tier1.token,
                            json!({"title": format!("new {sort} {i}")}),
                        )
                        .await["id"]
                            .clone(),
                    );
                }
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: no ticket twice");
        for id in &made {
            assert!(
                seen.contains(&id.as_str().expect("id").to_owned()),
                "{sort}: none missed"
            );
        }
        let got_new = arrivals
            .iter()
            .all(|id| seen.contains(&id.as_str().expect("id").to_owned()));
        assert_eq!(
            got_new, expect_new,
            "{sort}: arrivals show at the end of an oldest-first walk only"
        );
        made.extend(arrivals);
    }
    let (status, problem) = app
        .get("/api/v1/tickets?cursor=bm9wZQ", &cast.tier1.token)
        .await;
    assert_refused_on(status, &problem, "cursor");
    // A cursor holds its order: read in the other direction it would cut the list short.
    let (_, oldest) = app
        .get("/api/v1/tickets?limit=2&sort=created_at", &cast.tier1.token)
        .await;
    let cursor = oldest["next_cursor"].as_str().expect("a next page");
    for sort in ["-created_at", "due"] {
        let path = format!("/api/v1/tickets?limit=2&sort={sort}&cursor={cursor}");
        let (status, problem) = app.get(&path, &cast.tier1.token).await;
        assert_refused_on(status, &problem, "cursor");
    }
}

async fn lists_filter_and_search(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let simpeg = app
        .create_ticket(
            &cast.tier1.token,
            json!({"title": "SIMPEG lambat", "kind": "complaint"}),
        )
        .await;
    let email = app
        .create_ticket(&cast.tier1.token, json!({"title": "Surel dinas", "description": "Kotak masuk 100%_penuh", "impact": "high", "urgency": "high"}))
        .await;
    let other = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"title": "Jaringan putus"}),
        )
        .await;
    app.act(&cast.tier1.token, &email, "acknowledge", json!({}))
        .await;
    let id = |t: &Value| t["id"].as_str().expect("id").to_owned();
    let number = email["number"].as_str().expect("number").to_owned();
    let cases = [
        ("status=in_progress".to_owned(), vec![id(&email)]),
        ("priority=critical".to_owned(), vec![id(&email)]),
        ("kind=complaint".to_owned(), vec![id(&simpeg)]),
        ("q=LAMBAT".to_owned(), vec![id(&simpeg)]),
        ("q=100%25_".to_owned(), vec![id(&email)]),
        (format!("q={}", number.to_lowercase()), vec![id(&email)]),
        (format!("unit_id={}", cast.disdik), vec![id(&other)]),
        ("tier=2".to_owned(), vec![]),
        (
            "created_from=2000-01-01T00:00:00Z&created_to=2001-01-01T00:00:00Z".to_owned(),
            vec![],
        ),
    ];
    for (query, expected) in cases {
        let (status, page) = app
            .get(&format!("/api/v1/tickets?{query}"), &cast.tier2.token)
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(ids(&page), expected, "{query}");
    }
    for (query, field) in [
        ("status=opened", "status"),
        ("tier=3", "tier"),
        ("sort=title", "sort"),
        ("created_from=yesterday", "created_from"),
    ] {
        let path = format!("/api/v1/tickets?{query}");
        refused_naming(&app, &cast.tier2.token, &path, field).await;
    }
}

/// A desk's four open tickets, by id: a fresh one on the SIMPEG service, one worked by tier 1,
/// one pending, one in another PD; and a cancelled one beside them.
async fn desk_tickets(app: &TestApp, cast: &Cast) -> (String, String, String, String) {
    let (status, service) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "SIMPEG", "name": "Kepegawaian", "owner_unit_id": cast.dinkes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let fresh = app
        .create_ticket(
            &cast.tier1.token,
            json!({"title": "Baru", "service_id": service["id"]}),
        )
        .await;
    let worked = app.create_ticket(&cast.tier1.token, json!({})).await;
    let worked = app
        .act(&cast.tier1.token, &worked, "acknowledge", json!({}))
        .await;
    let worked = app
        .act(
            &cast.tier1.token,
            &worked,
            "assign",
            json!({"assignee_id": cast.tier1.id}),
        )
        .await;
    let waiting = app.create_ticket(&cast.tier1.token, json!({})).await;
    let waiting = app
        .act(&cast.tier1.token, &waiting, "acknowledge", json!({}))
        .await;
    let waiting = app
        .act_saying(&cast.tier1.token, &waiting, "pend", "Menunggu vendor")
        .await;
    let dropped = app.create_ticket(&cast.tier1.token, json!({})).await;
    app.act_saying(&cast.tier1.token, &dropped, "cancel", "Ganda")
        .await;
    let elsewhere = app
        .create_ticket(&cast.tier1_other_pd.token, json!({}))
        .await;
    let id = |t: &Value| t["id"].as_str().expect("id").to_owned();
    (id(&fresh), id(&worked), id(&waiting), id(&elsewhere))
}

async fn a_desk_filters_by_open_statuses_codes_and_itself(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (fresh, worked, waiting, elsewhere) = desk_tickets(&app, &cast).await;
    let open = vec![
        elsewhere.clone(),
        waiting.clone(),
        worked.clone(),
        fresh.clone(),
    ];
    let cases = [
        ("status=open", &cast.tier2.token, open.clone()),
        (
            "status=new,pending",
            &cast.tier2.token,
            vec![elsewhere.clone(), waiting.clone(), fresh.clone()],
        ),
        // As generators send a list that ignore `explode: false`.
        (
            "status=new&status=pending",
            &cast.tier2.token,
            vec![elsewhere.clone(), waiting.clone(), fresh.clone()],
        ),
        ("status=pending,open", &cast.tier2.token, open),
        (
            "status=open&unit_id=DISDIK",
            &cast.tier2.token,
            vec![elsewhere.clone()],
        ),
        (
            "status=open&unit_id=dinkes",
            &cast.tier2.token,
            vec![waiting.clone(), worked.clone(), fresh.clone()],
        ),
        ("service_id=SIMPEG", &cast.tier2.token, vec![fresh.clone()]),
        // Acknowledging an unassigned ticket takes it.
        (
            "assignee_id=me",
            &cast.tier1.token,
            vec![waiting.clone(), worked.clone()],
        ),
        ("assignee_id=me", &cast.tier2.token, vec![]),
        ("assignee_id=ME", &cast.tier2.token, vec![]),
        // Tier 1 stays in its own PD, by code as by id.
        ("unit_id=DISDIK", &cast.tier1.token, vec![]),
    ];
    for (query, token, expected) in cases {
        let (status, page) = app.get(&format!("/api/v1/tickets?{query}"), token).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(ids(&page), expected, "{query}");
    }
    for (query, field) in [
        ("unit_id=DINKESS", "unit_id"),
        ("unit_id=01900000-0000-7000-8000-000000000000", "unit_id"),
        ("service_id=SIMPEGG", "service_id"),
        ("status=new,", "status"),
        ("tier=1&tier=2", "tier"),
        ("assignee_id=nobody", "assignee_id"),
        (
            "assignee_id=01900000-0000-7000-8000-000000000000",
            "assignee_id",
        ),
    ] {
        let path = format!("/api/v1/tickets?{query}");
        refused_naming(&app, &cast.tier2.token, &path, field).await;
    }

    let (status, users) = app
        .get("/api/v1/users?unit_id=DISDIK", &cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{users}");
    assert_eq!(ids(&users), vec![cast.tier1_other_pd.id.clone()]);
    let (status, problem) = app
        .get("/api/v1/users?unit_id=DINKESS", &cast.tier2.token)
        .await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("unit_id")),
        "{problem}"
    );
}

async fn query_parameters_keep_to_the_limits_of_the_contract(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app
        .create_ticket(&cast.tier1.token, json!({"title": "Printer macet"}))
        .await;
    let q = format!("Printer{}", " ".repeat(193));
    let (status, page) = app
        .get(&format!("/api/v1/tickets?q={q}"), &cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        ids(&page),
        vec![ticket["id"].as_str().expect("id").to_owned()]
    );
    let period = "from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z";
    for (path, field) in [
        (format!("/api/v1/tickets?q={q}x"), "q"),
        (
            format!("/api/v1/tickets?assignee_id={}", "a".repeat(65)),
            "assignee_id",
        ),
        (
            format!("/api/v1/tickets?created_from={}", "9".repeat(65)),
            "created_from",
        ),
        (
            format!("/api/v1/reports/sla?{period}&format=bogus"),
            "format",
        ),
        (
            format!("/api/v1/reports/availability?{period}&format=pdf"),
            "format",
        ),
    ] {
        refused_naming(&app, &cast.supervisor.token, &path, field).await;
    }
    let (status, report) = app
        .get(
            &format!("/api/v1/reports/sla?{period}&format=json"),
            &cast.supervisor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(report["rows"].is_array(), "{report}");
}

/// Ids are given out in lower case; a client that upper-cases one (as some UUID libraries
/// print them) still names the same record, wherever it sends it.
async fn ids_are_read_in_any_case(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let upper = |value: &Value| value.as_str().expect("id").to_ascii_uppercase();
    // Tier 1 may name its own PD, in any case.
    let created = app
        .create_ticket(
            &cast.tier1.token,
            json!({"unit_id": cast.dinkes.to_ascii_uppercase()}),
        )
        .await;
    let ticket = app
        .act(
            &cast.tier1.token,
            &created,
            "assign",
            json!({"assignee_id": cast.tier1.id.to_ascii_uppercase()}),
        )
        .await;
    let events = app.ticket_events(&cast.tier1.token, &ticket).await;
    let assigned = events.iter().find(|e| e["type"] == "assigned");
    assert_eq!(
        assigned.map(|e| &e["data"]["assignee_id"]),
        Some(&json!(cast.tier1.id)),
        "the trail keeps the id as it is given out: {events:?}"
    );
    let (status, read) = app
        .get(
            &format!("/api/v1/tickets/{}", upper(&ticket["id"])),
            &cast.tier1.token,
        )
        .await;
    assert_eq!((status, &read["id"]), (StatusCode::OK, &ticket["id"]));
    let (status, unit) = app
        .get(
            &format!("/api/v1/units/{}", cast.dinkes.to_ascii_uppercase()),
            &cast.tier2.token,
        )
        .await;
    assert_eq!((status, &unit["id"]), (StatusCode::OK, &json!(cast.dinkes)));
    for query in [
        format!("unit_id={}", cast.dinkes.to_ascii_uppercase()),
        format!("assignee_id={}", cast.tier1.id.to_ascii_uppercase()),
    ] {
        let (status, page) = app
            .get(&format!("/api/v1/tickets?{query}"), &cast.tier2.token)
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(
            ids(&page),
            vec![ticket["id"].as_str().expect("id").to_owned()],
            "{query}"
        );
    }
    let (status, trail) = app
        .get(
            &format!(
                "/api/v1/audit-log?entity=unit&entity_id={}",
                cast.dinkes.to_ascii_uppercase()
            ),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    assert_eq!(crate::support::actions(&trail), ["unit_created"], "{trail}");
    // Tier 1 knows its own PD's accounts only: another PD's is as unknown as no account.
    let path = format!("/api/v1/tickets?assignee_id={}", cast.tier1_other_pd.id);
    refused_naming(&app, &cast.tier1.token, &path, "assignee_id").await;
}

on_both_databases!(
    ids_are_read_in_any_case,
    pages_neither_repeat_nor_miss_while_tickets_arrive,
    lists_filter_and_search,
    a_desk_filters_by_open_statuses_codes_and_itself,
    query_parameters_keep_to_the_limits_of_the_contract,
);
