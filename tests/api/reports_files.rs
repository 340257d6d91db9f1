//! The reports as files: CSV for machines with fixed decimals, and an Excel workbook for
//! officials, read back cell by cell against the JSON report.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::clock::ManualClock;

use crate::on_both_databases;
use crate::reports::{FORMULA, formula_unit};
use crate::reports_periods::service_with_outages;
use crate::support::monday_morning;
use crate::support::{Backend, Cast, TestApp, read};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A service with outages and tickets of two PDs, one resolved, so that the reports have
/// whole and empty figures.
/// The months an availability row names as over their downtime budget.
fn breach_months(row: &Value) -> Vec<&str> {
    row["budget_breaches"]
        .as_array()
        .expect("breaches")
        .iter()
        .filter_map(|b| b["month"].as_str())
        .collect()
}

async fn region_with_work(backend: Backend) -> (TestApp, Cast, String) {
    let clock = Arc::new(ManualClock::new(monday_morning()));
    let (app, cast) = TestApp::spawn_cast_on_clock(backend, clock.clone()).await;
    let service = service_with_outages(&app, &cast).await;
    let a = app
        .create_ticket(&cast.tier1.token, json!({"service_id": service}))
        .await;
    app.create_ticket(&cast.tier1_other_pd.token, json!({}))
        .await;
    app.create_ticket(&cast.tier1.token, json!({})).await;
    clock.advance(chrono::Duration::seconds(90));
    app.act(&cast.tier1.token, &a, "acknowledge", json!({}))
        .await;
    clock.advance(chrono::Duration::minutes(50));
    app.act_saying(&cast.tier1.token, &a, "resolve", "Dipulihkan")
        .await;
    (app, cast, service)
}

async fn download(app: &TestApp, path: &str, token: &str, accept: &str) -> reqwest::Response {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .header("Accept", accept)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

/// The workbook's only sheet, by name, after checking the headers that announce a file.
async fn sheet(response: reqwest::Response, name: &str, file: &str) -> Workbook {
    assert_eq!(response.headers()["content-type"], XLSX);
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"{file}\"")
    );
    let bytes = response.bytes().await.expect("body").to_vec();
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx workbook");
    assert_eq!(workbook.sheet_names(), [name]);
    let cells = workbook.worksheet_range(name).expect("the sheet");
    let styles = workbook.worksheet_style(name).expect("its styles");
    Workbook { cells, styles }
}

struct Workbook {
    cells: calamine::Range<Data>,
    styles: calamine::StyleRange,
}

impl Workbook {
    fn at(&self, row: u32, column: u32) -> Data {
        self.cells
            .get_value((row, column))
            .cloned()
            .unwrap_or(Data::Empty)
    }

    fn text(&self, row: u32, column: u32) -> String {
        match self.at(row, column) {
            Data::String(text) => text,
            // An empty text (no service's code) is an empty cell.
            Data::Empty => String::new(),
            other => panic!("({row}, {column}) holds {other:?}, not text"),
        }
    }

    /// A number cell, with its number format.
    fn number(&self, row: u32, column: u32) -> (f64, String) {
        let Data::Float(value) = self.at(row, column) else {
            panic!(
                "({row}, {column}) holds {:?}, not a number",
                self.at(row, column)
            );
        };
        let format = self
            .styles
            .get((row, column))
            .and_then(|style| style.number_format.as_ref())
            .map(|format| format.format_code.clone())
            .unwrap_or_default();
        (value, format)
    }

