//! Retries with an idempotency key: one ticket each, shown only to who may still see it.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp, incident, read};

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

on_both_databases!(
    a_retry_with_the_same_idempotency_key_returns_the_first_ticket,
    a_retry_shows_the_first_ticket_only_to_who_may_still_see_it,
    retries_racing_through_two_servers_make_one_ticket_each,
);
