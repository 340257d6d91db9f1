//! What a client learns of the moves it may make: `allowed_actions` on every ticket it reads,
//! `resolved_by`, refusals that say why, and one contract operation per move.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{ACTIONS, Backend, Member, TestApp, read};

fn moves(ticket: &Value) -> Vec<&str> {
    ticket["allowed_actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no allowed_actions in {ticket}"))
        .iter()
        .map(|a| a.as_str().expect("an action"))
        .collect()
}

async fn read_ticket(app: &TestApp, who: &Member, ticket: &Value) -> Value {
    let id = ticket["id"].as_str().expect("id");
    let (status, read) = app.get(&format!("/api/v1/tickets/{id}"), &who.token).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    read
}

async fn listed(app: &TestApp, who: &Member, ticket: &Value) -> Value {
    let (status, page) = app.get("/api/v1/tickets?limit=200", &who.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["id"] == ticket["id"])
        .cloned()
        .expect("the ticket is listed")
}

async fn every_ticket_names_the_moves_its_reader_may_make(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let created = app.create_ticket(&cast.tier1.token, json!({})).await;
    let open_at_tier1 = [
        "acknowledge",
        "assign",
        "pend",
        "escalate",
        "resolve",
        "cancel",
    ];
    assert_eq!(moves(&created), open_at_tier1, "the answer to the create");
    assert_eq!(created["resolved_by"], Value::Null);
    for (who, expected) in [
        (&cast.tier1, &open_at_tier1[..]),
        (&cast.tier1_colleague, &open_at_tier1[..]),
        // Tier 2 takes a tier-1 ticket over before it works it.
        (&cast.tier2, &["escalate"][..]),
        (&cast.supervisor, &["escalate"][..]),
        (&cast.auditor, &[][..]),
        (&cast.integration, &[][..]),
    ] {
        assert_eq!(moves(&read_ticket(&app, who, &created).await), expected);
        assert_eq!(moves(&listed(&app, who, &created).await), expected);
    }

    let resolved = app
        .act_saying(&cast.tier1.token, &created, "resolve", "Layanan dipulihkan")
        .await;
    assert_eq!(
        moves(&resolved),
        ["reopen", "close"],
        "the answer to the move"
    );
    let by_tier1 =
        json!({"id": cast.tier1.id, "name": format!("teknisi.dinkes@{}", crate::support::DOMAIN)});
    assert_eq!(resolved["resolved_by"], by_tier1);
    for who in [&cast.tier2, &cast.auditor] {
        assert_eq!(
            read_ticket(&app, who, &resolved).await["resolved_by"],
            by_tier1
        );
        assert_eq!(listed(&app, who, &resolved).await["resolved_by"], by_tier1);
    }
    // Integrations see no people: the id, not the name.
    let anonymous = json!({"id": cast.tier1.id, "name": null});
    assert_eq!(
        read_ticket(&app, &cast.integration, &resolved).await["resolved_by"],
        anonymous
    );
    assert_eq!(
        listed(&app, &cast.integration, &resolved).await["resolved_by"],
        anonymous
    );

    let reopened = app
        .act_saying(&cast.tier1.token, &resolved, "reopen", "Masih galat")
        .await;
    assert_eq!(
        reopened["resolved_by"],
        Value::Null,
        "reopened: nobody resolved it"
    );
    let escalated = app
        .act_saying(&cast.tier1.token, &reopened, "escalate", "Perlu Tier 2")
        .await;
    assert!(moves(&escalated).is_empty(), "Tier 1 has no move at tier 2");
    let resolved = app
        .act_saying(
            &cast.tier2.token,
            &escalated,
            "resolve",
            "Server dipulihkan",
        )
        .await;
    assert_eq!(
        listed(&app, &cast.tier1, &resolved).await["resolved_by"],
        json!({"id": cast.tier2.id, "name": format!("tier2@{}", crate::support::DOMAIN)}),
        "the last resolver"
    );
    let closed = app
        .act(&cast.tier2.token, &resolved, "close", json!({}))
        .await;
    assert!(
        moves(&closed).is_empty(),
        "a closed ticket has no move left"
    );
    assert_eq!(
        closed["resolved_by"]["id"], cast.tier2.id,
        "still who resolved it"
    );
}

