//! Recording, reading and listing tickets: numbers, isolation, restriction, retries, pages.

use std::collections::HashSet;

use chrono::{Datelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on, incident, read};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect()
}

/// Asserts that `path` answers 422 naming `field` first.
async fn refused_naming(app: &TestApp, token: &str, path: &str, field: &str) {
    let (status, problem) = app.get(path, token).await;
    assert_eq!(
        (status, &problem["errors"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!(field)),
        "{path}: {problem}"
    );
}

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

async fn a_tier1_technician_never_sees_another_pds_tickets(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let theirs = app
        .create_ticket(
            &cast.tier1_other_pd.token,
            json!({"title": "Printer Disdik rusak"}),
        )
        .await;
    let ours = app.create_ticket(&cast.tier1.token, json!({})).await;
    let (id, number) = (
        theirs["id"].as_str().expect("id"),
        theirs["number"].as_str().expect("number"),
    );

    let (_, page) = app.get("/api/v1/tickets", &cast.tier1.token).await;
    assert_eq!(ids(&page), [ours["id"].as_str().expect("id")]);
    let (_, page) = app
        .get(
            &format!("/api/v1/tickets?unit_id={}", cast.disdik),
            &cast.tier1.token,
        )
        .await;
    assert_eq!(page["items"], json!([]));
    let (_, page) = app
        .get("/api/v1/tickets?q=printer", &cast.tier1.token)
        .await;
    assert_eq!(page["items"], json!([]));
    for path in [
        format!("/api/v1/tickets/{id}"),
        format!("/api/v1/tickets/{number}"),
        format!("/api/v1/tickets/{id}/events"),
        format!("/api/v1/tickets/{id}/comments"),
    ] {
        let (status, problem) = app.get(&path, &cast.tier1.token).await;
        assert_eq!(
            (status, &problem["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found")),
            "{path}"
        );
    }
    for (action, body) in [
        ("acknowledge", json!({})),
        ("escalate", json!({"reason": "x"})),
        ("cancel", json!({"reason": "x"})),
    ] {
        let (status, _) = app
            .post(
                &format!("/api/v1/tickets/{number}/{action}"),
                &cast.tier1.token,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            &cast.tier1.token,
            json!({"body": "halo"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &cast.tier1.token,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, unchanged) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1_other_pd.token)
        .await;
    assert_eq!(unchanged, theirs, "its own PD sees it, untouched");
}

async fn restricted_tickets_stay_with_those_entitled(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let breach = app
        .create_ticket(
            &cast.tier1.token,
            json!({"title": "Dugaan peretasan situs", "impact": "low", "urgency": "low", "security_incident": true}),
        )
        .await;
    assert_eq!(
        (&breach["classification"], &breach["priority"]),
        (&json!("restricted"), &json!("high"))
    );
    let public = app.create_ticket(&cast.tier1.token, json!({})).await;
    let path = format!("/api/v1/tickets/{}", breach["id"].as_str().expect("id"));

    for (who, token) in [
        ("tier1", &cast.tier1.token),
        ("tier2", &cast.tier2.token),
        ("auditor", &cast.auditor.token),
        ("admin", &app.admin_token),
    ] {
        assert_eq!(app.get(&path, token).await.0, StatusCode::OK, "{who}");
    }
    assert_eq!(
        app.get(&path, &cast.integration.token).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{path}/events"), &cast.integration.token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = app.get("/api/v1/tickets", &cast.integration.token).await;
    assert_eq!(ids(&page), [public["id"].as_str().expect("id")]);
    let (_, page) = app.get("/api/v1/tickets", &cast.auditor.token).await;
    assert_eq!(ids(&page).len(), 2);
}

async fn a_retry_with_the_same_idempotency_key_returns_the_first_ticket(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let send = |key: &'static str, body: Value| {
        let app = &app;
        let token = cast.tier1.token.clone();
        async move {
            read(
                app.client
                    .post(app.url("/api/v1/tickets"))
                    .bearer_auth(token)
                    .header("Idempotency-Key", key)
                    .json(&body)
                    .send()
                    .await
                    .expect("sent"),
            )
            .await
        }
    };
    let (first_status, first) = send("laporan-42", incident(json!({}))).await;
    let (again_status, again) = send("laporan-42", incident(json!({}))).await;
    assert_eq!(
        (first_status, again_status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.ticket_count().await, 1);

    let (status, problem) = send("laporan-42", incident(json!({"title": "Lain"}))).await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("idempotency_key_reused")
        )
    );
    assert_eq!(app.ticket_count().await, 1);

    let racing = (0..4).map(|_| send("serentak", incident(json!({"title": "Serentak"}))));
    let answers = futures::future::join_all(racing).await;
    let made: HashSet<&str> = answers
        .iter()
        .filter_map(|(_, t)| t["id"].as_str())
        .collect();
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::CREATED),
        "{answers:?}"
    );
    assert_eq!(made.len(), 1, "concurrent retries make one ticket");
    assert_eq!(app.ticket_count().await, 2);
}

