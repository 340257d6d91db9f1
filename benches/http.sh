#!/usr/bin/env bash
# HTTP load benchmark over loopback with wrk: ticket creation by 8 concurrent clients, ticket
# reads by id, and filtered list pages with a million tickets present, on PostgreSQL and on
# SQLite, against the release build. Prints a Markdown table; --out FILE also writes it.
#
#   benches/http.sh [--tickets N] [--seconds S] [--out bench/results.md]
#
# PostgreSQL comes from SERVICEDESK_BENCH_POSTGRES_URL (default the local server, without TLS
# as loopback needs none). Needs wrk and sqlite3 (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=1000000
SECONDS_EACH=10
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tickets) TICKETS=$2; shift 2 ;;
        --seconds) SECONDS_EACH=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
ADMIN_URL=${SERVICEDESK_BENCH_POSTGRES_URL:-postgres://${USER:-root}@127.0.0.1:5432/postgres?sslmode=disable}
PORT=18090
for tool in wrk sqlite3; do
    command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done
cargo build --release --quiet
BIN=$PWD/target/release/servicedesk
WORK=$(mktemp -d)
SERVER=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS sdbench WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

db_url() {
    case "$1" in
        postgres)
            local base=${ADMIN_URL%%\?*}
            echo "${base%/*}/sdbench${ADMIN_URL#"$base"}" ;;
        sqlite) echo "sqlite://$WORK/sqlite/bench.db" ;;
    esac
}

json_field() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

# Prints "requests/s p50 p99" of one wrk run; any non-2xx answer stops the benchmark.
measure() {
    local out
    out=$(wrk -t2 -c8 -d"${SECONDS_EACH}s" --latency "$@")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "wrk saw failed requests: $*" >&2
        echo "$out" >&2
        exit 1
    fi
    awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} END {print rps, p50, p99}' <<<"$out"
}

# Waits until the dispatcher has sent the mail the create run queued, so that the rows after
# it measure what they say and not the mail going out beside them.
drain_outbox() {
    local backend=$1 url=$2 pending
    for _ in $(seq 600); do
        if [ "$backend" = postgres ]; then
            pending=$(psql "$url" -qAt -c "SELECT count(*) FROM notifications WHERE status = 'pending'")
        else
            pending=$(sqlite3 -cmd ".timeout 10000" "${url#sqlite://}" "SELECT count(*) FROM notifications WHERE status = 'pending'")
        fi
        [ "$pending" = 0 ] && return
        sleep 0.5
    done
}

row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"; }

bulk_load() {
    local backend=$1 url=$2 creator=$3 per_unit
    per_unit=$((TICKETS / 12))
    local units
    units=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/units?limit=200" -H "authorization: Bearer $ADMIN" \
        | python3 -c "import sys, json; print(' '.join(u['id'] for u in json.load(sys.stdin)['items'] if u['kind'] == 'pd'))")
    local u=0
    for unit in $units; do
        u=$((u + 1))
        if [ "$backend" = postgres ]; then
            psql "$url" -qc "INSERT INTO tickets (id, number, kind, title, description, status, priority, impact,
                urgency, tier, unit_id, reporter_name, classification, security_incident, created_by,
                created_at, updated_at, version)
              SELECT '00000000-0000-7000-8' || lpad('$u', 3, '0') || '-' || lpad(n::text, 12, '0'),
                'SD-2025-' || lpad('$u', 2, '0') || lpad(n::text, 7, '0'), 'incident', 'Tiket lama ' || n,
                'Beban uji', (ARRAY['new','in_progress','pending','resolved','closed','cancelled'])[1 + n % 6],
                (ARRAY['critical','high','medium','low'])[1 + n % 4], 'medium', 'medium', 1 + n % 2, '$unit',
                'Penguji', 'public', false, '$creator', TIMESTAMP '2025-01-01' + n * INTERVAL '31 seconds',
                TIMESTAMP '2025-01-01' + n * INTERVAL '31 seconds', 1
              FROM generate_series(1, $per_unit) AS n"
        else
            sqlite3 "${url#sqlite://}" "PRAGMA busy_timeout = 10000;
              WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $per_unit)
              INSERT INTO tickets (id, number, kind, title, description, status, priority, impact,
                urgency, tier, unit_id, reporter_name, classification, security_incident, created_by,
                created_at, updated_at, version)
              SELECT printf('00000000-0000-7000-8%03d-%012d', $u, n), printf('SD-2025-%02d%07d', $u, n),
                'incident', 'Tiket lama ' || n, 'Beban uji',
                CASE n % 6 WHEN 0 THEN 'new' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'pending'
                  WHEN 3 THEN 'resolved' WHEN 4 THEN 'closed' ELSE 'cancelled' END,
                CASE n % 4 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END,
                'medium', 'medium', 1 + n % 2, '$unit', 'Penguji', 'public', 0, '$creator',
                strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (n * 31) || ' seconds'),
                strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (n * 31) || ' seconds'), 1
              FROM s" >/dev/null
        fi
    done
    if [ "$backend" = postgres ]; then psql "$url" -qc "ANALYZE"; else sqlite3 "${url#sqlite://}" "ANALYZE" >/dev/null; fi
}

