//! No person and no internal comment reaches an integration; staff still see them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{RawStream, everything_an_integration_reads, id, mailed, mails_sent, nowhere};
use crate::on_both_databases;
use crate::support::{Backend, Cast, DOMAIN, TestApp};

/// Two public comments' worth of work on `official`, one of them internal, escalated and
/// resolved; `citizen` resolved; and their mail sent.
async fn work_both(
    app: &TestApp,
    cast: &Cast,
    official: &Value,
    citizen: &Value,
    comments: &str,
    secret: &str,
) {
    for (body, internal) in [("Sedang kami periksa", false), (secret, true)] {
        let (status, comment) = app
            .post(
                comments,
                &cast.tier1.token,
                json!({"body": body, "internal": internal}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{comment}");
        assert!(comment["author_name"].is_string(), "{comment}");
    }
    app.act_saying(
        &cast.tier1.token,
        official,
        "escalate",
        "Perlu akses server",
    )
    .await;
    app.act_saying(
        &cast.tier2.token,
        official,
        "resolve",
        "Layanan dijalankan ulang",
    )
    .await;
    app.act_saying(&cast.tier1.token, citizen, "resolve", "Sudah pulih")
        .await;
    // Created, escalated and resolved; created and resolved (to the PD, not the citizen).
    mails_sent(app, cast, &[(official, 3), (citizen, 2)]).await;
}

/// What staff may read and an integration may not: every address mailed, as staff see it, the
/// reporters' names and phones, and the internal comment.
fn personal_texts(staff_events: &[Vec<Value>], secret: &str) -> Vec<String> {
    let mut personal: Vec<String> = staff_events.iter().flat_map(|e| mailed(e)).collect();
    for who in [
        "teknisi.dinkes",
        "rekan.dinkes",
        "tier2",
        "dinkes",
        "diskominfo",
        "siti",
    ] {
        let address = format!("{who}@{DOMAIN}");
        assert!(
            personal.contains(&address),
            "staff see that {address} was mailed: {personal:?}"
        );
    }
    assert!(personal.contains(&"budi.warga@gmail.com".to_owned()));
    personal.extend(
        [
            "Siti Rahma",
            "+62 812-3456-7890",
            "Budi Warga",
            "0812 9999 0000",
            secret,
        ]
        .map(str::to_owned),
    );
    personal
}

/// Staff see who acted and wrote by name; an integration sees the ids only.
async fn names_for_staff_ids_for_integrations(
    app: &TestApp,
    cast: &Cast,
    comments: &str,
    staff_events: &[Value],
    (their_events, their_comments): (&[Value], &Value),
) {
    let (_, tier1) = app.get("/api/v1/auth/me", &cast.tier1.token).await;
    let (_, tier2) = app.get("/api/v1/auth/me", &cast.tier2.token).await;
    let named = |events: &[Value], kind: &str| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| e["actor_name"].clone())
            .collect()
    };
    assert_eq!(named(staff_events, "escalated"), [tier1["name"].clone()]);
    assert_eq!(named(staff_events, "resolved"), [tier2["name"].clone()]);
    assert!(
        staff_events
            .iter()
            .filter(|e| e["actor_id"].is_null())
            .all(|e| e["actor_name"].is_null()),
        "the SLA engine and the mailer are nobody"
    );
    let (_, staff_comments) = app.get(comments, &cast.tier2.token).await;
    let staff_comments = staff_comments.as_array().expect("comments");
    assert_eq!(staff_comments.len(), 2);
    assert!(
        staff_comments
            .iter()
            .all(|c| c["author_name"] == tier1["name"]),
        "{staff_comments:?}"
    );
    assert!(
        their_events
            .iter()
            .all(|e| e.get("actor_name").is_none_or(Value::is_null)),
        "{their_events:?}"
    );
    assert!(
        their_comments
            .as_array()
            .expect("comments")
            .iter()
            .all(|c| c.get("author_name").is_none_or(Value::is_null) && c["author_id"].is_string()),
        "{their_comments}"
    );
}

async fn an_integration_reads_no_person_nor_internal_comment(backend: Backend) {
    let (app, cast) = TestApp::spawn_driven(backend, None, &[]).await;
    let live = RawStream::open(&app, &cast.integration.token, None).await;
    let official = app.create_ticket(&cast.tier1.token, json!({})).await;
    let citizen_reporter =
        json!({"name": "Budi Warga", "email": "budi.warga@gmail.com", "phone": "0812 9999 0000"});
    let citizen = app
        .create_ticket(&cast.tier1.token, json!({"reporter": citizen_reporter}))
        .await;
    let comments = format!("/api/v1/tickets/{}/comments", id(&official));
    let secret = "Catatan internal: sandi router 4321";
    work_both(&app, &cast, &official, &citizen, &comments, secret).await;

    let staff_events = [
        app.ticket_events(&cast.auditor.token, &official).await,
        app.ticket_events(&cast.auditor.token, &citizen).await,
    ];
    let personal = personal_texts(&staff_events, secret);
    let (_, staff_view) = app
        .get(
            &format!("/api/v1/tickets/{}", id(&official)),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(
        staff_view["reporter"],
        json!({"name": "Siti Rahma", "email": format!("siti@{DOMAIN}"), "phone": "+62 812-3456-7890"}),
        "staff still see the reporter"
    );

    let answers = everything_an_integration_reads(&app, &cast, &[&official, &citizen], live).await;
    for text in &personal {
        nowhere(&answers, text);
    }
    nowhere(&answers, r#""internal":true"#);

    let (_, theirs) = app
        .get(
            &format!("/api/v1/tickets/{}", id(&official)),
            &cast.integration.token,
        )
        .await;
    assert_eq!(theirs["reporter"], Value::Null);
    assert_eq!(theirs["number"], official["number"]);
    let their_events = app.ticket_events(&cast.integration.token, &official).await;
    assert_eq!(
        their_events.len(),
        staff_events[0].len() - 1,
        "every event but the internal comment's"
    );
    let sent: Vec<&Value> = their_events
        .iter()
        .filter(|e| e["type"] == "notification_sent")
        .collect();
    assert_eq!(sent.len(), 3, "a mail went out, to nobody it names");
    assert!(sent.iter().all(|e| e["data"]["kind"].is_string()));
    let (_, their_comments) = app.get(&comments, &cast.integration.token).await;
    assert_eq!(their_comments.as_array().map(Vec::len), Some(1));

    let theirs = (&their_events[..], &their_comments);
    names_for_staff_ids_for_integrations(&app, &cast, &comments, &staff_events[0], theirs).await;
}

on_both_databases!(an_integration_reads_no_person_nor_internal_comment);
