#!/usr/bin/env bash
# README.md's commands in the order written, on a fresh directory, with what each promises
# checked: "Run it, test it" (the first command: the service on the embedded default), "A first
# walk through", then "A living desk". The shell blocks are taken from README.md itself, with
# the built binary in place of `cargo run --` (it is built once, before) and a free port in
# place of 8080; `scripts/test.sh` is not run from inside itself. jq and curl are installed from
# Debian when missing.
#
#   scripts/readme.sh [path/to/servicedesk]   (default target/debug/servicedesk)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath "${1:-target/debug/servicedesk}")
README=$PWD/README.md
RUN=$PWD/target/readme-run
for tool in jq curl; do
    command -v "$tool" >/dev/null || {
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
    }
done

# The fenced sh blocks under a README heading, one after the other.
blocks() {
    awk -v heading="## $1" '
        /^## / { inside = ($0 == heading) }
        inside && /^```sh$/ { block = 1; next }
        block && /^```$/ { block = 0; print "# --- end of block"; next }
        block { print }
    ' "$README"
}

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The commands as README writes them, run with the built binary on a free port.
as_run() {
    sed -e "s|cargo run --release -- |\"$BIN\" |g" -e "s|cargo run -- |\"$BIN\" |g" \
        -e "s|127.0.0.1:8080|127.0.0.1:$PORT|g" \
        -e "s|\"$BIN\" serve &|\"$BIN\" serve >>\"$RUN/server.log\" 2>\&1 \&|"
}

fail() {
    echo "README step failed: $*" >&2
    [ -f "$RUN/server.log" ] && tail -20 "$RUN/server.log" >&2
    exit 1
}

rm -rf "$RUN"
mkdir -p "$RUN"
cd "$RUN"
export SERVICEDESK_BIND=127.0.0.1:$PORT SERVICEDESK_LOG=warn
unset SERVICEDESK_DATA_DIR SERVICEDESK_DATABASE_URL SERVICEDESK_REGION_PRESET SERVICEDESK_SMTP_URL \
    SERVICEDESK_JWT_SECRET SERVICEDESK_MAIL_FROM

echo "==> README: Run it"
RUN_IT=$(blocks "Run it, test it" | grep -E '^cargo run -- serve' | as_run) ||
    fail "no 'cargo run -- serve' line under 'Run it, test it'"
eval "${RUN_IT%%#*} >>\"$RUN/server.log\" 2>&1 &"
FIRST=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || fail "the service did not become ready"
[ -f data/servicedesk.db ] || fail "no SQLite database under ./data"
kill "$FIRST"
wait "$FIRST" || true
echo "the service answered on the embedded default (./data/servicedesk.db)"

# The walk through and the living desk in one shell, as a newcomer types them, each block
# followed by the checks of what it promises.
{
    echo 'set -euo pipefail'
    blocks "A first walk through" | as_run | awk '
        /^# --- end of block/ { n++; print "check_walk_" n; next } { print }'
    blocks "A living desk" | as_run | sed 's|^# --- end of block|check_demo|'
} >"$RUN/readme-commands.sh"

cat >"$RUN/checks.sh" <<'CHECKS'
fail() { echo "README step failed: $*" >&2; tail -20 "$RUN/server.log" >&2; exit 1; }
check_walk_1() {
    [ -n "$TOKEN" ] && [ "$TOKEN" != null ] || fail "the admin's login gave no token"
    [ -n "$UNIT" ] && [ "$UNIT" != null ] || fail "the unit DINKES was not created"
    curl -s "$API/users?limit=200" -H "authorization: Bearer $TOKEN" |
        jq -e '.items | any(.email == "budi@tojounaunakab.go.id" and .role == "tier1")' >/dev/null ||
        fail "Budi was not created"
    printf "\n"; echo "walk through: admin signed in, DINKES and Budi created"
}
check_walk_2() {
    [ -n "$BUDI" ] && [ "$BUDI" != null ] || fail "Budi's login gave no token"
    local ticket
    ticket=$(curl -s "$API/tickets/$NUMBER" -H "authorization: Bearer $BUDI")
    echo "$ticket" | jq -e --arg n "SD-$(date -u +%Y)-000001" \
        '.number == $n and .priority == "high" and .tier == 2' >/dev/null ||
        fail "the ticket is not SD-<year>-000001, priority high, at tier 2: $ticket"
    printf "\n"; echo "walk through: $NUMBER recorded with priority high and escalated to tier 2"
}
check_demo() {
    local supervisor
    supervisor=$(curl -s "$API/auth/login" -H 'content-type: application/json' \
        -d '{"email":"supervisor@tojounaunakab.go.id","password":"demo-servicedesk"}' |
        jq -r .access_token)
    [ "$supervisor" != null ] || fail "the demo supervisor cannot sign in"
    curl -s "$API/tickets?limit=200" -H "authorization: Bearer $supervisor" |
        jq -e '.items | length == 200' >/dev/null || fail "the demo desk has no tickets"
    printf "\n"; echo "living desk: seeded after the walk through, its supervisor signs in and sees its tickets"
}
CHECKS

cd "$RUN"
# The last block leaves the demo's server running in the background: it is stopped after.
RUN=$RUN bash -c "source '$RUN/checks.sh'; source '$RUN/readme-commands.sh'; kill \$!" \
    >"$RUN/readme.log" 2>&1 || {
    cat "$RUN/readme.log" >&2
    fail "see above"
}
grep -E '^(walk through|living desk):' "$RUN/readme.log"
