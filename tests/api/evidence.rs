//! The month's evidence for the Inspektorat: one zip with the reports, the registers and the
//! trail's head, every file listed with its SHA-256.

use std::collections::BTreeMap;
use std::io::Read;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, TestApp, assert_refused_on, run_cli, said};

/// The files of a zip, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|index| {
            let mut file = zip.by_index(index).expect("entry");
            let name = file.name().expect("name").into_owned();
            let mut content = Vec::new();
            file.read_to_end(&mut content).expect("read");
            (name, content)
        })
        .collect()
}

/// The files of `month`'s evidence, as `token` gets it.
pub(crate) async fn fetch(app: &TestApp, token: &str, month: &str) -> BTreeMap<String, Vec<u8>> {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/audit/evidence?month={month}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    unzip(&response.bytes().await.expect("body"))
}

fn sha256(bytes: &[u8]) -> String {
    servicedesk::domain::digest::sha256_hex(bytes)
}

/// A ticket left past its targets in November: its breaches and its automatic escalation are
/// in the month's registers, the reports are there in both forms, the trail's head at the
/// month's end is the chain's head, and `SHA256SUMS` and the manifest name every file with its
/// SHA-256. Only auditors and admins get it; a month that is not `YYYY-MM` is refused.
async fn the_months_evidence_holds_what_an_auditor_checks(backend: Backend) {
    let (app, cast, clock) = TestApp::spawn_driven_on_monday(backend).await;
    app.expect_owed_mail();
    app.round_the_clock_policy(
        &cast.supervisor.token,
        json!({"response_seconds": 60, "tier1_seconds": 600, "resolution_seconds": 1200}),
    )
    .await;
    let ticket = app
        .create_ticket(
            &cast.tier1.token,
            json!({"impact": "high", "urgency": "high"}),
        )
        .await;
    clock.advance(chrono::Duration::seconds(1300));
    app.run_due_sla().await;
    let number = ticket["number"].as_str().expect("number");

    let (status, _) = app
        .get("/api/v1/audit/evidence?month=2026-11", &cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .get("/api/v1/audit/evidence?month=2026-13", &cast.auditor.token)
        .await;
    assert_refused_on(status, &problem, "month");

    let response = app
        .client
        .get(app.url("/api/v1/audit/evidence?month=2026-11"))
        .bearer_auth(&cast.auditor.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.contains("bukti-audit-2026-11.zip"))
    );
    let files = unzip(&response.bytes().await.expect("body"));

    let expected = [
        "laporan-sla-2026-11.csv",
        "laporan-sla-2026-11.xlsx",
        "laporan-ketersediaan-2026-11.csv",
        "laporan-ketersediaan-2026-11.xlsx",
        "register-pelanggaran-sla-2026-11.csv",
        "register-eskalasi-2026-11.csv",
        "rantai-audit.json",
        "register-pelanggaran-layanan-kritikal-2026-11.csv",
        "surat-komite-2026-11.csv",
        "penutupan-sementara-2026-11.csv",
        "supervisi-2026-11.csv",
    ];
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).expect("text");
    let listed: Vec<(&str, &str)> = sums
        .lines()
        .map(|line| line.split_once("  ").expect("sum  name"))
        .map(|(sum, name)| (name, sum))
        .collect();
    assert_eq!(
        listed.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        expected
    );
    for (name, sum) in &listed {
        assert_eq!(sha256(&files[*name]), *sum, "{name}");
    }
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("json");
    for entry in manifest["files"].as_array().expect("files") {
        let name = entry["file"].as_str().expect("file");
        assert_eq!(entry["sha256"], json!(sha256(&files[name])), "{name}");
    }

    let breaches =
        String::from_utf8(files["register-pelanggaran-sla-2026-11.csv"].clone()).expect("text");
    assert!(
        breaches.lines().skip(1).any(|line| line.contains(number)),
        "{breaches}"
    );
    let escalations =
        String::from_utf8(files["register-eskalasi-2026-11.csv"].clone()).expect("text");
    let escalation = escalations
        .lines()
        .skip(1)
        .find(|line| line.contains(number))
        .unwrap_or_else(|| panic!("{number} in {escalations}"));
    assert!(escalation.contains(",true,"), "{escalation}");

    let trail: Value = serde_json::from_slice(&files["rantai-audit.json"]).expect("json");
    assert_eq!(
        trail["month_complete"], false,
        "the clock stands in November: {trail}"
    );
    let (_, chain) = app.get("/api/v1/audit/verify", &cast.auditor.token).await;
    assert_eq!(trail["head_at_month_end"]["hash"], chain["head"], "{trail}");
    assert_eq!(
        manifest["trail_head_at_month_end"],
        trail["head_at_month_end"]
    );
    // Later, the auditor sets the recorded head beside the chain's link at its place.
    let seq = &trail["head_at_month_end"]["seq"];
    let (_, later) = app
        .get(
            &format!("/api/v1/audit/verify?seq={seq}"),
            &cast.auditor.token,
        )
        .await;
    assert_eq!(
        later["link"]["hash"], trail["head_at_month_end"]["hash"],
        "{later}"
    );

    // October, before the desk began, has empty registers and the empty trail's head.
    let october = app
        .send(
            reqwest::Method::GET,
            "/api/v1/audit/evidence?month=2026-10",
            Some(&cast.auditor.token),
            None,
        )
        .await;
    let october = unzip(&october.bytes().await.expect("body"));
    let lines = |name: &str| String::from_utf8_lossy(&october[name]).lines().count();
    assert_eq!(lines("register-pelanggaran-sla-2026-10.csv"), 1);
    assert_eq!(lines("register-eskalasi-2026-10.csv"), 1);
    let trail: Value = serde_json::from_slice(&october["rantai-audit.json"]).expect("json");
    assert_eq!(trail["head_at_month_end"]["seq"], 0, "{trail}");
    assert_eq!(trail["month_complete"], true, "{trail}");

    let output = app.storage.dir.path().join("bukti.zip");
    let cli = run_cli(
        &app.storage,
        None,
        &[
            "evidence",
            "--month",
            "2026-11",
            "--output",
            &output.to_string_lossy(),
        ],
        "",
    );
    assert!(cli.status.success(), "{}", said(&cli));
    let written = unzip(&std::fs::read(&output).expect("written"));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        files.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        written["register-eskalasi-2026-11.csv"],
        files["register-eskalasi-2026-11.csv"]
    );
}

on_both_databases!(the_months_evidence_holds_what_an_auditor_checks);
