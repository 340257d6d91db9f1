#!/usr/bin/env bash
# HTTP load benchmark over loopback with wrk against the release build on one database:
# ticket creation by 8 concurrent clients, ticket reads by id, and filtered list pages with a
# million tickets present, then the server's peak RSS. Writes key=value figures for
# benches/run.sh to --figures FILE.
#
#   benches/http.sh --database postgres|sqlite [--tickets N] [--seconds S] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
TICKETS=1000000
SECONDS_EACH=10
FIGURES=/dev/null
read_options "DATABASE TICKETS SECONDS_EACH FIGURES" "$@"
PORT=18090
prepare sdbench_http wrk:wrk sqlite3:sqlite3

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
    for _ in $(seq 600); do
        [ "$(sql "$URL" "SELECT count(*) FROM notifications WHERE status = 'pending'")" = 0 ] && return
        sleep 0.5
    done
}

# Inserts TICKETS older tickets straight into the database, spread over the twelve demo PDs
# and over every status, tier and priority.
bulk_load() {
    local creator=$1 per_unit
    per_unit=$((TICKETS / 12))
    local units
    units=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/units?limit=200" -H "authorization: Bearer $ADMIN" \
        | python3 -c "import sys, json; print(' '.join(u['id'] for u in json.load(sys.stdin)['items'] if u['kind'] == 'pd'))")
    local u=0
    for unit in $units; do
        u=$((u + 1))
        if [ "$DATABASE" = postgres ]; then
            psql "$URL" -qc "INSERT INTO tickets (id, number, kind, title, description, status, priority, impact,
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
            sqlite3 "${URL#sqlite://}" "PRAGMA busy_timeout = 10000;
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
    if [ "$DATABASE" = postgres ]; then psql "$URL" -qc "ANALYZE"; else sqlite3 "${URL#sqlite://}" "ANALYZE" >/dev/null; fi
}

MAIL_DIR=$(mail_data_dir)
seed_database sdbench_http 24 "$MAIL_DIR"
start_server "$WORK/serve.log"
login() {
    curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"$1@tojounaunakab.go.id\",\"password\":\"demo-servicedesk\"}" | json_field "['access_token']"
}
ADMIN=$(login admin)
TIER1=$(login tier1.dinkes.1)
TIER2=$(login tier2.1)
CREATOR=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/me" -H "authorization: Bearer $TIER1" | json_field "['id']")

read -r create_rps create_p50 create_p99 < <(measure -s benches/wrk/create.lua \
    -H "authorization: Bearer $TIER1" "http://127.0.0.1:$PORT/api/v1/tickets")
drain_outbox
id=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/tickets?limit=1" -H "authorization: Bearer $TIER1" | json_field "['items'][0]['id']")
read -r read_rps read_p50 read_p99 < <(measure -H "authorization: Bearer $TIER1" \
    "http://127.0.0.1:$PORT/api/v1/tickets/$id")

started=$(date +%s)
bulk_load "$CREATOR"
echo "$DATABASE: $TICKETS tickets loaded in $(( $(date +%s) - started )) s" >&2
read -r list_pd_rps list_pd_p50 list_pd_p99 < <(measure -H "authorization: Bearer $TIER1" \
    "http://127.0.0.1:$PORT/api/v1/tickets?status=in_progress&limit=50")
read -r list_tier2_rps list_tier2_p50 list_tier2_p99 < <(measure -H "authorization: Bearer $TIER2" \
    "http://127.0.0.1:$PORT/api/v1/tickets?tier=2&status=in_progress&priority=high&limit=50")

figures "$FIGURES" "tickets=$TICKETS" "seconds=$SECONDS_EACH" \
    "create_rps=$create_rps" "create_p50=$create_p50" "create_p99=$create_p99" \
    "read_rps=$read_rps" "read_p50=$read_p50" "read_p99=$read_p99" \
    "list_pd_rps=$list_pd_rps" "list_pd_p50=$list_pd_p50" "list_pd_p99=$list_pd_p99" \
    "list_tier2_rps=$list_tier2_rps" "list_tier2_p50=$list_tier2_p50" "list_tier2_p99=$list_tier2_p99" \
    "rss_mib=$(peak_rss_mib)"
