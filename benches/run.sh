#!/usr/bin/env bash
# Every benchmark on both databases, against the release build, and one table of the results:
# ticket create, read and list (with a million tickets) over HTTP, the database's own limit for
# the create write, SLA-engine lateness with 100,000 open tickets, mails per second to a local
# SMTP sink and how long one hung conversation holds up other mail, alert-to-incident latency,
# and the server's peak RSS. About 25 minutes on 2 cores.
#
#   benches/run.sh [--out benches/results.md] [--quick]
#
# --quick runs everything small and short (a smoke test of the scripts; the figures mean
# nothing) and writes to target/bench-quick.md unless --out says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

OUT=benches/results.md
HTTP_ARGS=()
SLA_ARGS=()
MAIL_ARGS=()
LIMIT_ARGS=()
BACKUP_ARGS=()
ALERT_ARGS=()
QUICK=""
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=$2; shift 2 ;;
        --quick)
            QUICK=yes
            [ "$OUT" = benches/results.md ] && OUT=target/bench-quick.md
            HTTP_ARGS=(--tickets 12000 --seconds 2)
            SLA_ARGS=(--due 50)
            MAIL_ARGS=(--tickets 50)
            LIMIT_ARGS=(--seconds 2)
            BACKUP_ARGS=(--tickets 200)
            ALERT_ARGS=(--services 20)
            shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
need wrk:wrk sqlite3:sqlite3 pgbench:postgresql
psql "$BENCH_PG_ADMIN" -qAtc "SELECT 1" >/dev/null || {
    echo "no PostgreSQL answers at $BENCH_PG_ADMIN (set SERVICEDESK_BENCH_POSTGRES_URL)" >&2
    exit 1
}
cargo build --release --quiet
FIGS=$(mktemp -d)
trap 'rm -rf "$FIGS"' EXIT

# Runs benches/SCRIPT on $database with ARGS, its figures kept as FIGURES.$database.
run_one() {
    local script=$1 figures=$2
    shift 2
    settle_machine
    echo "== $database: $script" >&2
    "benches/$script" --database "$database" "$@" --figures "$FIGS/$figures.$database"
}

for database in postgres sqlite; do
    run_one http.sh http "${HTTP_ARGS[@]}"
    run_one db_limit.sh limit "${LIMIT_ARGS[@]}"
    run_one sla_engine.sh sla "${SLA_ARGS[@]}"
    run_one mail.sh mail "${MAIL_ARGS[@]}"
    run_one backup.sh backup "${BACKUP_ARGS[@]}"
    run_one alerts.sh alerts "${ALERT_ARGS[@]}"
done

# The value of KEY in the figures file FILE.
fig() { awk -F= -v key="$2" '$1 == key {print substr($0, length(key) + 2)}' "$FIGS/$1"; }
# A table row: the measure, then one cell per database from the expression given.
row() {
    local measure=$1 cell=$2 database
    printf '| %s |' "$measure"
    for database in postgres sqlite; do
        printf ' %s |' "$($cell "$database")"
    done
    printf '\n'
}
thousands() { python3 -c "print(f'{round(float(\"$1\")):,}')"; }
http() { echo "$(thousands "$(fig "http.$1" "$2_rps")")/s ($(fig "http.$1" "$2_p50") / $(fig "http.$1" "$2_p99"))"; }
create() { http "$1" create; }
read_one() { http "$1" read; }
list_pd() { http "$1" list_pd; }
list_tier2() { http "$1" list_tier2; }
limit() { echo "$(thousands "$(fig "limit.$1" limit_tps)")/s ($(fig "limit.$1" limit_writer))"; }
unnumbered() { echo "$(thousands "$(fig "limit.$1" limit_unnumbered_tps)")/s"; }
unchained() { echo "$(thousands "$(fig "limit.$1" limit_unchained_tps)")/s"; }
chain_cost() {
    python3 -c "print(f'{100 * (1 - float(\"$(fig "limit.$1" limit_tps)\") / float(\"$(fig "limit.$1" limit_unchained_tps)\")):.0f}%')"
}
share() {
    python3 -c "print(f'{100 * float(\"$(fig "http.$1" create_rps)\") / float(\"$(fig "limit.$1" limit_tps)\"):.0f}%')"
}
lateness() { echo "$(fig "sla.$1" late_p50_ms) / $(fig "sla.$1" late_p99_ms) / $(fig "sla.$1" late_max_ms) ms"; }
alerts() {
    echo "$(fig "sla.$1" alerts) of $(fig "sla.$1" alerts_expected); $(fig "sla.$1" escalated) of $(fig "sla.$1" due); $(fig "sla.$1" duplicates)"
}
idle() { echo "$(fig "sla.$1" idle_cpu_1k) s / $(fig "sla.$1" idle_cpu_100k) s"; }
mails() { echo "$(fig "mail.$1" mails_per_second)/s ($(fig "mail.$1" accepted) of $(fig "mail.$1" queued) accepted)"; }
pause() {
    echo "$(fig "mail.$1" longest_pause_s) s / $(fig "mail.$1" hung_longest_pause_s) s (the hung one $(fig "mail.$1" hung_mail_delay_s) s later)"
}
backup() {
    echo "$(thousands "$(fig "backup.$1" backup_rows_per_s)") rows/s ($(fig "backup.$1" backup_seconds) s; $(fig "backup.$1" native_copy) $(fig "backup.$1" native_seconds) s)"
}
restore() { echo "$(thousands "$(fig "backup.$1" restore_rows_per_s)") rows/s ($(fig "backup.$1" restore_seconds) s)"; }
alert_latency() {
    echo "$(fig "alerts.$1" alert_to_ticket_p50_ms) / $(fig "alerts.$1" alert_to_ticket_p99_ms) / $(fig "alerts.$1" alert_to_ticket_max_ms) ms"
}
alert_records() {
    echo "$(fig "alerts.$1" alerts_outages) outages ($(fig "alerts.$1" alerts_outages_open) open), $(fig "alerts.$1" alerts_incidents) incidents; resolved in one delivery: $(fig "alerts.$1" alerts_resolve_delivery_ms) ms"
}
rss() { echo "$(fig "http.$1" rss_mib) / $(fig "sla.$1" rss_mib) / $(fig "mail.$1" rss_mib) MiB"; }