async fn a_retry_shows_the_first_ticket_only_to_who_may_still_see_it(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let body = incident(json!({"title": "Printer bidang keuangan macet"}));
    let retry = || {
        let request = app
            .client
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&cast.tier1.token)
            .header("Idempotency-Key", "pindah-1")
            .json(&body);
        async move { read(request.send().await.expect("sent")).await }
    };
    let (status, first) = retry().await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let user = format!("/api/v1/users/{}", cast.tier1.id);
    let move_to = |unit: &str| app.patch(&user, &app.admin_token, json!({"unit_id": unit}));
    let (status, moved) = move_to(&cast.disdik).await;
    assert_eq!(status, StatusCode::OK, "{moved}");

    let (status, answer) = retry().await;
    assert_eq!(
        (status, &answer["code"]),
        (StatusCode::NOT_FOUND, &json!("not_found")),
        "{answer}"
    );
    let text = answer.to_string();
    for field in ["id", "number", "title"] {
        let value = first[field].as_str().expect("field");
        assert!(!text.contains(value), "the retry shows no {field}: {text}");
    }
    assert_eq!(app.ticket_count().await, 1, "nor makes another ticket");

    let (status, _) = move_to(&cast.dinkes).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = retry().await;
    assert_eq!(
        (status, &again["id"]),
        (StatusCode::CREATED, &first["id"]),
        "back in its PD, the retry is answered with the ticket again"
    );
}

