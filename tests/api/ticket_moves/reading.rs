//! The moves and the resolver each reader sees on a ticket.

use serde_json::{Value, json};

use super::{listed, moves, read_ticket};
use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp};

/// Staff see who resolved the ticket, by id and name; an integration by id only.
async fn each_reader_sees_who_resolved_it(
    app: &TestApp,
    cast: &Cast,
    resolved: &Value,
    by_tier1: &Value,
) {
    for who in [&cast.tier2, &cast.auditor] {
        assert_eq!(
            read_ticket(app, who, resolved).await["resolved_by"],
            *by_tier1
        );
        assert_eq!(listed(app, who, resolved).await["resolved_by"], *by_tier1);
    }
    // Integrations see no people: the id, not the name.
    let anonymous = json!({"id": cast.tier1.id, "name": null});
    assert_eq!(
        read_ticket(app, &cast.integration, resolved).await["resolved_by"],
        anonymous
    );
    assert_eq!(
        listed(app, &cast.integration, resolved).await["resolved_by"],
        anonymous
    );
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
    each_reader_sees_who_resolved_it(&app, &cast, &resolved, &by_tier1).await;

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

on_both_databases!(every_ticket_names_the_moves_its_reader_may_make,);
