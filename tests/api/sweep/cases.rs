//! The bad requests the sweep makes of each operation, from the contract's own schemas.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::fixture::{Fixture, text};

/// Longer than any text the desk takes, well inside the 1 MiB body limit.
const OVER_LONG_BODY: usize = 100_001;
/// Longer than any query value the desk takes, inside what an HTTP request line may carry.
const OVER_LONG_QUERY: usize = 5_000;

/// One request the sweep sends, and what a careful server answers to it.
pub(super) struct Case {
    pub(super) what: String,
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) content_type: Option<&'static str>,
    pub(super) body: Option<Vec<u8>>,
    /// The `errors[].field` the answer must name; `None` where no field is at fault (a
    /// content type) or the refusal may come before fields are read (an over-long body).
    pub(super) names: Option<String>,
    /// The answer a case without a field must give.
    pub(super) status: Option<StatusCode>,
    /// Sent without a token: a query or path problem is told whoever asks.
    pub(super) anonymous: bool,
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

/// Every bad request the sweep sends to one operation.
pub(super) fn cases(
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
        anonymous: false,
    };
    let mut out = parameter_cases(spec, fixture, template, &path, &parameters, &base);
    let Some((schema, example)) = &example else {
        return out;
    };
    out.extend(body_cases(spec, schema, example, &base));
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

/// Whether a schema lists its values (an `enum`, or a list of them).
fn lists_values(spec: &Value, schema: &Value) -> bool {
    let schema = resolve(spec, schema);
    schema["enum"].is_array() || resolve(spec, &schema["items"])["enum"].is_array()
}

/// A NUL in each path parameter; a NUL, a control character and a wrong, unlisted or
/// over-long value in each query parameter, the required others set right. Each is sent with
/// the operation's token and without one.
fn parameter_cases(
    spec: &Value,
    fixture: &Fixture,
    template: &str,
    path: &str,
    parameters: &[Value],
    base: &dyn Fn(String) -> Case,
) -> Vec<Case> {
    let mut out = Vec::new();
    for parameter in parameters {
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
                out.push(Case {
                    path: path.replacen(&original, &format!("{original}%00"), 1),
                    names: Some(name.clone()),
                    anonymous: true,
                    ..base(format!("NUL in path parameter {name}, without a token"))
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
                if lists_values(spec, &parameter["schema"]) {
                    bad.push(("unlisted", "not-a-listed-value".to_owned()));
                }
                let schema = resolve(spec, &parameter["schema"]);
                if let Some(max) = schema["maximum"].as_i64() {
                    bad.push(("above its maximum", (max + 1).to_string()));
                }
                if let Some(min) = schema["minimum"].as_i64() {
                    bad.push(("below its minimum", (min - 1).to_string()));
                }
                if schema["format"] == "date-time" {
                    bad.push(("not an instant", "kemarin".to_owned()));
                }
                if schema["pattern"].is_string() {
                    bad.push(("off its pattern", "x".to_owned()));
                }
                let others: String = parameters
                    .iter()
                    .filter(|p| p["in"] == "query" && p["required"] == true && p["name"] != name)
                    .map(|p| format!("{}={}&", text(&p["name"]), fixture.query_value(&p["name"])))
                    .collect();
                for (fault, value) in bad {
                    // Whether a cursor was given out is the list's to say, once it may answer.
                    let askers: &[bool] = if fault == "garbage" {
                        &[false]
                    } else {
                        &[false, true]
                    };
                    for &anonymous in askers {
                        out.push(Case {
                            path: format!("{path}?{others}{name}={value}"),
                            names: Some(name.clone()),
                            anonymous,
                            ..base(format!("{fault} in query parameter {name}"))
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A wrong type in each field of the example body, and a NUL, a control character and an
/// over-long value in each of its strings.
fn body_cases(
    spec: &Value,
    schema: &Value,
    example: &Value,
    base: &dyn Fn(String) -> Case,
) -> Vec<Case> {
    let mut out = Vec::new();
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
                body: Some(serde_json::to_vec(&body).expect("json")),
                // An over-long value may be refused whole by a length limit before its field is
                // read; every other fault names its field.
                names: (fault != "over-long").then(|| field.clone()),
                ..base(format!("{fault} in body field {field}"))
            });
        }
    }
    out
}
