//! SLA and availability reports against tickets worked through the API, as JSON and CSV.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::{Clock, ManualClock};

use crate::on_both_databases;
use crate::support::monday_morning;
use crate::support::{Backend, Cast, TestApp, read};

/// DINKES: A answered in 10 s and resolved in 120 s of business time (200 s pending do not
/// count); B never answered within 60 s, escalated, resolved in 400 s; the cancelled one left
/// out. DISDIK: C answered in 30 s, escalated by the SLA engine, resolved after 1,300 s against
/// 1,200.
fn business_time_figures_by_unit(report: &Value) {
    let row = |code: &str| {
        report["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["label"] == format!("Unit {code}")))
            .cloned()
            .unwrap_or_else(|| panic!("a row for {code}: {report}"))
    };
    let dinkes = row("DINKES");
    assert_eq!(
        [
            &dinkes["tickets"],
            &dinkes["resolved"],
            &dinkes["escalated"],
            &dinkes["breached"]
        ],
        [&json!(2), &json!(2), &json!(1), &json!(1)]
    );
    assert_eq!(dinkes["response_met_percent"], 50.0);
    assert_eq!(dinkes["resolution_met_percent"], 100.0);
    assert_eq!(dinkes["mean_time_to_resolve_seconds"], 260);
    let disdik = row("DISDIK");
    assert_eq!(disdik["response_met_percent"], 100.0);
    assert_eq!(disdik["resolution_met_percent"], 0.0);
    assert_eq!(disdik["mean_time_to_resolve_seconds"], 1300);
    assert_eq!(disdik["breached"], 1);
    assert_eq!(disdik["escalated"], 1);
}

/// The same report as CSV, for a supervisor who asks for it.
async fn the_csv_holds_the_same_figures(app: &TestApp, token: &str, period: &str) {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/reports/sla?{period}&group_by=unit")))
        .bearer_auth(token)
        .header("Accept", "text/csv")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let (_, csv) = read(response).await;
    let csv = csv.as_str().expect("text").to_owned();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "from,to,group_by,key,label,tickets,resolved,response_met_percent,\
         resolution_met_percent,mean_time_to_resolve_seconds,escalated,breached"
    );
    assert!(
        lines.iter().any(
            |l| l.starts_with("2026-11-23T00:00:00Z,2026-11-24T00:00:00Z,unit,")
                && l.ends_with(",\"Unit DINKES\",2,2,50.000,100.000,260,1,1")
        ),
        "{csv}"
    );
}

/// The report by priority is labelled in the region's words; an unknown grouping is refused,
/// and Tier 1 may not read the reports.
async fn other_groupings_and_readers(app: &TestApp, cast: &Cast, period: &str) {
    let (status, by_priority) = app
        .get(
            &format!("/api/v1/reports/sla?{period}&group_by=priority"),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_priority["rows"][0]["key"], "critical");
    assert_eq!(by_priority["rows"][0]["label"], "Kritis");
    let (status, problem) = app
        .get(
            &format!("/api/v1/reports/sla?{period}&group_by=kepala"),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "group_by");
    let (status, _) = app
        .get(&format!("/api/v1/reports/sla?{period}"), &cast.tier1.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn sla_figures_follow_the_tickets_in_business_time(backend: Backend) {
    let clock = Arc::new(ManualClock::new(monday_morning()));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock.clone()).await;
    let set = |seconds: i64| {
        clock.advance(monday_morning() + chrono::Duration::seconds(seconds) - clock.now())
    };
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 60, "tier1_seconds": 600, "resolution_seconds": 1200}),
    )
    .await;
    let (t1, other, t2) = (
        &cast.tier1.token,
        &cast.tier1_other_pd.token,
        &cast.tier2.token,
    );
    let a = app
        .create_ticket(t1, json!({"impact": "high", "urgency": "high"}))
        .await;
    let b = app.create_ticket(t1, json!({})).await;
    let c = app.create_ticket(other, json!({})).await;
    let d = app.create_ticket(t1, json!({})).await;
    set(1);
    app.act_saying(t1, &d, "cancel", "Ganda").await;
    set(5);
    app.act_saying(t1, &b, "escalate", "Perlu Tier 2").await;
    set(10);
    app.act(t1, &a, "acknowledge", json!({})).await;
    set(20);
    app.act_saying(t1, &a, "pend", "Menunggu suku cadang").await;
    set(30);
    app.act(other, &c, "acknowledge", json!({})).await;
    set(220);
    app.act(t1, &a, "resume", json!({})).await;
    set(320);
    app.act_saying(t1, &a, "resolve", "Diganti").await;
    set(400);
    app.act_saying(t2, &b, "resolve", "Dipulihkan").await;
    set(1300);
    // C's tier 1 window (600 s) ran out on the way: Tier 2 has it now.
    app.act_saying(t2, &c, "resolve", "Akhirnya").await;

    let period = "from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z";
    let (status, report) = app
        .get(
            &format!("/api/v1/reports/sla?{period}&group_by=unit"),
            &cast.integration.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    business_time_figures_by_unit(&report);

    the_csv_holds_the_same_figures(&app, &cast.supervisor.token, period).await;

    other_groupings_and_readers(&app, &cast, period).await;
}

