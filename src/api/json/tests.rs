//! Unit tests of the JSON body reader.

use super::*;

#[derive(Debug, serde::Deserialize)]
struct Sample {
    name: String,
    count: i32,
    inner: Option<Inner>,
    items: Option<Vec<Inner>>,
}

#[derive(Debug, serde::Deserialize)]
struct Inner {
    kind: crate::domain::role::Role,
    label: String,
}

fn fields(json: &str) -> Vec<String> {
    match parse::<Sample>(json.as_bytes()) {
        Err(Refusal::Fields(errors)) => {
            let mut fields: Vec<String> = errors.into_iter().map(|e| e.field).collect();
            fields.sort();
            fields
        }
        other => panic!("not a field refusal: {other:?}"),
    }
}

#[test]
fn a_valid_body_parses() {
    let sample: Sample = parse(
        br#"{"name": "a\r\nb\tc", "count": 3, "inner": {"kind": "tier1", "label": "x"},
             "items": [{"kind": "tier2", "label": "y"}]}"#,
    )
    .expect("valid");
    assert_eq!((sample.name.as_str(), sample.count), ("a\r\nb\tc", 3));
    let kinds: Vec<_> = sample
        .inner
        .into_iter()
        .chain(sample.items.into_iter().flatten())
        .map(|inner| (inner.kind, inner.label))
        .collect();
    assert_eq!(
        kinds,
        [
            (crate::domain::role::Role::Tier1, "x".to_owned()),
            (crate::domain::role::Role::Tier2, "y".to_owned())
        ]
    );
}

#[test]
fn malformed_json_is_a_syntax_refusal() {
    for body in ["{\"name\": ", r#"{"name": "a", "count": 1} trailing"#, ""] {
        assert!(matches!(
            parse::<Sample>(body.as_bytes()),
            Err(Refusal::Syntax(_))
        ));
    }
}

#[test]
fn every_faulty_field_is_named_once() {
    assert_eq!(
        fields(r#"{"name": 7, "count": "three", "inner": {"kind": 1, "label": null}}"#),
        ["count", "inner.kind", "inner.label", "name"]
    );
    assert_eq!(fields(r#"{}"#), ["count", "name"]);
    assert_eq!(
        fields(r#"{"count": 1, "items": [{"kind": "root", "label": "a"}, {"kind": "tier1"}]}"#),
        ["items[0].kind", "items[1].label", "name"]
    );
    assert_eq!(fields("[1, 2]"), ["body"]);
    assert_eq!(fields("null"), ["body"]);
}

#[test]
fn whole_number_floats_are_integers() {
    let sample: Sample = parse(br#"{"name": "a", "count": 30.0}"#).expect("valid");
    assert_eq!(sample.count, 30);
    assert_eq!(fields(r#"{"name": "a", "count": 30.5}"#), ["count"]);
}

#[test]
fn control_characters_are_refused_but_line_breaks_are_not() {
    assert_eq!(fields("{\"name\": \"a\\u0000\", \"count\": 1}"), ["name"]);
    assert_eq!(fields("{\"name\": \"a\\rb\", \"count\": 1}"), ["name"]);
    assert_eq!(
        fields(
            "{\"name\": \"a\", \"count\": 1, \"inner\": {\"kind\": \"tier1\", \"label\": \"\\u007f\"}}"
        ),
        ["inner.label"]
    );
}

#[test]
fn a_body_of_countless_faults_names_the_first_fifty() {
    let items = vec!["\"\\u0000\""; 100_000].join(",");
    let named = fields(&format!("{{\"name\": [{items}], \"count\": \"x\"}}"));
    let mut first: Vec<String> = (0..MAX_REPORTED).map(|i| format!("name[{i}]")).collect();
    first.sort();
    assert_eq!(named, first);
}