async fn a_refused_move_says_why_and_what_is_possible(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let post = |token: String, action: &'static str, body: Value| {
        let app = &app;
        let path = format!("/api/v1/tickets/{id}/{action}");
        async move { app.post(&path, &token, body).await }
    };
    let (status, problem) = post(cast.tier1.token.clone(), "close", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "invalid_transition");
    assert_eq!(
        problem["allowed_actions"],
        json!([
            "acknowledge",
            "assign",
            "pend",
            "escalate",
            "resolve",
            "cancel"
        ])
    );
    assert_eq!(
        problem["detail"],
        "new ticket at tier 1: close is not possible; possible moves are acknowledge, assign, \
         pend, escalate, resolve, cancel"
    );

    for (who, token, action, body, why) in [
        (
            "integration",
            &cast.integration.token,
            "resolve",
            json!({"resolution": "x"}),
            "integration tokens may only read",
        ),
        (
            "auditor",
            &cast.auditor.token,
            "acknowledge",
            json!({}),
            "auditors may only read",
        ),
        (
            "tier2",
            &cast.tier2.token,
            "resolve",
            json!({"resolution": "x"}),
            "the ticket is at tier 1; Tier 2 takes it over with escalate before working it",
        ),
        (
            "tier1",
            &cast.tier1.token,
            "return",
            json!({"solution": "x"}),
            "only Tier 2 may return a ticket to Tier 1",
        ),
    ] {
        let (status, problem) = post(token.clone(), action, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {problem}");
        assert_eq!(
            (&problem["code"], &problem["detail"]),
            (&json!("forbidden"), &json!(why))
        );
        assert!(problem.get("allowed_actions").is_none(), "{problem}");
    }

    app.act_saying(&cast.tier1.token, &ticket, "escalate", "Perlu Tier 2")
        .await;
    let (status, problem) = post(
        cast.tier1.token.clone(),
        "resolve",
        json!({"resolution": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(
        problem["detail"],
        "the ticket is at tier 2 now; only Tier 2 staff may work it"
    );
    let (status, problem) = post(
        cast.tier1.token.clone(),
        "escalate",
        json!({"reason": "lagi"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["allowed_actions"], json!([]));
    assert_eq!(
        problem["detail"],
        "new ticket at tier 2: escalate is not possible; no move is possible for you"
    );
    let (status, problem) = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &cast.tier1.token,
            json!({"title": "Judul baru"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(
        problem["detail"],
        "the ticket is at tier 2 now; only Tier 2 staff may work it"
    );
}

async fn each_move_has_its_own_route_and_body(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let ticket = app.create_ticket(&cast.tier1.token, json!({})).await;
    let id = ticket["id"].as_str().expect("id");

    let (status, problem) = app
        .post(
            &format!("/api/v1/tickets/{id}/frobnicate"),
            &cast.tier1.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["code"], "not_found");

    app.assert_moves_need_their_fields(&cast.tier1.token, &ticket)
        .await;
    // A move without fields takes no body at all.
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/tickets/{id}/acknowledge"),
            Some(&cast.tier1.token),
            None,
        )
        .await;
    let (status, acknowledged) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{acknowledged}");
    assert_eq!(acknowledged["status"], "in_progress");
    assert_eq!(read_ticket(&app, &cast.tier1, &ticket).await["version"], 2);
}

/// The contract as a generator reads it from the running server: one operation per move, each
/// with its own body schema and required field, and pages that refer to their item's schema.
async fn the_contract_has_one_typed_operation_per_move(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, spec) = read(app.send(Method::GET, "/openapi.json", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    let paths = spec["paths"].as_object().expect("paths");
    assert!(
        paths.keys().all(|path| !path.contains("{action}")),
        "no operation takes the move as a parameter"
    );
    let schemas = &spec["components"]["schemas"];
    let mut bodies = std::collections::BTreeSet::new();
    for action in ACTIONS {
        let op = &spec["paths"][format!("/api/v1/tickets/{{id}}/{action}")]["post"];
        assert_eq!(op["operationId"], format!("{action}_ticket"));
        let mut name = action.to_owned();
        name[..1].make_ascii_uppercase();
        let schema_name = format!("{name}Request");
        let body = &op["requestBody"];
        assert_eq!(
            body["content"]["application/json"]["schema"]["$ref"],
            format!("#/components/schemas/{schema_name}"),
            "{action}"
        );
        let required = match action {
            "assign" => json!(["assignee_id"]),
            "pend" | "escalate" | "reopen" | "cancel" => json!(["reason"]),
            "return" => json!(["solution"]),
            "resolve" => json!(["resolution"]),
            _ => Value::Null,
        };
        let schema = &schemas[&schema_name];
        assert_eq!(schema["required"], required, "{schema_name}");
        if required.is_null() {
            assert_eq!(
                body["required"], false,
                "{action} may be sent without a body"
            );
            assert_eq!(
                schema["properties"],
                Value::Null,
                "{schema_name} has no fields"
            );
        } else {
            assert_eq!(body["required"], true, "{action}");
            let field = required[0].as_str().expect("field");
            assert_eq!(schema["properties"][field]["minLength"], 1, "{schema_name}");
            let longest = match field {
                "assignee_id" => 64,
                "reason" => 2_000,
                _ => 20_000,
            };
            assert_eq!(
                schema["properties"][field]["maxLength"], longest,
                "{schema_name}"
            );
        }
        for status in ["403", "409"] {
            assert!(
                op["responses"][status].is_object(),
                "{action} documents {status}"
            );
        }
        bodies.insert(schema_name);
    }
    assert_eq!(bodies.len(), ACTIONS.len(), "one body schema per move");
    assert!(
        schemas["TicketView"]["required"]
            .as_array()
            .expect("required")
            .contains(&json!("allowed_actions"))
    );
    assert!(schemas["Problem"]["properties"]["allowed_actions"].is_object());

    let mut pages = 0;
    for (name, schema) in schemas.as_object().expect("schemas") {
        if let Some(item) = name.strip_prefix("Page_") {
            assert_eq!(
                schema["properties"]["items"]["items"],
                json!({"$ref": format!("#/components/schemas/{item}")}),
                "{name} refers to its item"
            );
            assert!(schemas[item].is_object(), "{item} is a schema of its own");
            pages += 1;
        }
    }
    assert!(pages >= 7, "every list has its page schema");

    let update = &spec["paths"]["/api/v1/tickets/{id}"]["patch"];
    let if_match = update["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "If-Match")
        .expect("If-Match");
    assert_eq!(if_match["schema"]["$ref"], "#/components/schemas/IfMatch");
    assert_eq!(
        update["responses"]["200"]["headers"]["ETag"]["schema"]["$ref"],
        "#/components/schemas/EntityTag"
    );
    let hours = &schemas["WorkingHours"];
    assert_eq!(hours["additionalProperties"], false);
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let window = &hours["properties"][day]["items"];
        assert_eq!(
            (&window["minItems"], &window["maxItems"]),
            (&json!(2), &json!(2))
        );
        assert!(window["items"]["pattern"].is_string(), "{day}");
    }
    assert_eq!(
        schemas["CalendarInput"]["properties"]["working_hours"]["$ref"],
        "#/components/schemas/WorkingHours"
    );
}

on_both_databases!(
    every_ticket_names_the_moves_its_reader_may_make,
    a_refused_move_says_why_and_what_is_possible,
    each_move_has_its_own_route_and_body,
    the_contract_has_one_typed_operation_per_move,
);