    fn headers(&self) -> Vec<String> {
        (0..self.cells.width() as u32)
            .map(|column| self.text(2, column))
            .collect()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

async fn the_availability_workbook_holds_the_json_figures_typed(backend: Backend) {
    let (app, cast, service) = region_with_work(backend).await;
    let token = &cast.integration.token;
    let path = "/api/v1/reports/availability?month=2026-11";
    let (_, report) = app.get(path, token).await;
    let by_format = download(&app, &format!("{path}&format=xlsx"), token, "*/*").await;
    let book = sheet(
        by_format,
        "Ketersediaan Layanan",
        "laporan-ketersediaan.xlsx",
    )
    .await;
    let by_accept = download(&app, path, token, XLSX).await;
    sheet(
        by_accept,
        "Ketersediaan Layanan",
        "laporan-ketersediaan.xlsx",
    )
    .await;

    assert_eq!(
        book.text(0, 0),
        "Laporan Ketersediaan Layanan — Kabupaten Tojo Una-Una — \
         01-11-2026 00:00 WITA s.d. 30-11-2026 23:59 WITA (Asia/Makassar)"
    );
    assert_eq!(
        book.headers(),
        [
            "Kode Layanan",
            "Layanan",
            "Target Ketersediaan",
            "Ketersediaan",
            "Waktu Henti Tak Terencana (jam)",
            "Pemeliharaan Terencana (jam)",
            "Memenuhi Target",
            "Bulan Melampaui Batas Waktu Henti",
        ]
    );
    let rows = report["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    for (row, json) in (3u32..).zip(rows) {
        assert_eq!(book.text(row, 0), json["code"].as_str().expect("code"));
        assert_eq!(book.text(row, 1), json["name"].as_str().expect("name"));
        let (target, format) = book.number(row, 2);
        assert!(close(
            target * 100.0,
            json["target_percent"].as_f64().expect("target")
        ));
        assert_eq!(format, "0.000%");
        let (availability, format) = book.number(row, 3);
        let expected = json["availability_percent"].as_f64().expect("percent");
        assert!(
            close(availability * 100.0, expected),
            "{availability} {expected}"
        );
        assert_eq!(format, "0.000%");
        let (hours, format) = book.number(row, 4);
        let downtime = json["downtime_seconds"].as_f64().expect("seconds");
        assert!(close(hours, downtime / 3600.0));
        assert_eq!(format, "0.00");
        let (planned, _) = book.number(row, 5);
        assert!(close(
            planned * 3600.0,
            json["planned_downtime_seconds"].as_f64().expect("s")
        ));
        assert_eq!(book.at(row, 6), Data::Bool(json["met"] == true));
        assert_eq!(book.text(row, 7), breach_months(json).join(", "));
    }
    let simpeg = rows
        .iter()
        .position(|r| r["service_id"] == service)
        .expect("the service's row") as u32;
    assert_eq!(
        book.number(3 + simpeg, 4).0,
        5.0,
        "five hours down in November"
    );
    assert_eq!(book.text(3 + simpeg, 7), "2026-11");
    assert_eq!(book.at(3 + simpeg, 6), Data::Bool(false));
}

/// The workbook's `row` holds the JSON row's figures, counts as numbers, rates as percentages
/// and the mean time in hours, an empty cell where the JSON has none.
fn row_holds_the_figures(book: &Workbook, row: u32, json: &Value) {
    assert_eq!(book.text(row, 0), json["code"].as_str().expect("code"));
    assert_eq!(book.text(row, 1), json["label"].as_str().expect("label"));
    for (column, field) in [
        (2, "tickets"),
        (3, "resolved"),
        (7, "escalated"),
        (8, "breached"),
    ] {
        let (value, _) = book.number(row, column);
        assert_eq!(Some(value), json[field].as_f64(), "{field}");
    }
    for (column, field) in [(4, "response_met_percent"), (5, "resolution_met_percent")] {
        match json[field].as_f64() {
            Some(percent) => {
                let (value, format) = book.number(row, column);
                assert!(close(value * 100.0, percent), "{field}");
                assert_eq!(format, "0.00%");
            }
            None => assert_eq!(book.at(row, column), Data::Empty, "{field}"),
        }
    }
    match json["mean_time_to_resolve_seconds"].as_f64() {
        Some(seconds) => {
            let (hours, format) = book.number(row, 6);
            assert!(close(hours * 3600.0, seconds));
            assert_eq!(format, "0.00");
        }
        None => assert_eq!(book.at(row, 6), Data::Empty),
    }
}

async fn the_sla_workbook_holds_the_json_figures_typed(backend: Backend) {
    let (app, cast, _) = region_with_work(backend).await;
    let token = &cast.integration.token;
    let (unit, formula) = (formula_unit(&app).await, FORMULA);
    app.create_ticket(&cast.tier2.token, json!({"unit_id": unit["id"]}))
        .await;
    for (group, code_header, name_header) in [
        ("unit", "Kode PD", "Perangkat Daerah"),
        ("service", "Kode Layanan", "Layanan"),
    ] {
        let path = format!("/api/v1/reports/sla?month=2026-11&group_by={group}");
        let (_, report) = app.get(&path, token).await;
        let response = download(&app, &format!("{path}&format=xlsx"), token, "*/*").await;
        let book = sheet(response, "Laporan SLA", "laporan-sla.xlsx").await;
        assert!(
            book.text(0, 0).starts_with("Laporan Kepatuhan SLA per ")
                && book
                    .text(0, 0)
                    .contains(" — Kabupaten Tojo Una-Una — 01-11-2026 00:00 WITA"),
            "{}",
            book.text(0, 0)
        );
        assert_eq!(
            book.headers(),
            [
                code_header,
                name_header,
                "Jumlah Tiket",
                "Selesai",
                "Respons Tepat Waktu",
                "Penyelesaian Tepat Waktu",
                "Rata-rata Waktu Penyelesaian (jam)",
                "Dieskalasi",
                "Melanggar SLA",
            ]
        );
        let rows = report["rows"].as_array().expect("rows");
        assert!(rows.len() >= 2, "{report}");
        for (row, json) in (3u32..).zip(rows) {
            row_holds_the_figures(&book, row, json);
        }
        if group == "unit" {
            assert!(
                rows.iter()
                    .any(|r| r["code"] == "DINKES" && r["resolved"] == 1)
            );
            let names: Vec<String> = (3..3 + rows.len() as u32)
                .map(|row| book.text(row, 1))
                .collect();
            assert!(
                names.iter().any(|name| name == formula),
                "a name that looks like a formula stays text: {names:?}"
            );
        }
    }
}

/// Each percentage cell of the CSV has exactly three decimals (or is empty when there is
/// none), and every figure is the JSON report's.
async fn csv_figures_have_fixed_decimals_and_equal_the_json(backend: Backend) {
    let (app, cast, _) = region_with_work(backend).await;
    let token = &cast.integration.token;
    let three_decimals = |cell: &str| {
        cell.split_once('.').is_some_and(|(whole, decimals)| {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && decimals.len() == 3
                && decimals.bytes().all(|b| b.is_ascii_digit())
        })
    };
    let percent = |json: &Value, cell: &str| match json.as_f64() {
        Some(value) => {
            assert!(three_decimals(cell), "{cell}");
            assert_eq!(cell, format!("{value:.3}"));
        }
        None => assert_eq!(cell, ""),
    };

    let path = "/api/v1/reports/availability?month=2026-11";
    let (_, report) = app.get(path, token).await;
    let (status, csv) =
        read(download(&app, &format!("{path}&format=csv"), token, "*/*").await).await;
    assert_eq!(status, StatusCode::OK);
    let table = cells(csv.as_str().expect("CSV"));
    assert_eq!(table[0].last().map(String::as_str), Some("budget_breaches"));
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(table.len(), rows.len() + 1);
    for (cells, json) in table[1..].iter().zip(rows) {
        assert_eq!(cells[0], "2026-10-31T16:00:00Z");
        assert_eq!(cells[1], "2026-11-30T16:00:00Z");
        assert_eq!(cells[2], json["service_id"].as_str().expect("id"));
        percent(&json["target_percent"], &cells[5]);
        percent(&json["availability_percent"], &cells[6]);
        assert_eq!(cells[7], json["downtime_seconds"].to_string());
        assert_eq!(cells[8], json["planned_downtime_seconds"].to_string());
        assert_eq!(cells[9], json["met"].to_string());
        assert_eq!(cells[10], breach_months(json).join(" "));
    }
    assert!(table.iter().any(|row| row[10] == "2026-11"), "{table:?}");

    let path = "/api/v1/reports/sla?month=2026-11&group_by=unit";
    let (_, report) = app.get(path, token).await;
    let (_, csv) = read(download(&app, path, token, "text/csv").await).await;
    let table = cells(csv.as_str().expect("CSV"));
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(table.len(), rows.len() + 1);
    for (cells, json) in table[1..].iter().zip(rows) {
        assert_eq!(cells[3], json["key"].as_str().expect("key"));
        assert_eq!(cells[5], json["tickets"].to_string());
        assert_eq!(cells[6], json["resolved"].to_string());
        percent(&json["response_met_percent"], &cells[7]);
        percent(&json["resolution_met_percent"], &cells[8]);
        let mean = &json["mean_time_to_resolve_seconds"];
        assert_eq!(
            cells[9],
            if mean.is_null() {
                String::new()
            } else {
                mean.to_string()
            }
        );
        assert_eq!(cells[10], json["escalated"].to_string());
        assert_eq!(cells[11], json["breached"].to_string());
    }
    assert!(
        table.iter().any(|row| row[7] == "100.000"),
        "a whole percentage keeps its decimals: {table:?}"
    );
}

fn cells(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|record| {
            record
                .expect("a record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

on_both_databases!(
    the_availability_workbook_holds_the_json_figures_typed,
    the_sla_workbook_holds_the_json_figures_typed,
    csv_figures_have_fixed_decimals_and_equal_the_json,
);
