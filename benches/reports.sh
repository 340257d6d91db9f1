#!/usr/bin/env bash
# How long the availability report takes for one month and for five years, with SERVICES
# services that each had an hour-long unplanned outage in each of the last OUTAGE_MONTHS months
# of the five years (all sixty by default) and a budget breach in every third of those: the
# five-year report costs what its outages and breaches are, not a walk over its sixty months.
#
#   benches/reports.sh [--database postgres|sqlite] [--services 200] [--outage-months 60]
#                      [--requests 20] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
SERVICES=200
OUTAGE_MONTHS=60
REQUESTS=20
FIGURES=/dev/null
read_options "DATABASE SERVICES OUTAGE_MONTHS REQUESTS FIGURES" "$@"
PORT=18093
prepare sdbench_reports sqlite3:sqlite3

MAIL_DIR=$(mail_data_dir)
seed_database sdbench_reports 0 "$MAIL_DIR"
owner=$(sql "$URL" "SELECT id FROM units ORDER BY code LIMIT 1")
creator=$(sql "$URL" "SELECT id FROM users ORDER BY email LIMIT 1")
# Services, an hour-long outage on the 10th of each of the last OUTAGE_MONTHS months up to
# November 2026, and a breach recorded for every third of those months.
python3 - "$SERVICES" "$OUTAGE_MONTHS" "$owner" "$creator" >"$WORK/load.sql" <<'EOF'
import sys
services, months, owner, creator = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
print("BEGIN;")
for s in range(services):
    sid = f"00000000-0000-7000-9000-{s:012d}"
    print(f"INSERT INTO services (id, code, name, owner_unit_id, critical, availability_target_percent,"
          f" description, active, created_at, updated_at) VALUES ('{sid}', 'BENCH{s:04d}',"
          f" 'Layanan uji {s}', '{owner}', false, 99.5, '', true, '2021-01-01 00:00:00',"
          f" '2021-01-01 00:00:00');")
    for m in range(60 - months, 60):
        year, month = 2021 + (11 + m) // 12, (11 + m) % 12 + 1
        print(f"INSERT INTO outages (id, service_id, started_at, ended_at, planned, note, created_by,"
              f" created_at, updated_at) VALUES ('{sid[:-12]}{s:06d}{m:06d}', '{sid}',"
              f" '{year}-{month:02d}-10 08:00:00', '{year}-{month:02d}-10 09:00:00', false, '',"
              f" '{creator}', '{year}-{month:02d}-10 09:00:00', '{year}-{month:02d}-10 09:00:00');")
        if m % 3 == 0:
            print(f"INSERT INTO availability_breaches (service_id, month, at, downtime_seconds,"
                  f" budget_seconds) VALUES ('{sid}', '{year}-{month:02d}',"
                  f" '{year}-{month:02d}-10 09:00:00', 20000, 13392);")
print("COMMIT;")
EOF
if [ "$DATABASE" = postgres ]; then
    psql "$URL" -q -v ON_ERROR_STOP=1 -f "$WORK/load.sql" >/dev/null
    psql "$URL" -qc "ANALYZE"
else
    sqlite3 -bail "${URL#sqlite://}" <"$WORK/load.sql"
    sqlite3 "${URL#sqlite://}" "ANALYZE"
fi
start_server "$WORK/serve.log"
TOKEN=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"admin@tojounaunakab.go.id","password":"demo-servicedesk"}' \
    | python3 -c "import sys, json; print(json.load(sys.stdin)['access_token'])")

# The median of REQUESTS answers to QUERY, in milliseconds.
median_ms() {
    local query=$1
    for _ in $(seq "$REQUESTS"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$PORT/api/v1/reports/availability?$query"
    done | sort -n | awk '{t[NR] = $1} END {printf "%.1f\n", 1000 * t[int((NR + 1) / 2)]}'
}

month=$(median_ms "month=2026-11")
five_years=$(median_ms "from=2021-12-01T00:00:00Z&to=2026-12-01T00:00:00Z")
figures "$FIGURES" "services=$SERVICES" "outage_months=$OUTAGE_MONTHS" "month_ms=$month" "five_years_ms=$five_years"
