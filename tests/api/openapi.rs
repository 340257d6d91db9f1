//! The checked-in contract must be what the code generates.

#[test]
fn the_checked_in_spec_matches_the_code() {
    let generated = servicedesk::api::openapi::yaml().expect("spec renders");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api-spec/openapi.yaml");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        generated == checked_in,
        "api-spec/openapi.yaml is stale: run `cargo run -- openapi > api-spec/openapi.yaml` and commit it"
    );
}
