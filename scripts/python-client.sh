#!/usr/bin/env bash
# A client generated from api-spec/openapi.yaml drives a ticket's whole life against a running
# server (scripts/python_client_test.py): openapi-python-client, installed from PyPI into a
# virtualenv under target/, generates the package; the server runs on a fresh SQLite database
# with a preset region and an admin made with the command line; the test makes the other
# accounts through the generated client.
#
#   scripts/python-client.sh [path/to/servicedesk]   (default target/debug/servicedesk)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath "${1:-target/debug/servicedesk}")
GENERATOR_VERSION=0.29.1
VENV=$PWD/target/python-client
RUN=$PWD/target/python-client-run

if [ ! -x "$VENV/bin/openapi-python-client" ] ||
    ! "$VENV/bin/openapi-python-client" --version | grep -q "$GENERATOR_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "openapi-python-client==$GENERATOR_VERSION"
fi

rm -rf "$RUN"
mkdir -p "$RUN"
# No formatter runs after generation (the default calls ruff, which is not installed). The
# generator knows no zip media type; the evidence zip is bytes to it, as it is to a client. Any
# other warning of the generator means a part of the contract it could not turn into code.
printf 'post_hooks: []\ncontent_type_overrides:\n  application/zip: application/octet-stream\n' \
    >"$RUN/generator.yaml"
"$VENV/bin/openapi-python-client" generate --path api-spec/openapi.yaml --meta none \
    --config "$RUN/generator.yaml" --output-path "$RUN/servicedesk_client" >"$RUN/generate.log" 2>&1 || {
    cat "$RUN/generate.log" >&2
    exit 1
}
if grep -qi "warning\|error" "$RUN/generate.log"; then
    echo "openapi-python-client could not generate all of the contract:" >&2
    cat "$RUN/generate.log" >&2
    exit 1
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SERVICEDESK_DATA_DIR=$RUN/data
export SERVICEDESK_BIND=127.0.0.1:$PORT
export SERVICEDESK_REGION_PRESET=tojo-una-una
export SERVICEDESK_LOG=warn
export SERVICEDESK_DOMAIN=tojounaunakab.go.id
SERVICEDESK_PASSWORD=$(head -c 24 /dev/urandom | base64)
export SERVICEDESK_PASSWORD
export SERVICEDESK_URL=http://127.0.0.1:$PORT

echo "$SERVICEDESK_PASSWORD" | "$BIN" create-admin --email "admin@$SERVICEDESK_DOMAIN" \
    --name "Admin" --password-stdin >/dev/null
"$BIN" serve >"$RUN/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$SERVICEDESK_URL/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

PYTHONPATH=$RUN "$VENV/bin/python" scripts/python_client_test.py || {
    echo "the generated client's test failed; the server's log:" >&2
    cat "$RUN/server.log" >&2
    exit 1
}
