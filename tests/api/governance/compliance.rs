//! Tojo Una-Una and Kupang Pasal 46 (7) huruf a: every PD has an active Tier 1 appointed by
//! decree; the view lists those that do not, the dashboard shows them, and the Dinas
//! supervisors are mailed the list every week, once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on};

fn standing<'a>(compliance: &'a Value, unit: &str) -> &'a Value {
    compliance["pds"]
        .as_array()
        .expect("pds")
        .iter()
        .find(|pd| pd["unit_id"] == unit)
        .map(|pd| &pd["standing"])
        .unwrap_or_else(|| panic!("{unit} in {compliance}"))
}

async fn compliance_lists_pds_and_mails_supervisors_weekly(backend: Backend) {
    let (app, cast, clock) = TestApp::spawn_driven_on_monday(backend).await;
    app.set_governance(json!({"tier1_compliance_mail": true}))
        .await;
    let empty_pd = app.create_pd("BAPPEDA").await;
    let (status, _) = app
        .get(
            "/api/v1/governance/tier1-compliance",
            &cast.integration.token,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "names of staff are not an integration's"
    );
    let (status, compliance) = app
        .get("/api/v1/governance/tier1-compliance", &cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{compliance}");
    assert_eq!(standing(&compliance, &empty_pd), "no_tier1");
    assert_eq!(standing(&compliance, &cast.dinkes), "no_appointment");
    assert_eq!(
        compliance["pds"][0]["unit_id"],
        json!(empty_pd),
        "lacking first: {compliance}"
    );

    // The decree is stored on the Tier 1 account, for Tier 1 only.
    let (status, problem) = app
        .patch(
            &format!("/api/v1/users/{}", cast.tier1.id),
            &app.admin_token,
            json!({"appointment_number": "800/045/SK/2026"}),
        )
        .await;
    assert_refused_on(status, &problem, "appointment_date");
    let (status, problem) = app
        .patch(
            &format!("/api/v1/users/{}", cast.tier2.id),
            &app.admin_token,
            json!({"appointment_number": "800/1", "appointment_date": "2026-01-15"}),
        )
        .await;
    assert_refused_on(status, &problem, "appointment_number");
    let (status, user) = app
        .patch(
            &format!("/api/v1/users/{}", cast.tier1.id),
            &app.admin_token,
            json!({"appointment_number": "800/045/SK/2026", "appointment_date": "2026-01-15"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        (&user["appointment_number"], &user["appointment_date"]),
        (&json!("800/045/SK/2026"), &json!("2026-01-15"))
    );
    // A decree appoints to one PD: a technician moved to another PD leaves it behind.
    let (mover, _) = app
        .create_user(
            &format!("pindah@{}", crate::support::DOMAIN),
            "tier1",
            Some(&cast.dinkes),
        )
        .await;
    let appointed =
        json!({"appointment_number": "800/046/SK/2026", "appointment_date": "2026-01-15"});
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{mover}"),
            &app.admin_token,
            appointed,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, moved) = app
        .patch(
            &format!("/api/v1/users/{mover}"),
            &app.admin_token,
            json!({"unit_id": cast.disdik}),
        )
        .await;
    assert_eq!(moved["appointment_number"], Value::Null, "{moved}");
    let (_, compliance) = app
        .get("/api/v1/governance/tier1-compliance", &cast.auditor.token)
        .await;
    assert_eq!(
        standing(&compliance, &cast.dinkes),
        "compliant",
        "{compliance}"
    );
    assert_eq!(
        (
            &compliance["without_tier1"],
            &compliance["without_appointment"]
        ),
        (&json!(1), &json!(1))
    );

    let (_, summary) = app
        .get("/api/v1/dashboard/summary", &cast.integration.token)
        .await;
    assert_eq!(summary["governance"]["pds_without_tier1"], 1, "{summary}");
    let unit = |id: &str| {
        summary["by_unit"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["unit_id"] == id)
            .map(|u| u["tier1"].clone())
            .expect("unit")
    };
    assert_eq!(unit(&empty_pd), "no_tier1");
    assert_eq!(unit(&cast.dinkes), "compliant");

    // Monday 10:00 WITA: the week's mail goes once, to the supervisors.
    assert!(app.send_weekly_mail().await);
    assert!(!app.send_weekly_mail().await, "once a week");
    let mails = compliance_mails(&app, "2026-W48").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0]["to"]
            .as_array()
            .expect("to")
            .contains(&json!(format!("supervisor@{}", crate::support::DOMAIN)))
    );
    assert!(
        mails[0]["subject"]
            .as_str()
            .expect("subject")
            .contains("2026-W48"),
        "{}",
        mails[0]
    );
    app.dispatch_mail().await;
    let id = mails[0]["id"].as_str().expect("id");
    let mail = std::fs::read_to_string(app.storage.dir.path().join(format!("outbox/{id}.eml")))
        .expect("the mail as written");
    assert!(
        mail.contains("BAPPEDA") && mail.contains("DISDIK"),
        "{mail}"
    );
    assert!(
        !mail.contains("DINKES"),
        "a compliant PD is not listed: {mail}"
    );
    clock.advance(chrono::Duration::days(7));
    assert!(app.send_weekly_mail().await, "the next week's");
    app.set_governance(json!({"tier1_compliance_mail": false}))
        .await;
    clock.advance(chrono::Duration::days(7));
    assert!(!app.send_weekly_mail().await, "the region turned it off");
    app.dispatch_mail().await;
}

/// The compliance mails of `week`.
async fn compliance_mails(app: &TestApp, week: &str) -> Vec<Value> {
    let (status, page) = app
        .get("/api/v1/notifications?limit=200", &app.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|mail| mail["kind"] == "tier1_compliance")
        .filter(|mail| {
            mail["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with(&format!("[{week}]")))
        })
        .cloned()
        .collect()
}

on_both_databases!(compliance_lists_pds_and_mails_supervisors_weekly);
