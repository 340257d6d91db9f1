//! Every operation of the contract, walked from the contract itself: each string of its body,
//! query and path gets a NUL, an over-long value and a value of the wrong type, and each body
//! goes with the wrong content type. Every answer must be a 4xx problem document naming the field
//! at fault, and the database must hold exactly what it held before. A new route is in the
//! contract, so it is in the sweep without anyone remembering it.

use std::collections::BTreeMap;

use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use servicedesk::api::openapi::ApiDoc;
use utoipa::OpenApi;

use crate::on_both_databases;
use crate::support::{Backend, DOMAIN, Storage, TestApp, read};

/// Longer than any text the desk takes, well inside the 1 MiB body limit.
const OVER_LONG_BODY: usize = 100_001;
/// Longer than any query value the desk takes, inside what an HTTP request line may carry.
const OVER_LONG_QUERY: usize = 5_000;

/// One request the sweep sends, and what a careful server answers to it.
struct Case {
    what: String,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    /// The `errors[].field` the answer must name; `None` where no field is at fault (a
    /// content type) or the refusal may come before fields are read (an over-long body).
    names: Option<String>,
    /// The answer a case without a field must give.
    status: Option<StatusCode>,
}

/// Records that the sweep needs, made through the API, and the values standing for them in
/// paths and bodies.
struct Fixture {
    ids: BTreeMap<&'static str, String>,
    admin: String,
    supervisor: String,
    tier1: String,
}