{
row database operation "requests/s" "p50" "p99"
row --- --- --- --- ---
} >"$WORK/table"

for backend in postgres sqlite; do
    url=$(db_url "$backend")
    if [ "$backend" = postgres ]; then
        psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS sdbench WITH (FORCE)" -c "CREATE DATABASE sdbench" >/dev/null
    fi
    export SERVICEDESK_DATA_DIR="$WORK/$backend" SERVICEDESK_DATABASE_URL="$url" \
        SERVICEDESK_BIND="127.0.0.1:$PORT" SERVICEDESK_REGION_PRESET=tojo-una-una SERVICEDESK_LOG=warn
    "$BIN" seed-demo --tickets 24 >/dev/null
    "$BIN" serve >"$WORK/$backend.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
    login() {
        curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
            -d "{\"email\":\"$1@tojounaunakab.go.id\",\"password\":\"demo-servicedesk\"}" | json_field "['access_token']"
    }
    ADMIN=$(login admin)
    TIER1=$(login tier1.dinkes.1)
    TIER2=$(login tier2.1)
    CREATOR=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/me" -H "authorization: Bearer $TIER1" | json_field "['id']")

    read -r rps p50 p99 < <(measure -s benches/wrk/create.lua -H "authorization: Bearer $TIER1" \
        "http://127.0.0.1:$PORT/api/v1/tickets")
    row "$backend" "create ticket, 8 clients" "$rps" "$p50" "$p99" >>"$WORK/table"
    drain_outbox "$backend" "$url"
    id=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/tickets?limit=1" -H "authorization: Bearer $TIER1" | json_field "['items'][0]['id']")
    read -r rps p50 p99 < <(measure -H "authorization: Bearer $TIER1" "http://127.0.0.1:$PORT/api/v1/tickets/$id")
    row "$backend" "read ticket by id, 8 clients" "$rps" "$p50" "$p99" >>"$WORK/table"

    started=$(date +%s)
    bulk_load "$backend" "$url" "$CREATOR"
    echo "$backend: $TICKETS tickets loaded in $(( $(date +%s) - started )) s" >&2
    read -r rps p50 p99 < <(measure -H "authorization: Bearer $TIER1" \
        "http://127.0.0.1:$PORT/api/v1/tickets?status=in_progress&limit=50")
    row "$backend" "list: own PD + status, 50 of $TICKETS" "$rps" "$p50" "$p99" >>"$WORK/table"
    read -r rps p50 p99 < <(measure -H "authorization: Bearer $TIER2" \
        "http://127.0.0.1:$PORT/api/v1/tickets?tier=2&status=in_progress&priority=high&limit=50")
    row "$backend" "list: tier 2 + status + priority, 50 of $TICKETS" "$rps" "$p50" "$p99" >>"$WORK/table"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
done

cat "$WORK/table"
if [ -n "$OUT" ]; then
    mkdir -p "$(dirname "$OUT")"
    {
        echo "# Benchmark results"
        echo
        echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m);" \
             "release build; wrk -t2 -c8 for ${SECONDS_EACH} s per row over loopback; \`benches/http.sh\`."
        echo
        cat "$WORK/table"
    } >"$OUT"
fi
