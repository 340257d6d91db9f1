#!/usr/bin/env bash
# The one test command (README, .ci/run): formatting, lints, every test on SQLite and on
# PostgreSQL (the OpenAPI drift check among them; promtool and Alertmanager installed from Debian
# when missing), schemathesis against a running server, a ticket's life through a generated Python client,
# README.md's commands played in order (scripts/readme.sh), and the compose file's validation.
# PostgreSQL comes from SERVICEDESK_TEST_POSTGRES_URL, else the server on 127.0.0.1:5432 if it
# answers, else a private cluster started under target/. No PostgreSQL is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "PostgreSQL for the tests"
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
find_or_start_postgres
echo "using ${SERVICEDESK_TEST_POSTGRES_URL}"
drop_leftover_test_databases

step "promtool for the metrics test"
# tests/api/metrics.rs pipes /metrics into `promtool check metrics`; without it that test fails.
command -v promtool >/dev/null || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
promtool --version | head -1

step "Alertmanager for the monitoring tests"
# tests/api/alerts/alertmanager.rs runs a real Alertmanager delivering to the desk.
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
}
prometheus-alertmanager --version 2>/dev/null | head -1 || alertmanager --version | head -1

step "cargo nextest run (every test, both databases)"
cargo nextest run --no-fail-fast

step "schemathesis: api-spec/openapi.yaml against the running server"
cargo build --quiet --bin servicedesk
scripts/schemathesis.sh target/debug/servicedesk

step "a client generated from the contract drives a ticket's whole life"
scripts/python-client.sh target/debug/servicedesk

step "README.md's commands in order on a fresh directory"
scripts/readme.sh target/debug/servicedesk

step "docker-compose config (docker-compose.yml)"
command -v docker-compose >/dev/null || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
}
docker-compose --file docker-compose.yml config --quiet
echo "docker-compose.yml is valid"
