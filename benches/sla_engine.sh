#!/usr/bin/env bash
# SLA engine benchmark against the release build with the default tick (1 s), on one database:
#
# 1. idle cost: the server's CPU time over 30 quiet seconds with 1,000 open tickets, then
#    with 100,000 (their SLA instants days away);
# 2. lateness: N more tickets come due over the next minute and a half (a response warning,
#    a response breach, a tier-1 warning, a tier-1 breach with automatic escalation each);
#    how long after its due instant each alert was recorded, p50/p99/max, and that each was
#    recorded exactly once.
#
#   benches/sla_engine.sh --database postgres|sqlite [--due N] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
DUE=2000
FIGURES=/dev/null
IDLE_SECONDS=30
read_options "DATABASE DUE FIGURES" "$@"
PORT=18091
prepare sdbench_sla sqlite3:sqlite3

MAIL_DIR=$(mail_data_dir)
seed_database sdbench_sla 0 "$MAIL_DIR"
start_server "$WORK/serve.log"

# The dialects differ in how they count and add seconds; everything else is shared SQL.
if [ "$DATABASE" = postgres ]; then
    NOW="now() AT TIME ZONE 'UTC'"
    series() { echo "generate_series($1, $2) AS n"; }
    plus_seconds() { echo "($1) + ($2) * INTERVAL '1 second'"; }
else
    NOW="strftime('%Y-%m-%d %H:%M:%f', 'now')"
    series() { echo "(WITH RECURSIVE s(n) AS (SELECT $1 UNION ALL SELECT n + 1 FROM s WHERE n < $2) SELECT n FROM s)"; }
    plus_seconds() { echo "strftime('%Y-%m-%d %H:%M:%f', $1, '+' || ($2) || ' seconds')"; }
fi

# A 24x7 calendar and a policy for the benchmark's tickets; the snapshot is what tickets keep.
CALENDAR=$(sql "$URL" "INSERT INTO calendars SELECT 'bench-24x7', '24x7', 'Asia/Makassar', true,
    working_hours, $NOW, $NOW FROM calendars LIMIT 1 RETURNING id")
POLICY=$(sql "$URL" "INSERT INTO sla_policies VALUES ('bench-policy', 'Bench', '$CALENDAR', false,
    $NOW, $NOW) RETURNING id")
TARGETS='[{"priority":"critical","response_seconds":60,"tier1_seconds":120,"resolution_seconds":86400,"warn_at_percent":50}]'
UNIT=$(sql "$URL" "SELECT unit_id FROM users WHERE role = 'tier1' LIMIT 1")
CREATOR=$(sql "$URL" "SELECT id FROM users WHERE role = 'tier1' LIMIT 1")

# Inserts tickets FIRST..LAST, each with its clocks started now: response target 2K, tier-1
# window 4K seconds (warnings at half), K computed by the SQL expression given.
load() {
    local first=$1 last=$2 k=$3
    sql "$URL" "INSERT INTO tickets (id, number, kind, title, description, status, priority, impact,
            urgency, tier, unit_id, reporter_name, classification, security_incident, created_by,
            created_at, updated_at, version)
         SELECT 'bench-' || n, 'SD-2024-' || n, 'incident', 'Beban ' || n, '', 'new', 'critical',
            'high', 'high', 1, '$UNIT', 'Penguji', 'public', false, '$CREATOR', $NOW, $NOW, 1
         FROM $(series "$first" "$last")" >/dev/null
    sql "$URL" "INSERT INTO ticket_sla
         SELECT 'bench-' || n, '$POLICY', '$CALENDAR', '$TARGETS',
            2 * k, 0, t, NULL, NULL, NULL,
            4 * k, 0, t, NULL, NULL, NULL,
            86400 * 60, 0, t, NULL, NULL, NULL,
            $(plus_seconds t k), $(plus_seconds t '2 * k'), false
         FROM (SELECT n, $k AS k, $NOW AS t FROM $(series "$first" "$last")) AS s" >/dev/null
    sql "$URL" "ANALYZE" >/dev/null
    # Fold the load into the database file, so that the idle figure is not the server's first
    # reads through a large write-ahead log.
    [ "$DATABASE" = sqlite ] && sql "$URL" "PRAGMA wal_checkpoint(PASSIVE)" >/dev/null
    settle_machine
}

# CPU seconds (user + system) the server used over IDLE_SECONDS.
idle_cpu() {
    local ticks before after
    ticks=$(getconf CLK_TCK)
    before=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    sleep "$IDLE_SECONDS"
    after=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    python3 -c "print(f'{($after - $before) / $ticks:.2f}')"
}

FAR=$((15 * 86400))
load 1 1000 "$FAR"
sleep 5
idle_small=$(idle_cpu)
load 1001 100000 "$FAR"
sleep 5
idle_large=$(idle_cpu)

# N tickets due over the next 5 to 35 s (warnings), breaches to 70 s, escalations to 140 s.
load 200001 $((200000 + DUE)) "5 + n % 31"
sleep 150

# Lateness, duplicates and escalations are counted in Python, alike for both databases.
sql "$URL" "SELECT ticket_id, type, at, data FROM ticket_events
            WHERE type IN ('sla_warning', 'sla_breached', 'escalated')" >"$WORK/events"
read -r alerts p50 p99 worst duplicates escalated < <(python3 - "$WORK/events" <<'PY'
import json, sys
from collections import Counter
from datetime import datetime, timezone

def instant(text):
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

late, seen, escalated = [], Counter(), 0
for line in open(sys.argv[1]):
    ticket, kind, at, data = line.rstrip("\n").split("|", 3)
    data = json.loads(data)
    seen[(ticket, kind, data.get("clock"))] += 1
    if kind == "escalated":
        escalated += data.get("reason") == "sla_tier1_window_elapsed"
    else:
        late.append((instant(at) - instant(data["due_at"])).total_seconds() * 1000)
late.sort()
pick = lambda q: round(late[min(len(late) - 1, int(q * len(late)))]) if late else "n/a"
print(len(late), pick(0.5), pick(0.99), round(late[-1]) if late else "n/a",
      sum(1 for n in seen.values() if n > 1), escalated)
PY
)
open=$(sql "$URL" "SELECT count(*) FROM tickets WHERE status IN ('new', 'in_progress', 'pending')")

figures "$FIGURES" "idle_seconds=$IDLE_SECONDS" "idle_cpu_1k=$idle_small" "idle_cpu_100k=$idle_large" \
    "open=$open" "due=$DUE" "alerts=$alerts" "alerts_expected=$((4 * DUE))" \
    "escalated=$escalated" "duplicates=$duplicates" \
    "late_p50_ms=$p50" "late_p99_ms=$p99" "late_max_ms=$worst" "rss_mib=$(peak_rss_mib)"
