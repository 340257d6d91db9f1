#!/usr/bin/env bash
# The API contract checked against a running server: schemathesis (installed from PyPI into a
# virtualenv under target/) generates requests from api-spec/openapi.yaml and runs every one of
# its checks (`--checks all`) on every answer, once as each kind of caller: a Tier 1 technician
# of a PD, a Tier 2 technician of the Dinas and an admin, so that what each role is refused is
# held to the contract too.
#
#   scripts/schemathesis.sh [path/to/servicedesk]   (default target/debug/servicedesk)
#
# The server runs on a fresh database seeded with the demo region. Settings:
#   SERVICEDESK_SCHEMATHESIS_SECONDS   time budget of all three runs together (default 180)
#   SERVICEDESK_SCHEMATHESIS_SEED      the seed (default 20261130)
#   SERVICEDESK_SCHEMATHESIS_DATABASE  sqlite (default) or postgres: a new database on the
#                                      PostgreSQL of scripts/postgres.sh, dropped at the end
# The longer hunt on PostgreSQL (README):
#   SERVICEDESK_SCHEMATHESIS_DATABASE=postgres SERVICEDESK_SCHEMATHESIS_SECONDS=900 scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath "${1:-target/debug/servicedesk}")
SCHEMATHESIS_VERSION=4.32.5
VENV=$PWD/target/schemathesis
RUN=$PWD/target/schemathesis-run
SECONDS_BUDGET=${SERVICEDESK_SCHEMATHESIS_SECONDS:-180}
SEED=${SERVICEDESK_SCHEMATHESIS_SEED:-20261130}
DATABASE=${SERVICEDESK_SCHEMATHESIS_DATABASE:-sqlite}

if [ ! -x "$VENV/bin/st" ] || ! "$VENV/bin/st" --version | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

rm -rf "$RUN"
mkdir -p "$RUN"
CLEANUP=()
cleanup() {
    local step
    for step in "${CLEANUP[@]}"; do eval "$step" || true; done
}
trap cleanup EXIT

case "$DATABASE" in
sqlite) ;;
postgres)
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    find_or_start_postgres
    # postgres.sh's own trap stops a private cluster it started; ours runs that step last.
    PRIVATE_PG_STOP=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
    trap cleanup EXIT
    DB_NAME="sdtest_schemathesis_$$"
    psql "$SERVICEDESK_TEST_POSTGRES_URL" -qtAc "CREATE DATABASE \"$DB_NAME\"" >/dev/null
    CLEANUP+=("psql \"\$SERVICEDESK_TEST_POSTGRES_URL\" -qtAc 'DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)' >/dev/null")
    [ "$PRIVATE_PG_STOP" = "cleanup" ] || CLEANUP+=("$PRIVATE_PG_STOP")
    SERVICEDESK_DATABASE_URL=$(python3 -c '
import sys, urllib.parse as u
url = u.urlsplit(sys.argv[1])
print(u.urlunsplit(url._replace(path="/" + sys.argv[2])))' "$SERVICEDESK_TEST_POSTGRES_URL" "$DB_NAME")
    export SERVICEDESK_DATABASE_URL
    ;;
*)
    echo "SERVICEDESK_SCHEMATHESIS_DATABASE must be sqlite or postgres, not $DATABASE" >&2
    exit 2
    ;;
esac

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SERVICEDESK_DATA_DIR=$RUN/data
export SERVICEDESK_BIND=127.0.0.1:$PORT
export SERVICEDESK_REGION_PRESET=tojo-una-una
export SERVICEDESK_LOG=warn
# Every token is taken before the first run (see below) and must outlive the longest hunt.
export SERVICEDESK_ACCESS_TOKEN_TTL=86400
DOMAIN=tojounaunakab.go.id
ADMIN_EMAIL=schemathesis@$DOMAIN
PASSWORD=$(head -c 24 /dev/urandom | base64)

"$BIN" seed-demo --tickets 200 >/dev/null
echo "$PASSWORD" | "$BIN" create-admin --email "$ADMIN_EMAIL" --name "Schemathesis" \
    --password-stdin >/dev/null
"$BIN" serve >"$RUN/server.log" 2>&1 &
SERVER=$!
CLEANUP=("kill $SERVER 2>/dev/null" "${CLEANUP[@]}")

BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
login() {
    curl -fsS "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json_field access_token
}
create_user() { # email role unit_id
    curl -fsS "$BASE/api/v1/users" -H "authorization: Bearer $ADMIN_TOKEN" \
        -H 'content-type: application/json' \
        -d "{\"email\":\"$1\",\"name\":\"Schemathesis $2\",\"password\":\"$PASSWORD\",\"role\":\"$2\",\"unit_id\":\"$3\"}" \
        >/dev/null
}
ADMIN_TOKEN=$(login "$ADMIN_EMAIL")
unit_of_kind() {
    curl -fsS "$BASE/api/v1/units?limit=200" -H "authorization: Bearer $ADMIN_TOKEN" |
        python3 -c 'import json, sys; print(next(u["id"] for u in json.load(sys.stdin)["items"] if u["kind"] == sys.argv[1]))' "$1"
}
PD_ID=$(unit_of_kind pd)
DINAS_ID=$(unit_of_kind dinas)
create_user "schemathesis.tier1@$DOMAIN" tier1 "$PD_ID"
create_user "schemathesis.tier2@$DOMAIN" tier2 "$DINAS_ID"
# The account that POST /auth/login is fuzzed with (schemathesis.toml pins the email): its
# wrong passwords lock only it, and the address-wide limit after 30 failures is reached only
# after every token below was taken, so no run loses its caller.
create_user "schemathesis.login@$DOMAIN" tier1 "$PD_ID"
TIER1_TOKEN=$(login "schemathesis.tier1@$DOMAIN")
TIER2_TOKEN=$(login "schemathesis.tier2@$DOMAIN")

# From inside the run's folder, where schemathesis and hypothesis keep their caches. The runs
# go from the least to the most powerful caller, so whatever the admin's run changes (it may
# deactivate accounts it made, revoke tokens) cannot take a later run's caller away.
SPEC=$PWD/api-spec/openapi.yaml
CONFIG=$PWD/scripts/schemathesis.toml
cd "$RUN"
FAILED=0
for caller in tier1 tier2 admin; do
    case $caller in
    tier1) token=$TIER1_TOKEN budget=$((SECONDS_BUDGET / 4)) ;;
    tier2) token=$TIER2_TOKEN budget=$((SECONDS_BUDGET / 4)) ;;
    admin) token=$ADMIN_TOKEN budget=$((SECONDS_BUDGET - 2 * (SECONDS_BUDGET / 4))) ;;
    esac
    printf '\n--- schemathesis as %s (%s s, seed %s, %s)\n' "$caller" "$budget" "$SEED" "$DATABASE"
    "$VENV/bin/st" --config-file "$CONFIG" run "$SPEC" --url "$BASE" \
        --header "Authorization: Bearer $token" \
        --checks all \
        --max-time "$budget" --seed "$SEED" --workers 1 \
        --report junit --report-dir "report-$caller" || FAILED=1
    if ! kill -0 "$SERVER" 2>/dev/null; then
        echo "the server died during the schemathesis run as $caller:" >&2
        cat "$RUN/server.log" >&2
        exit 1
    fi
done
exit "$FAILED"