tickets=$(thousands "$(fig http.postgres tickets)")
pg_version=$(psql "$BENCH_PG_ADMIN" -qAtc "SHOW server_version" | cut -d' ' -f1)
mkdir -p "$(dirname "$OUT")"
{
    echo "# Benchmark results"
    echo
    [ -n "$QUICK" ] && echo "**A --quick smoke run: these figures mean nothing.**" && echo
    echo "$(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD), \`benches/run.sh\`:" \
         "release build, server and load generators on one machine over loopback."
    echo
    echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))," \
         "$(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r), $(uname -m);" \
         "PostgreSQL $pg_version (fsync on), SQLite bundled in the binary (WAL, synchronous=FULL);" \
         "$(rustc --version | cut -d' ' -f1-2)."
    echo
    echo "| measure | PostgreSQL | SQLite |"
    echo "| --- | --- | --- |"
    row "create ticket, 8 clients: requests/s (p50 / p99)" create
    row "the database alone, the same inserts, one transaction per ticket" limit
    row "the database alone, the same inserts without the trail's link" unchained
    row "the trail's hash chain: cost on the database alone's creates" chain_cost
    row "the database alone, the same inserts without the link and the gap-free number" unnumbered
    row "create as a share of the database alone" share
    row "read ticket by id, 8 clients" read_one
    row "list: own PD + status, 50 of $tickets" list_pd
    row "list: tier 2 + status + priority, 50 of $tickets" list_tier2
    row "SLA engine lateness p50 / p99 / max, $(thousands "$(fig sla.postgres open)") open tickets" lateness
    row "SLA alerts recorded; automatic escalations; recorded twice" alerts
    row "SLA engine CPU over $(fig sla.postgres idle_seconds) s idle, 1,000 / 100,000 open tickets" idle
    row "mails per second into a local SMTP sink" mails
    row "longest pause between two mails: relay well / one conversation hung" pause
    row "backup of $(thousands "$(fig backup.postgres backup_rows)") rows: rows/s (seconds; the database's own copy)" backup
    row "restore of the archive into an empty database" restore
    row "alert to committed outage and incident, p50 / p99 / max, $(fig alerts.postgres alerts_services) services" alert_latency
    row "what the alerts left; one Alertmanager delivery resolving all" alert_records
    row "server peak RSS: HTTP run / SLA run / mail run" rss
    echo
    echo "How to read it: wrk runs 2 threads and 8 connections for $(fig http.postgres seconds) s per"
    echo "row and shares the 2 cores with the server and the database. The service writes tickets"
    echo "in group commits (one transaction per batch of waiting requests), so it can pass the"
    echo "database-alone figure, which commits every ticket on its own: there every commit waits"
    echo "for the one before it at the year's counter row. Lateness is the"
    echo "recorded time of an SLA warning or breach minus the instant its threshold was reached;"
    echo "the engine wakes at the earliest stored instant. The mail sink is a single-threaded"
    echo "Python asyncio SMTP server; in the mail run's second pass it takes one message and never"
    echo "answers, the SMTP deadline (20 s) ends that attempt, and the pause shows whether any other"
    echo "mail waited for it. Targets (issue 3): create at least 1,000/s and read at least"
    echo "5,000/s on PostgreSQL, list p99 at most 50 ms with a million tickets."
} >"$OUT"
cat "$OUT"
