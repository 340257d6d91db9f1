#!/usr/bin/env bash
# SLA engine benchmark on PostgreSQL, against the release build with the default tick (1 s):
#
# 1. idle cost: the server's CPU time over a quiet minute with 1,000 open tickets, then with
#    100,000 (their SLA instants days away);
# 2. lateness: N more tickets come due over the next minute and a half (a response warning,
#    a response breach, a tier-1 warning, a tier-1 breach with automatic escalation each);
#    how long after its due instant each alert was recorded, p50/p99/max, and that each was
#    recorded exactly once.
#
#   benches/sla_engine.sh [--due N] [--out bench/sla-engine.md]
#
# PostgreSQL comes from SERVICEDESK_BENCH_POSTGRES_URL (default the local server, no TLS).
set -euo pipefail
cd "$(dirname "$0")/.."

DUE=2000
OUT=""
IDLE_SECONDS=30
while [ $# -gt 0 ]; do
    case "$1" in
        --due) DUE=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
ADMIN_URL=${SERVICEDESK_BENCH_POSTGRES_URL:-postgres://${USER:-root}@127.0.0.1:5432/postgres?sslmode=disable}
PORT=18091
cargo build --release --quiet
BIN=$PWD/target/release/servicedesk
WORK=$(mktemp -d)
SERVER=""
base=${ADMIN_URL%%\?*}
URL="${base%/*}/sdbench_sla${ADMIN_URL#"$base"}"
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS sdbench_sla WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS sdbench_sla WITH (FORCE)" -c "CREATE DATABASE sdbench_sla" >/dev/null
export SERVICEDESK_DATA_DIR="$WORK" SERVICEDESK_DATABASE_URL="$URL" SERVICEDESK_BIND="127.0.0.1:$PORT" \
    SERVICEDESK_REGION_PRESET=tojo-una-una SERVICEDESK_LOG=warn
"$BIN" seed-demo --tickets 0 >/dev/null
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

sql() { psql "$URL" -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# A 24x7 calendar and a policy for the benchmark's tickets; the snapshot is what tickets keep.
CALENDAR=$(sql "INSERT INTO calendars SELECT 'bench-24x7', '24x7', 'Asia/Makassar', true, working_hours,
    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM calendars LIMIT 1 RETURNING id")
POLICY=$(sql "INSERT INTO sla_policies VALUES ('bench-policy', 'Bench', '$CALENDAR', false,
    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') RETURNING id")
TARGETS='[{"priority":"critical","response_seconds":60,"tier1_seconds":120,"resolution_seconds":86400,"warn_at_percent":50}]'
UNIT=$(sql "SELECT unit_id FROM users WHERE role = 'tier1' LIMIT 1")
CREATOR=$(sql "SELECT id FROM users WHERE role = 'tier1' LIMIT 1")

# Inserts tickets FIRST..LAST, each with its clocks started now: response target 2K, tier-1
# window 4K seconds (warnings at half), K computed by the SQL expression given.
load() {
    local first=$1 last=$2 k=$3
    sql "INSERT INTO tickets (id, number, kind, title, description, status, priority, impact, urgency,
            tier, unit_id, reporter_name, classification, security_incident, created_by, created_at,
            updated_at, version)
         SELECT 'bench-' || n, 'SD-2024-' || lpad(n::text, 7, '0'), 'incident', 'Beban ' || n, '',
            'new', 'critical', 'high', 'high', 1, '$UNIT', 'Penguji', 'public', false, '$CREATOR',
            now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 1
         FROM generate_series($first, $last) AS n;
         INSERT INTO ticket_sla
         SELECT 'bench-' || n, '$POLICY', '$CALENDAR', '$TARGETS',
            2 * k, 0, t, NULL, NULL, NULL,
            4 * k, 0, t, NULL, NULL, NULL,
            86400 * 60, 0, t, NULL, NULL, NULL,
            t + k * INTERVAL '1 second', t + 2 * k * INTERVAL '1 second', false
         FROM (SELECT n, ($k)::bigint AS k, now() AT TIME ZONE 'UTC' AS t
               FROM generate_series($first, $last) AS n) AS s;
         ANALYZE"
}

# CPU seconds (user + system) the server used over IDLE_SECONDS.
idle_cpu() {
    local ticks=$(getconf CLK_TCK) before after
    before=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    sleep "$IDLE_SECONDS"
    after=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    python3 -c "print(f'{($after - $before) / $ticks:.2f}')"
}

FAR='15 * 86400'
load 1 1000 "$FAR"
sleep 2
idle_small=$(idle_cpu)
load 1001 100000 "$FAR"
sleep 2
idle_large=$(idle_cpu)

# N tickets due over the next 5 to 35 s (warnings), breaches to 70 s, escalations to 140 s.
load 200001 $((200000 + DUE)) "5 + n % 31"
sleep 150

read -r p50 p99 worst alerts < <(sql "
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY late)::numeric * 1000),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY late)::numeric * 1000),
           round(max(late)::numeric * 1000), count(*)
    FROM (SELECT extract(epoch FROM at - ((data::jsonb ->> 'due_at')::timestamptz AT TIME ZONE 'UTC')) AS late
          FROM ticket_events WHERE type IN ('sla_warning', 'sla_breached')) AS l" | tr '|' ' ')
duplicates=$(sql "SELECT count(*) FROM (SELECT ticket_id, type, data::jsonb ->> 'clock'
    FROM ticket_events WHERE type IN ('sla_warning', 'sla_breached', 'escalated')
    GROUP BY 1, 2, 3 HAVING count(*) > 1) AS d")
escalated=$(sql "SELECT count(*) FROM tickets WHERE tier = 2 AND escalation_reason = 'sla_tier1_window_elapsed'")
open=$(sql "SELECT count(*) FROM tickets WHERE status IN ('new', 'in_progress', 'pending')")

{
echo "| measure | value |"
echo "| --- | --- |"
echo "| server CPU over ${IDLE_SECONDS} s idle, 1,000 open tickets | ${idle_small} s |"
echo "| server CPU over ${IDLE_SECONDS} s idle, 100,000 open tickets | ${idle_large} s |"
echo "| open tickets during the lateness run | ${open} |"
echo "| SLA alerts recorded (expected $((4 * DUE))) | ${alerts} |"
echo "| automatic escalations (expected ${DUE}) | ${escalated} |"
echo "| alerts or escalations recorded twice | ${duplicates} |"
echo "| lateness p50 / p99 / max | ${p50} ms / ${p99} ms / ${worst} ms |"
} | tee "$WORK/table"
if [ -n "$OUT" ]; then
    cp "$WORK/table" "$OUT"
fi