async fn retries_racing_through_two_servers_make_one_ticket_each(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    // A second process of the service on the same database, as behind a load balancer.
    let second = servicedesk::app::Application::build(
        &app.storage.config(None),
        std::sync::Arc::new(servicedesk::clock::SystemClock),
    )
    .expect("second server");
    let second_base = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    for round in 0..10 {
        let key = format!("kunci-{round}");
        let sends = [app.base.clone(), second_base.clone()].map(|base| {
            let request = app
                .client
                .post(format!("{base}/api/v1/tickets"))
                .bearer_auth(&cast.tier1.token)
                .header("Idempotency-Key", key.clone())
                .json(&incident(json!({"title": format!("Balapan {round}")})));
            async move { read(request.send().await.expect("sent")).await }
        });
        let [(first_status, first), (second_status, other)] = futures::future::join_all(sends)
            .await
            .try_into()
            .expect("two answers");
        assert_eq!(
            (first_status, second_status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{first} {other}"
        );
        assert_eq!(first["id"], other["id"], "round {round}");
    }
    assert_eq!(app.ticket_count().await, 10);
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

async fn a_desk_filters_by_open_statuses_codes_and_itself(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
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
    let (fresh, worked, waiting, elsewhere) =
        (id(&fresh), id(&worked), id(&waiting), id(&elsewhere));
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

async fn edits_follow_the_priority_matrix_and_refuse_stale_versions(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id"));
    let edit = |body: Value, etag: &'static str| {
        let app = &app;
        let path = path.clone();
        let token = cast.tier1.token.clone();
        async move {
            read(
                app.client
                    .patch(app.url(&path))
                    .bearer_auth(token)
                    .header("If-Match", etag)
                    .json(&body)
                    .send()
                    .await
                    .expect("sent"),
            )
            .await
        }
    };
    let (status, edited) = edit(
        json!({"impact": "high", "urgency": "high", "assignee_id": cast.tier1_colleague.id}),
        "\"1\"",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        (
            &edited["priority"],
            &edited["version"],
            &edited["assignee_id"]
        ),
        (
            &json!("critical"),
            &json!(2),
            &json!(cast.tier1_colleague.id)
        )
    );
    let (status, problem) = edit(json!({"title": "Basi"}), "\"1\"").await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::PRECONDITION_FAILED,
            &json!("precondition_failed")
        )
    );
    let (_, current) = app.get(&path, &cast.tier1.token).await;
    assert_eq!(current, edited, "a stale edit changes nothing");
    let (_, events) = app.get(&format!("{path}/events"), &cast.tier1.token).await;
    let updated = events
        .as_array()
        .and_then(|e| e.iter().find(|e| e["type"] == "updated"))
        .expect("an updated event");
    assert_eq!(
        updated["data"]["priority"],
        json!({"from": "medium", "to": "critical"})
    );

    let (status, problem) = app
        .patch(
            &path,
            &cast.tier1.token,
            json!({"assignee_id": cast.tier1_other_pd.id}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("assignee_cannot_work_ticket")
        )
    );
    let escalated = app
        .act_saying(&cast.tier1.token, &ticket, "escalate", "Butuh akses server")
        .await;
    assert_eq!(
        app.patch(&path, &cast.tier1.token, json!({"title": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    app.act_saying(
        &cast.tier2.token,
        &escalated,
        "resolve",
        "Server dimulai ulang",
    )
    .await;
    let (status, problem) = app
        .patch(&path, &cast.tier2.token, json!({"title": "x"}))
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::CONFLICT, &json!("invalid_transition"))
    );
}

/// A malformed If-Match is a field at fault, named, and judged like the body after the token
/// and the role: it was answered 412 before the token was even read, and before a broken body.
async fn a_malformed_if_match_is_refused_naming_it_after_token_and_body(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");
    let send = |method: Method, path: String, token: Option<String>, body: Value| {
        let app = &app;
        async move {
            let mut request = app
                .client
                .request(method, app.url(&path))
                .header("If-Match", "versi-lama")
                .json(&body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            read(request.send().await.expect("sent")).await
        }
    };
    let token = Some(cast.tier1.token.clone());
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/tickets/{id}"),
            json!({"title": "Judul baru"}),
        ),
        (
            Method::POST,
            format!("/api/v1/tickets/{id}/acknowledge"),
            json!({}),
        ),
    ] {
        let (status, problem) =
            send(method.clone(), path.clone(), token.clone(), body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], "If-Match", "{problem}");
        let (status, _) = send(method.clone(), path.clone(), None, body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{path}: the token comes first"
        );
        let (status, problem) = send(method, path.clone(), token.clone(), json!([null])).await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("body")),
            "{path}: the body comes before If-Match"
        );
    }
    let (_, current) = app
        .get(&format!("/api/v1/tickets/{id}"), &cast.tier1.token)
        .await;
    assert_eq!(current, ticket, "nothing changed");
}

on_both_databases!(
    tier1_records_an_incident_for_its_own_pd,
    the_five_statutory_kinds_and_the_priority_matrix,
    numbers_have_no_gaps_under_eight_concurrent_clients,
    a_tier1_technician_never_sees_another_pds_tickets,
    restricted_tickets_stay_with_those_entitled,
    a_retry_with_the_same_idempotency_key_returns_the_first_ticket,
    a_retry_shows_the_first_ticket_only_to_who_may_still_see_it,
    retries_racing_through_two_servers_make_one_ticket_each,
    invalid_tickets_are_refused_and_nothing_is_written,
    pages_neither_repeat_nor_miss_while_tickets_arrive,
    lists_filter_and_search,
    a_desk_filters_by_open_statuses_codes_and_itself,
    query_parameters_keep_to_the_limits_of_the_contract,
    edits_follow_the_priority_matrix_and_refuse_stale_versions,
    a_malformed_if_match_is_refused_naming_it_after_token_and_body,
);