impl Fixture {
    async fn make(app: &TestApp) -> Self {
        let pd = app.create_pd("SAPU").await;
        let dinas = app.dinas_id().await;
        let (tier1_id, tier1) = app
            .create_user(&format!("sapu.t1@{DOMAIN}"), "tier1", Some(&pd))
            .await;
        let (supervisor_id, supervisor) = app
            .create_user(&format!("sapu.spv@{DOMAIN}"), "supervisor", Some(&dinas))
            .await;
        let admin = app.admin_token.clone();
        let (_, integration) = app
            .post(
                "/api/v1/users",
                &admin,
                json!({"name": "Dasbor", "email": "dasbor@example.org", "role": "integration"}),
            )
            .await;
        let integration_id = text(&integration["id"]);
        let (_, token) = app
            .post(
                &format!("/api/v1/users/{integration_id}/tokens"),
                &admin,
                json!({"name": "dasbor"}),
            )
            .await;
        let first = |list: Value| text(&list["items"][0]["id"]);
        let calendar = first(app.get("/api/v1/calendars", &admin).await.1);
        let policy = first(app.get("/api/v1/sla-policies", &admin).await.1);
        let (status, service) = app
            .post(
                "/api/v1/services",
                &supervisor,
                json!({"code": "SAPU-SVC", "name": "Layanan Sapu", "owner_unit_id": dinas}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{service}");
        let service = text(&service["id"]);
        let (status, outage) = app
            .post(
                &format!("/api/v1/services/{service}/outages"),
                &supervisor,
                json!({"started_at": "2026-01-05T01:00:00Z"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{outage}");
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                &tier1,
                json!({"kind": "incident", "title": "Sapu", "description": "d",
                       "impact": "low", "urgency": "low", "reporter": {"name": "Sapu"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        let notification = first(app.get("/api/v1/notifications", &admin).await.1);
        // Mail still on its way would change the database under the sweep.
        for _ in 0..500 {
            let (_, pending) = app
                .get("/api/v1/notifications?status=pending", &admin)
                .await;
            if pending["items"].as_array().is_some_and(Vec::is_empty) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let ids = BTreeMap::from([
            ("unit", pd.clone()),
            ("unit_id", pd),
            ("owner_unit_id", dinas),
            ("user", tier1_id),
            ("integration_user", integration_id),
            ("assignee_id", supervisor_id),
            ("token", text(&token["id"])),
            ("calendar", calendar.clone()),
            ("calendar_id", calendar),
            ("policy", policy.clone()),
            ("sla_policy_id", policy),
            ("service", service.clone()),
            ("service_id", service),
            ("outage", text(&outage["id"])),
            ("ticket", text(&ticket["number"])),
            ("ticket_id", text(&ticket["id"])),
            ("notification", notification),
        ]);
        Self {
            ids,
            admin,
            supervisor,
            tier1,
        }
    }

    /// The token of a role that may do the operation, so that the answer is about the input.
    fn token_for(&self, path: &str) -> Option<&str> {
        if path == "/api/v1/auth/login" {
            return None;
        }
        let supervised = [
            "/api/v1/calendars",
            "/api/v1/sla-policies",
            "/api/v1/services",
        ];
        Some(if path.starts_with("/api/v1/tickets") {
            &self.tier1
        } else if supervised.iter().any(|prefix| path.starts_with(prefix)) {
            &self.supervisor
        } else {
            &self.admin
        })
    }

    /// The record a path parameter stands for in `template`.
    fn path_value(&self, template: &str, name: &str) -> String {
        let record = match (name, template) {
            ("oid", _) => "outage",
            (_, t) if t.starts_with("/api/v1/units/") => "unit",
            (_, t) if t.ends_with("/tokens") => "integration_user",
            (_, t) if t.starts_with("/api/v1/users/") => "user",
            (_, t) if t.starts_with("/api/v1/tokens/") => "token",
            (_, t) if t.starts_with("/api/v1/calendars/") => "calendar",
            (_, t) if t.starts_with("/api/v1/sla-policies/") => "policy",
            (_, t) if t.starts_with("/api/v1/services/") => "service",
            (_, t) if t.starts_with("/api/v1/tickets/") => "ticket",
            (_, t) if t.starts_with("/api/v1/notifications/") => "notification",
            _ => panic!("the sweep has no record for {name} in {template}; add one"),
        };
        self.ids[record].clone()
    }

    /// A valid value for a required query parameter, so that the answer is about the one
    /// parameter at fault.
    fn query_value(&self, name: &Value) -> String {
        match name.as_str() {
            Some("from") => "2026-01-01T00:00:00Z".into(),
            Some("to") => "2026-02-01T00:00:00Z".into(),
            Some("entity") => "ticket".into(),
            Some("entity_id") => self.ids["ticket_id"].clone(),
            _ => panic!("the sweep has no value for the required query parameter {name}"),
        }
    }

    /// The contract's example body with its ids replaced by the fixture's, so that the body
    /// would be accepted but for the one fault each case puts in.
    fn localise(&self, value: &mut Value) {
        match value {
            Value::Object(members) => {
                for (name, member) in members.iter_mut() {
                    match self.ids.get(name.as_str()) {
                        Some(id) if member.is_string() => *member = json!(id),
                        _ => self.localise(member),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.localise(item)),
            _ => {}
        }
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected text, got {value}"))
        .to_owned()
}

/// Follows `$ref`s, and takes the non-null branch of a nullable `oneOf`.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return resolve(spec, &spec["components"]["schemas"][name]);
    }
    if let Some(branches) = schema["oneOf"].as_array()
        && let Some(branch) = branches.iter().find(|b| b["type"] != "null")
    {
        return resolve(spec, branch);
    }
    schema
}

/// The JSON type a schema asks for, ignoring `null`.
fn json_type(schema: &Value) -> &str {
    match &schema["type"] {
        Value::String(kind) => kind,
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .unwrap_or("string"),
        _ if schema["properties"].is_object() => "object",
        _ => "string",
    }
}

/// A value no schema of `kind` accepts.
fn wrong_type(kind: &str) -> Value {
    match kind {
        "string" => json!(12345),
        "integer" | "number" => json!("not a number"),
        "boolean" => json!("not a boolean"),
        _ => json!(7),
    }
}

/// Every leaf and member of an example body, with its JSON path and schema.
fn fields<'a>(
    spec: &'a Value,
    schema: &'a Value,
    example: &Value,
    path: &str,
    out: &mut Vec<(String, &'a Value)>,
) {
    let schema = resolve(spec, schema);
    match example {
        Value::Object(members) => {
            for (name, member) in members {
                let Some(member_schema) = schema["properties"].get(name) else {
                    continue;
                };
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                out.push((at.clone(), resolve(spec, member_schema)));
                fields(spec, member_schema, member, &at, out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                let at = format!("{path}[0]");
                let item_schema = resolve(spec, &schema["items"]);
                if !first.is_object() {
                    out.push((at.clone(), item_schema));
                }
                fields(spec, item_schema, first, &at, out);
            }
        }
        _ => {}
    }
}

/// Sets the member at a path made by `fields`.
fn set(body: &mut Value, path: &str, value: Value) {
    let mut target = body;
    for step in path.split('.') {
        let (name, index) = match step.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (step, None),
        };
        target = &mut target[name];
        if let Some(index) = index {
            target = &mut target[index];
        }
    }
    *target = value;
}

fn cases(
    spec: &Value,
    fixture: &Fixture,
    template: &str,
    method: &Method,
    op: &Value,
) -> Vec<Case> {
    let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
    let mut path = template.to_owned();
    for parameter in parameters.iter().filter(|p| p["in"] == "path") {
        let name = text(&parameter["name"]);
        path = path.replace(&format!("{{{name}}}"), &fixture.path_value(template, &name));
    }
    let example = op["requestBody"]["content"]["application/json"]["schema"]
        .as_object()
        .map(|_| {
            let schema = resolve(
                spec,
                &op["requestBody"]["content"]["application/json"]["schema"],
            );
            let mut example = schema["examples"][0].clone();
            fixture.localise(&mut example);
            (schema, example)
        });
    let encoded = |body: &Value| serde_json::to_vec(body).expect("json");
    let base = |what: String| Case {
        what,
        method: method.clone(),
        path: path.clone(),
        content_type: example.as_ref().map(|_| "application/json"),
        body: example.as_ref().map(|(_, e)| encoded(e)),
        names: None,
        status: None,
    };
    let mut out = Vec::new();
    for parameter in &parameters {
        let name = text(&parameter["name"]);
        let kind = json_type(resolve(spec, &parameter["schema"])).to_owned();
        match parameter["in"].as_str() {
            Some("path") => {
                let original = fixture.path_value(template, &name);
                out.push(Case {
                    path: path.replacen(&original, &format!("{original}%00"), 1),
                    names: Some(name.clone()),
                    ..base(format!("NUL in path parameter {name}"))
                });
            }
            Some("query") => {
                let mut bad = vec![
                    ("NUL", "a%00b".to_owned()),
                    ("control character", "a%01b".to_owned()),
                ];
                if kind == "string" {
                    bad.push(("over-long", "x".repeat(OVER_LONG_QUERY)));
                } else {
                    bad.push(("wrong type", "not-a-value".to_owned()));
                }
                if name == "cursor" {
                    bad.push(("garbage", "garbage".to_owned()));
                }
                let others: String = parameters
                    .iter()
                    .filter(|p| p["in"] == "query" && p["required"] == true && p["name"] != name)
                    .map(|p| format!("{}={}&", text(&p["name"]), fixture.query_value(&p["name"])))
                    .collect();
                for (fault, value) in bad {
                    out.push(Case {
                        path: format!("{path}?{others}{name}={value}"),
                        names: Some(name.clone()),
                        ..base(format!("{fault} in query parameter {name}"))
                    });
                }
            }
            _ => {}
        }
    }
    let Some((schema, example)) = &example else {
        return out;
    };
    let mut leaves = Vec::new();
    fields(spec, schema, example, "", &mut leaves);
    for (field, leaf) in leaves {
        let kind = json_type(leaf);
        let mut faults = vec![("wrong type", wrong_type(kind))];
        if kind == "string" {
            faults.push(("NUL", json!("a\u{0}b")));
            faults.push(("control character", json!("a\u{1b}[31mb")));
            faults.push(("over-long", json!("x".repeat(OVER_LONG_BODY))));
        }
        for (fault, value) in faults {
            let mut body = example.clone();
            set(&mut body, &field, value);
            out.push(Case {
                body: Some(encoded(&body)),
                // An over-long value may be refused whole by a length limit before its field is
                // read; every other fault names its field.
                names: (fault != "over-long").then(|| field.clone()),
                ..base(format!("{fault} in body field {field}"))
            });
        }
    }
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        out.push(Case {
            content_type,
            status: Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            ..base(format!("body sent as {content_type:?}"))
        });
    }
    out
}

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
            "{} {} ({}): {wrong}: {problem}",
            case.method,
            case.path.chars().take(120).collect::<String>(),
            case.what
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
                if let Some(token) = fixture.token_for(template) {
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