async fn availability_report_lists_every_service(backend: Backend) {
    let clock = Arc::new(ManualClock::new(monday_morning()));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock).await;
    let id = crate::availability::service(&app, &cast).await;
    let id = id.as_str();
    app.post(
        &format!("/api/v1/services/{id}/outages"),
        &cast.tier2.token,
        json!({"started_at": "2026-11-10T08:00:00Z", "ended_at": "2026-11-10T09:00:00Z"}),
    )
    .await;
    let period = "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";
    let (status, report) = app
        .get(
            &format!("/api/v1/reports/availability?{period}"),
            &cast.integration.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let row = report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["service_id"] == id))
        .expect("the service's row");
    assert_eq!(row["downtime_seconds"], 3600);
    assert_eq!(row["code"], "SIMPEG");
    assert_eq!(row["met"], true);
    let (_, csv) = app
        .get(
            &format!("/api/v1/reports/availability?{period}&format=csv"),
            &cast.integration.token,
        )
        .await;
    let csv = csv.as_str().expect("text").to_owned();
    assert!(csv.starts_with("from,to,service_id,code,name,target_percent,availability_percent,"));
    assert!(
        csv.contains(&format!(
            ",\"{id}\",\"SIMPEG\",\"Kepegawaian\",99.500,99.861,3600,0,true,\n"
        )),
        "{csv}"
    );
}

/// The cells of a CSV body, as a spreadsheet would split them.
fn cells(csv: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|record| {
            record
                .expect("a CSV record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// A name a spreadsheet would run as a formula.
pub(crate) const FORMULA: &str = r#"=HYPERLINK("http://evil","klik")"#;

/// A PD named with `FORMULA`.
pub(crate) async fn formula_unit(app: &TestApp) -> Value {
    let (status, unit) = app
        .post(
            "/api/v1/units",
            &app.admin_token,
            json!({"code": "JAHAT", "name": FORMULA, "kind": "pd"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    unit
}

async fn csv_cells_with_names_never_start_a_formula(backend: Backend) {
    let clock = Arc::new(ManualClock::new(monday_morning()));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock).await;
    let (unit, formula) = (formula_unit(&app).await, FORMULA);
    let (status, service) = app
        .post(
            "/api/v1/services",
            &cast.supervisor.token,
            json!({"code": "SIMAK", "name": "@SUM(1;2)", "owner_unit_id": unit["id"],
                   "availability_target_percent": 99.5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    app.create_ticket(&cast.tier2.token, json!({"unit_id": unit["id"]}))
        .await;

    let (_, sla) = app
        .get(
            "/api/v1/reports/sla?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z\
             &group_by=unit&format=csv",
            &cast.integration.token,
        )
        .await;
    let sla = sla.as_str().expect("CSV").to_owned();
    let row = cells(&sla)
        .into_iter()
        .find(|row| row[3] == unit["id"].as_str().expect("id"))
        .unwrap_or_else(|| panic!("the unit's row: {sla}"));
    assert_eq!(row[4], format!("'{formula}"), "{sla}");
    assert!(
        sla.contains(r#","'=HYPERLINK(""http://evil"",""klik"")",1,0,"#),
        "the label is one quoted cell; the counts stay bare numbers: {sla}"
    );

    let (_, availability) = app
        .get(
            "/api/v1/reports/availability?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z\
             &format=csv",
            &cast.integration.token,
        )
        .await;
    let availability = availability.as_str().expect("CSV").to_owned();
    assert!(
        availability.contains(r#","SIMAK","'@SUM(1;2)",99.500,100.000,0,0,true,"#),
        "a `;` cannot split the cell where the spreadsheet separates by it: {availability}"
    );
}

on_both_databases!(
    sla_figures_follow_the_tickets_in_business_time,
    availability_report_lists_every_service,
    csv_cells_with_names_never_start_a_formula,
);
