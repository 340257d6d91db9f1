#!/usr/bin/env bash
# The API contract checked against a running server: schemathesis (installed from PyPI into a
# virtualenv under target/) generates requests from api-spec/openapi.yaml and checks every answer
# for server errors and for status code, content type and response schema conformance.
#
#   scripts/schemathesis.sh [path/to/servicedesk]   (default target/debug/servicedesk)
#
# The server runs on SQLite under target/, seeded with the demo region, as an admin. Settings:
# SERVICEDESK_SCHEMATHESIS_SECONDS (time budget, default 120), SERVICEDESK_SCHEMATHESIS_SEED.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-$PWD/target/debug/servicedesk}
SCHEMATHESIS_VERSION=4.32.5
VENV=$PWD/target/schemathesis
RUN=$PWD/target/schemathesis-run
SECONDS_BUDGET=${SERVICEDESK_SCHEMATHESIS_SECONDS:-120}
SEED=${SERVICEDESK_SCHEMATHESIS_SEED:-20261130}

if [ ! -x "$VENV/bin/st" ] || ! "$VENV/bin/st" --version | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

rm -rf "$RUN"
mkdir -p "$RUN"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SERVICEDESK_DATA_DIR=$RUN/data
export SERVICEDESK_BIND=127.0.0.1:$PORT
export SERVICEDESK_REGION_PRESET=tojo-una-una
export SERVICEDESK_LOG=warn
ADMIN_EMAIL=schemathesis@tojounaunakab.go.id
ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64)

"$BIN" seed-demo --tickets 200 >/dev/null
echo "$ADMIN_PASSWORD" | "$BIN" create-admin --email "$ADMIN_EMAIL" --name "Schemathesis" \
    --password-stdin >/dev/null
"$BIN" serve >"$RUN/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT

BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
TOKEN=$(curl -fsS "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

# From inside the run's folder, where schemathesis and hypothesis keep their caches.
SPEC=$PWD/api-spec/openapi.yaml
cd "$RUN"
"$VENV/bin/st" run "$SPEC" --url "$BASE" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-time "$SECONDS_BUDGET" --seed "$SEED" --workers 1 \
    --report junit --report-dir report

if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "the server died during the schemathesis run:" >&2
    cat "$RUN/server.log" >&2
    exit 1
fi
