//! Every operation of the contract, walked from the contract itself: each string of its body,
//! query and path gets a NUL, an over-long value and a value of the wrong type (a query
//! parameter also a value its schema does not list, and each with and without a token), and each body
//! goes with the wrong content type. Every answer must be a 4xx problem document naming the field
//! at fault, and the database must hold exactly what it held before. A new route is in the
//! contract, so it is in the sweep without anyone remembering it.

mod cases;
mod fixture;

use std::collections::BTreeMap;

use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use servicedesk::api::openapi::ApiDoc;
use utoipa::OpenApi;

use cases::{Case, cases};
use fixture::Fixture;

use crate::on_both_databases;
use crate::support::{Backend, Storage, TestApp, read};

/// Everything the database holds, table by table, as text: equal before and after means the
/// requests in between changed nothing.
fn fingerprint(storage: &Storage) -> BTreeMap<String, String> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let url = servicedesk::db::DatabaseUrl::parse(&storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    let mut query = |sql: String| -> Vec<String> {
        diesel::sql_query(&sql)
            .load::<Row>(&mut conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .into_iter()
            .map(|row| row.value)
            .collect()
    };
    let postgres = storage.pg.is_some();
    let tables = if postgres {
        query("SELECT tablename AS value FROM pg_tables WHERE schemaname = 'public'".into())
    } else {
        query("SELECT name AS value FROM sqlite_master WHERE type = 'table'".into())
    };
    tables
        .into_iter()
        .map(|table| {
            let rows = if postgres {
                format!(
                    "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') AS value \
                     FROM \"{table}\" t"
                )
            } else {
                let columns = query(format!(
                    "SELECT 'quote(\"' || name || '\")' AS value FROM pragma_table_info('{table}')"
                ))
                .join(" || ',' || ");
                format!(
                    "SELECT coalesce(group_concat(r, char(10)), '') AS value \
                     FROM (SELECT {columns} AS r FROM \"{table}\" ORDER BY 1)"
                )
            };
            let content = query(rows).concat();
            (table, content)
        })
        .collect()
}

/// What is wrong with the answer to `case`, if anything; `codes` are the contract's problem codes.
async fn judge(case: &Case, codes: &[Value], response: reqwest::Response) -> Option<String> {
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (_, problem) = read(response).await;
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    let wrong = if !status.is_client_error() {
        Some(format!("answered {status}"))
    } else if !content_type.starts_with("application/problem+json") {
        Some(format!("answered {status} as {content_type:?}"))
    } else if problem["status"] != status.as_u16() || !problem["code"].is_string() {
        Some(format!("answered {status} with a malformed problem"))
    } else if !codes.contains(&problem["code"]) {
        Some(format!(
            "answered {status} with a code the contract does not list"
        ))
    } else if case.status.is_some_and(|expected| expected != status) {
        Some(format!("answered {status}, not {:?}", case.status))
    } else if let Some(field) = &case.names {
        (status != StatusCode::UNPROCESSABLE_ENTITY || !named.contains(&field.as_str()))
            .then(|| format!("answered {status} naming {named:?}, not {field}"))
    } else {
        None
    };
    wrong.map(|wrong| {
        format!(
            "{} {} ({}{}): {wrong}: {problem}",
            case.method,
            case.path.chars().take(120).collect::<String>(),
            case.what,
            if case.anonymous { ", no token" } else { "" }
        )
    })
}

async fn every_operation_refuses_bad_input_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fixture = Fixture::make(&app).await;
    let spec = serde_json::to_value(ApiDoc::openapi()).expect("contract");
    let codes = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("the contract lists the problem codes")
        .clone();
    let mut failures = Vec::new();
    let mut sent = 0;
    for (template, operations) in spec["paths"].as_object().expect("paths") {
        for (method, op) in operations.as_object().expect("operations") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let before = fingerprint(&app.storage);
            for case in cases(&spec, &fixture, template, &method, op) {
                let mut request = app.client.request(case.method.clone(), app.url(&case.path));
                if let Some(token) = fixture
                    .token_for(&method, template)
                    .filter(|_| !case.anonymous)
                {
                    request = request.bearer_auth(token);
                }
                if let Some(content_type) = case.content_type {
                    request = request.header(reqwest::header::CONTENT_TYPE, content_type);
                }
                if let Some(body) = &case.body {
                    request = request.body(body.clone());
                }
                let response = request.send().await.expect("request sent");
                sent += 1;
                failures.extend(judge(&case, &codes, response).await);
            }
            let after = fingerprint(&app.storage);
            for (table, content) in &after {
                if before.get(table) != Some(content) {
                    failures.push(format!(
                        "{method} {template}: refused requests changed {table}"
                    ));
                }
            }
        }
    }
    assert!(
        sent > 400,
        "the sweep sent only {sent} requests; is the contract empty?"
    );
    assert!(
        failures.is_empty(),
        "{} of {sent} requests were not refused cleanly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

on_both_databases!(every_operation_refuses_bad_input_and_changes_nothing);
