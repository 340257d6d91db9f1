//! The contract's operation per move, its page schemas and its typed headers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{ACTIONS, Backend, TestApp, read};

/// Checks the operation of one move, its body schema and its answers; names the schema.
fn move_operation(spec: &Value, action: &str) -> String {
    let schemas = &spec["components"]["schemas"];
    let op = &spec["paths"][format!("/api/v1/tickets/{{id}}/{action}")]["post"];
    assert_eq!(op["operationId"], format!("{action}_ticket"));
    let mut name = action.to_owned();
    name[..1].make_ascii_uppercase();
    let schema_name = format!("{name}Request");
    let body = &op["requestBody"];
    assert_eq!(
        body["content"]["application/json"]["schema"]["$ref"],
        format!("#/components/schemas/{schema_name}"),
        "{action}"
    );
    let required = match action {
        "assign" => json!(["assignee_id"]),
        "pend" | "escalate" | "reopen" | "cancel" => json!(["reason"]),
        "return" => json!(["solution"]),
        "resolve" => json!(["resolution"]),
        _ => Value::Null,
    };
    let schema = &schemas[&schema_name];
    assert_eq!(schema["required"], required, "{schema_name}");
    if required.is_null() {
        assert_eq!(
            body["required"], false,
            "{action} may be sent without a body"
        );
        assert_eq!(
            schema["properties"],
            Value::Null,
            "{schema_name} has no fields"
        );
    } else {
        assert_eq!(body["required"], true, "{action}");
        let field = required[0].as_str().expect("field");
        assert_eq!(schema["properties"][field]["minLength"], 1, "{schema_name}");
        let longest = match field {
            "assignee_id" => 64,
            "reason" => 2_000,
            _ => 20_000,
        };
        assert_eq!(
            schema["properties"][field]["maxLength"], longest,
            "{schema_name}"
        );
    }
    for status in ["403", "409"] {
        assert!(
            op["responses"][status].is_object(),
            "{action} documents {status}"
        );
    }
    schema_name
}

/// The contract as a generator reads it from the running server: one operation per move, each
/// with its own body schema and required field, and pages that refer to their item's schema.
async fn the_contract_has_one_typed_operation_per_move(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, spec) = read(app.send(Method::GET, "/openapi.json", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    let paths = spec["paths"].as_object().expect("paths");
    assert!(
        paths.keys().all(|path| !path.contains("{action}")),
        "no operation takes the move as a parameter"
    );
    let schemas = &spec["components"]["schemas"];
    let mut bodies = std::collections::BTreeSet::new();
    for action in ACTIONS {
        bodies.insert(move_operation(&spec, action));
    }
    assert_eq!(bodies.len(), ACTIONS.len(), "one body schema per move");
    assert!(
        schemas["TicketView"]["required"]
            .as_array()
            .expect("required")
            .contains(&json!("allowed_actions"))
    );
    assert!(schemas["Problem"]["properties"]["allowed_actions"].is_object());

    let mut pages = 0;
    for (name, schema) in schemas.as_object().expect("schemas") {
        if let Some(item) = name.strip_prefix("Page_") {
            assert_eq!(
                schema["properties"]["items"]["items"],
                json!({"$ref": format!("#/components/schemas/{item}")}),
                "{name} refers to its item"
            );
            assert!(schemas[item].is_object(), "{item} is a schema of its own");
            pages += 1;
        }
    }
    assert!(pages >= 7, "every list has its page schema");

    let update = &spec["paths"]["/api/v1/tickets/{id}"]["patch"];
    let if_match = update["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "If-Match")
        .expect("If-Match");
    assert_eq!(if_match["schema"]["$ref"], "#/components/schemas/IfMatch");
    assert_eq!(
        update["responses"]["200"]["headers"]["ETag"]["schema"]["$ref"],
        "#/components/schemas/EntityTag"
    );
    let hours = &schemas["WorkingHours"];
    assert_eq!(hours["additionalProperties"], false);
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let window = &hours["properties"][day]["items"];
        assert_eq!(
            (&window["minItems"], &window["maxItems"]),
            (&json!(2), &json!(2))
        );
        assert!(window["items"]["pattern"].is_string(), "{day}");
    }
    assert_eq!(
        schemas["CalendarInput"]["properties"]["working_hours"]["$ref"],
        "#/components/schemas/WorkingHours"
    );
}

on_both_databases!(the_contract_has_one_typed_operation_per_move,);
