#!/usr/bin/env bash
# Alert-to-incident latency against the release build, on one database: N services of the
# demo desk go down one after another through the desk's own alert form (each answer comes
# after the outage and the incident are committed, so the answer's time is the alert's time to
# its ticket), then one Alertmanager delivery brings all N back at once. Figures: the down
# alerts' p50/p99/max, the resolving delivery's time, and that each service got exactly one
# outage and one incident.
#
#   benches/alerts.sh --database postgres|sqlite [--services N] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
SERVICES=200
FIGURES=/dev/null
read_options "DATABASE SERVICES FIGURES" "$@"
PORT=18093
prepare sdbench_alerts

MAIL_DIR=$(mail_data_dir)
seed_database sdbench_alerts 0 "$MAIL_DIR"
start_server "$WORK/serve.log"

RESULT=$(python3 - "$PORT" "$SERVICES" <<'PY'
import json, statistics, sys, time, urllib.request

port, count = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}/api/v1"

def call(method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)

def login(local):
    return call("POST", "/auth/login", body={"email": f"{local}@tojounaunakab.go.id",
                                             "password": "demo-servicedesk"})["access_token"]

admin, supervisor = login("admin"), login("supervisor")
owner = call("GET", "/units?limit=200", admin)["items"]
owner = next(unit["id"] for unit in owner if unit["kind"] == "pd")
monitor = call("POST", "/users", admin, {"name": "Bench monitor", "email": "monitor@example.org",
                                          "role": "monitoring"})["id"]
token = call("POST", f"/users/{monitor}/tokens", admin, {"name": "bench"})["token"]
codes = [f"BENCH{n:04d}" for n in range(count)]
for code in codes:
    call("POST", "/services", supervisor, {"code": code, "name": f"Layanan {code}",
                                           "owner_unit_id": owner})

started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
latencies = []
for code in codes:
    begun = time.perf_counter()
    answer = call("POST", "/alerts", token, {"service": code, "status": "down", "at": started,
                                             "fingerprint": "bench"})
    latencies.append(time.perf_counter() - begun)
    assert answer["results"][0]["outcome"] == "opened", answer

ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
delivery = {"version": "4", "status": "resolved", "alerts": [
    {"status": "resolved", "labels": {"alertname": "Mati", "service": code},
     "startsAt": started, "endsAt": ended, "fingerprint": "bench"} for code in codes]}
begun = time.perf_counter()
answer = call("POST", "/alerts/alertmanager", token, delivery)
resolve_seconds = time.perf_counter() - begun
# The desk keys an alert by service and fingerprint, whatever form it came in: each
# resolution ends the alert of its own service.
outcomes = {result["outcome"] for result in answer["results"]}

alerts = 0
cursor = ""
while True:
    page = call("GET", f"/alerts?matched=true&limit=200{cursor}", admin)
    alerts += len(page["items"])
    if not page["next_cursor"]:
        break
    cursor = "&cursor=" + page["next_cursor"]
ms = sorted(1000 * s for s in latencies)
print(json.dumps({
    "p50_ms": round(statistics.median(ms), 1),
    "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 1),
    "max_ms": round(ms[-1], 1),
    "resolve_delivery_ms": round(1000 * resolve_seconds, 1),
    "resolved_outcomes": sorted(outcomes),
    "alerts": alerts,
}))
PY
)
echo "$RESULT" >&2
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])['$1'])" "$RESULT"; }
OUTAGES=$(sql "$URL" "SELECT count(*) FROM outages WHERE source = 'alert'")
OPEN=$(sql "$URL" "SELECT count(*) FROM outages WHERE source = 'alert' AND ended_at IS NULL")
INCIDENTS=$(sql "$URL" "SELECT count(*) FROM tickets WHERE title LIKE 'BENCH%'")
figures "$FIGURES" \
    "alerts_services=$SERVICES" \
    "alert_to_ticket_p50_ms=$(field p50_ms)" \
    "alert_to_ticket_p99_ms=$(field p99_ms)" \
    "alert_to_ticket_max_ms=$(field max_ms)" \
    "alerts_resolve_delivery_ms=$(field resolve_delivery_ms)" \
    "alerts_outages=$OUTAGES" \
    "alerts_outages_open=$OPEN" \
    "alerts_incidents=$INCIDENTS"
