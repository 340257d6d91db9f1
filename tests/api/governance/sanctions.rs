//! Palangka Raya Pasal 28 (2)–(5): a service proposed critical by its PD and designated by the
//! Dinas; a missed resolution time on it registered; the Komite's letter citing it; the service
//! closed for a while, refusing tickets with its downtime planned, until the PD records the
//! repair.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::service_of;
use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on};

async fn step(app: &TestApp, token: &str, service: &str, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/services/{service}/criticality"),
        token,
        body,
    )
    .await
}

/// The whole flow, as the PD, the Dinas and the Inspektorat see it.
async fn the_sanction_flow_end_to_end(backend: Backend) {
    let (app, cast, clock) = TestApp::spawn_driven_on_monday(backend).await;
    app.expect_owed_mail();
    app.set_governance(json!({"critical_designation": true}))
        .await;
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 60, "tier1_seconds": 600, "resolution_seconds": 1200}),
    )
    .await;
    let supervisor = &cast.supervisor.token;

    // Critical only by designation.
    let (status, problem) = app
        .post(
            "/api/v1/services",
            supervisor,
            json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": cast.dinkes, "critical": true}),
        )
        .await;
    assert_refused_on(status, &problem, "critical");
    assert_eq!(problem["code"], "designation_required", "{problem}");
    let simpeg = service_of(&app, supervisor, "SIMPEG", &cast.dinkes).await;
    let ordinary = service_of(&app, supervisor, "SIPD", &cast.dinkes).await;

    let proposal = json!({"step": "proposed", "note": "Dipakai seluruh ASN setiap hari."});
    let (status, _) = step(&app, &cast.tier1_other_pd.token, &simpeg, proposal.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another PD's Tier 1");
    let (status, standing) = step(&app, &cast.tier1.token, &simpeg, proposal.clone()).await;
    assert_eq!(
        (status, &standing["state"]),
        (StatusCode::OK, &json!("proposed")),
        "{standing}"
    );
    let (status, problem) = step(&app, &cast.tier1.token, &simpeg, proposal).await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::CONFLICT, &json!("step_not_allowed"))
    );
    let designation = json!({"step": "designated", "note": "Disetujui.",
                             "decree_number": "555/001/DISKOMINFO/2026", "decree_date": "2026-11-20"});
    let (status, _) = step(&app, &cast.tier1.token, &simpeg, designation.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a PD does not designate");
    let (status, problem) = step(
        &app,
        supervisor,
        &simpeg,
        json!({"step": "designated", "note": "Disetujui.", "decree_date": "2026-11-20"}),
    )
    .await;
    assert_refused_on(status, &problem, "decree_number");
    let (status, problem) = step(
        &app,
        supervisor,
        &simpeg,
        json!({"step": "designated", "note": "x", "decree_number": "1", "decree_date": "2026-12-24"}),
    )
    .await;
    assert_refused_on(status, &problem, "decree_date");
    let (status, standing) = step(&app, supervisor, &simpeg, designation).await;
    assert_eq!(status, StatusCode::OK, "{standing}");
    assert_eq!(
        (&standing["critical"], &standing["state"]),
        (&json!(true), &json!("critical"))
    );
    let steps: Vec<&Value> = standing["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .collect();
    assert_eq!(steps.len(), 2, "{standing}");
    assert_eq!(steps[1]["decree_number"], "555/001/DISKOMINFO/2026");
    assert_eq!(steps[1]["taken_by"], json!(cast.supervisor.id));
    assert_eq!(steps[0]["taken_by"], json!(cast.tier1.id));
    let (status, problem) = app
        .patch(
            &format!("/api/v1/services/{simpeg}"),
            supervisor,
            json!({"critical": false}),
        )
        .await;
    assert_refused_on(status, &problem, "critical");

    // A missed resolution time on the critical service is registered; on the other, not.
    let late = app
        .create_ticket(
            &cast.tier1.token,
            json!({"service_id": simpeg, "impact": "high", "urgency": "high"}),
        )
        .await;
    app.create_ticket(&cast.tier1.token, json!({"service_id": ordinary}))
        .await;
    clock.advance(chrono::Duration::seconds(1300));
    app.run_due_sla().await;
    let (status, _) = app
        .get(
            "/api/v1/governance/breaches?month=2026-11",
            &cast.tier1.token,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "Tier 1 reads no register");
    let (status, register) = app
        .get(
            "/api/v1/governance/breaches?month=2026-11",
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{register}");
    let entries = register.as_array().expect("register");
    assert_eq!(entries.len(), 1, "{register}");
    assert_eq!(
        (&entries[0]["ticket_number"], &entries[0]["service_id"]),
        (&late["number"], &json!(simpeg))
    );
    let breach = entries[0]["id"].as_str().expect("breach id").to_owned();

    // The Komite's letter cites it, addressed to the Dinas.
    let letter = json!({"kind": "warning", "number": "005/KOMITE-TIK/XI/2026", "dated": "2026-11-23",
                        "service_id": simpeg, "breach_ids": [breach], "note": "Peringatan pertama."});
    let (status, problem) = app
        .post("/api/v1/governance/letters", supervisor,
              json!({"kind": "warning", "number": "006", "dated": "2026-11-23", "service_id": ordinary, "breach_ids": [breach]}))
        .await;
    assert_refused_on(status, &problem, "breach_ids[0]");
    let (status, recorded) = app
        .post("/api/v1/governance/letters", supervisor, letter.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert_eq!(recorded["addressee_unit_id"], json!(app.dinas_id().await));
    assert_eq!(recorded["breach_ids"], json!([breach]));
    // A number typed again in another case is the same number.
    let mut again = letter.clone();
    again["number"] = json!("005/komite-tik/xi/2026");
    for letter in [letter, again] {
        let (status, problem) = app
            .post("/api/v1/governance/letters", supervisor, letter)
            .await;
        assert_eq!(problem["code"], "letter_number_taken", "{status} {problem}");
    }
    let letter_id = recorded["id"].as_str().expect("letter id");

    // Closed for a while: no tickets, downtime planned.
    let closure = json!({"reason": "Menindaklanjuti surat peringatan.", "letter_id": letter_id});
    let (status, _) = app
        .post(
            &format!("/api/v1/services/{simpeg}/closure"),
            &cast.tier2.token,
            closure.clone(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the Dinas's supervisors close"
    );
    let (status, closed) = app
        .post(
            &format!("/api/v1/services/{simpeg}/closure"),
            supervisor,
            closure.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{closed}");
    let (status, problem) = app
        .post(
            &format!("/api/v1/services/{simpeg}/closure"),
            supervisor,
            closure,
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::CONFLICT, &json!("step_not_allowed"))
    );
    let (_, shown) = app
        .get(&format!("/api/v1/services/{simpeg}"), &cast.tier1.token)
        .await;
    assert_eq!(shown["closure"]["id"], closed["id"], "{shown}");
    let tickets_before = app.ticket_count().await;
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            &cast.tier1.token,
            crate::support::incident(json!({"service_id": simpeg})),
        )
        .await;
    assert_refused_on(status, &problem, "service_id");
    assert_eq!(problem["code"], "service_closed", "{problem}");
    assert_eq!(
        app.ticket_count().await,
        tickets_before,
        "a refused ticket is not written"
    );
    // Nor is a ticket moved onto it.
    let elsewhere = app.create_ticket(&cast.tier1.token, json!({})).await;
    let (status, problem) = app
        .patch(
            &format!("/api/v1/tickets/{}", elsewhere["id"].as_str().expect("id")),
            &cast.tier1.token,
            json!({"service_id": simpeg}),
        )
        .await;
    assert_refused_on(status, &problem, "service_id");
    assert_eq!(problem["code"], "service_closed", "{problem}");

    // Within the sign-ins' hour: the clock has moved 1,300 s already.
    clock.advance(chrono::Duration::minutes(30));
    let repair = json!({"note": "Server dipindah ke klaster baru; uji layanan berhasil."});
    let (status, _) = app
        .post(
            &format!("/api/v1/services/{simpeg}/repair"),
            &cast.tier1_other_pd.token,
            repair.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another PD does not repair");
    let (status, reopened) = app
        .post(
            &format!("/api/v1/services/{simpeg}/repair"),
            &cast.tier1.token,
            repair.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reopened}");
    assert!(reopened["reopened_at"].is_string(), "{reopened}");
    assert_eq!(reopened["repaired_by"], json!(cast.tier1.id));
    let (status, _) = app
        .post(
            &format!("/api/v1/services/{simpeg}/repair"),
            &cast.tier1.token,
            repair,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a service not closed");
    let (_, shown) = app
        .get(&format!("/api/v1/services/{simpeg}"), &cast.tier1.token)
        .await;
    assert_eq!(shown["closure"], Value::Null, "{shown}");
    app.create_ticket(&cast.tier1.token, json!({"service_id": simpeg}))
        .await;

    let (status, figures) = app
        .get(
            &format!("/api/v1/services/{simpeg}/availability?month=2026-11"),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(
        figures["downtime_seconds"], 0,
        "the closure is not an outage: {figures}"
    );
    assert_eq!(figures["planned_downtime_seconds"], 1800, "{figures}");

    // The month's evidence carries the register, the letter and the closure.
    let files = crate::evidence::fetch(&app, &cast.auditor.token, "2026-11").await;
    let text = |name: &str| String::from_utf8(files[name].clone()).expect("text");
    let number = late["number"].as_str().expect("number");
    assert!(text("register-pelanggaran-layanan-kritikal-2026-11.csv").contains(number));
    assert!(text("surat-komite-2026-11.csv").contains("005/KOMITE-TIK/XI/2026"));
    assert!(text("penutupan-sementara-2026-11.csv").contains(closed["id"].as_str().expect("id")));
}

/// A revocation by decree makes the service ordinary again; a declined proposal leaves it
/// ordinary and may be proposed again.
async fn designations_are_declined_and_revoked_by_the_dinas(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let supervisor = &cast.supervisor.token;
    let service = service_of(&app, supervisor, "SIMDA", &cast.dinkes).await;
    let propose = json!({"step": "proposed", "note": "Mohon ditetapkan."});
    step(&app, &cast.tier1.token, &service, propose.clone()).await;
    let (status, standing) = step(
        &app,
        supervisor,
        &service,
        json!({"step": "declined", "note": "Belum kritikal."}),
    )
    .await;
    assert_eq!(
        (status, &standing["state"]),
        (StatusCode::OK, &json!("ordinary")),
        "{standing}"
    );
    step(&app, &cast.tier1.token, &service, propose).await;
    let decree = |step: &str| json!({"step": step, "note": "SK", "decree_number": format!("SK-{step}"), "decree_date": "2026-01-05"});
    let (_, standing) = step(&app, supervisor, &service, decree("designated")).await;
    assert_eq!(standing["critical"], true, "{standing}");
    let (status, problem) = step(
        &app,
        supervisor,
        &service,
        json!({"step": "revoked", "note": "x"}),
    )
    .await;
    assert_refused_on(status, &problem, "decree_number");
    let (status, standing) = step(&app, supervisor, &service, decree("revoked")).await;
    assert_eq!(
        (status, &standing["critical"]),
        (StatusCode::OK, &json!(false)),
        "{standing}"
    );
    let (_, shown) = app
        .get(&format!("/api/v1/services/{service}"), &cast.tier1.token)
        .await;
    assert_eq!(shown["critical"], false);
    let (status, _) = app
        .get(
            &format!("/api/v1/services/{service}/criticality"),
            &cast.integration.token,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "decrees are staff's to read");
}

on_both_databases!(
    the_sanction_flow_end_to_end,
    designations_are_declined_and_revoked_by_the_dinas,
);
