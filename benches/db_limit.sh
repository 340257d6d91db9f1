#!/usr/bin/env bash
# The database's own limit for the write behind `POST /tickets`, on this machine: the same
# inserts in one transaction per ticket (the year's counter, the ticket, its SLA row, its
# `created` event and its mail, with bodies of the sizes the service writes, and last the
# event's link in the trail's hash chain under the head's lock, in one statement as the
# service writes it), without the service.
# PostgreSQL through pgbench with 8 clients, as wrk's 8 connections; SQLite from one
# connection (it admits one writer at a time) with the service's pragmas. Both also run the
# inserts without the link, which shows what the chain costs, and PostgreSQL without the
# counter, which shows what gap-free numbering costs.
#
#   benches/db_limit.sh --database postgres|sqlite [--seconds S] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
SECONDS_EACH=10
FIGURES=/dev/null
read_options "DATABASE SECONDS_EACH FIGURES" "$@"
prepare sdbench_limit sqlite3:sqlite3

# The service's own schema and a demo region, so that every constraint and index is there.
seed_database sdbench_limit 0 "$WORK/data"
UNIT=$(sql "$URL" "SELECT unit_id FROM users WHERE role = 'tier1' LIMIT 1")
CREATOR=$(sql "$URL" "SELECT id FROM users WHERE role = 'tier1' LIMIT 1")
POLICY=$(sql "$URL" "SELECT id FROM sla_policies LIMIT 1")
CALENDAR=$(sql "$URL" "SELECT calendar_id FROM sla_policies LIMIT 1")

if [ "$DATABASE" = postgres ]; then
    need pgbench:postgresql
    cat >"$WORK/create_ticket.sql" <<SQL
SELECT gen_random_uuid()::text AS tid, gen_random_uuid()::text AS eid, gen_random_uuid()::text AS mid,
       now() AT TIME ZONE 'UTC' AS now \gset
BEGIN;
INSERT INTO ticket_counters (year, last_number) VALUES (2099, 1)
    ON CONFLICT (year) DO UPDATE SET last_number = ticket_counters.last_number + 1 RETURNING last_number \gset
INSERT INTO tickets (id, number, kind, title, description, status, priority, impact, urgency, tier,
    unit_id, reporter_name, classification, security_incident, created_by, created_at, updated_at, version)
    VALUES (':tid', 'SD-2099-' || :last_number, 'incident', 'Beban uji', 'Uji beban', 'new', 'high',
    'medium', 'high', 1, '$UNIT', 'Penguji', 'public', false, '$CREATOR', ':now', ':now', 1);
INSERT INTO ticket_sla VALUES (':tid', '$POLICY', '$CALENDAR', repeat('t', 440),
    1800, 0, ':now', NULL, NULL, NULL, 7200, 0, ':now', NULL, NULL, NULL,
    28800, 0, ':now', NULL, NULL, NULL, ':now', ':now', false);
INSERT INTO ticket_events (id, ticket_id, type, actor_id, at, data)
    VALUES (':eid', ':tid', 'created', '$CREATOR', ':now', repeat('d', 100));
INSERT INTO notifications (id, ticket_id, event_id, kind, recipients, subject, body_text, body_html,
    message_id, thread_id, status, attempts, next_attempt_at, lease_owner, last_error, created_at, sent_at)
    VALUES (':mid', ':tid', ':eid', 'created', repeat('r', 119), repeat('s', 60), repeat('x', 509),
    repeat('h', 878), ':mid' || '@tojounaunakab.go.id', NULL, 'pending', 0, ':now', NULL, NULL, ':now', NULL);
WITH head AS (SELECT seq, hash FROM trail_head WHERE id = 1 FOR UPDATE),
    linked AS (INSERT INTO trail_links (seq, entry, entry_id, hash)
        SELECT seq + 1, 'ticket_event', ':eid',
            encode(sha256(convert_to(hash || E'\\n' || repeat('c', 230), 'UTF8')), 'hex') FROM head
        RETURNING seq, hash)
    UPDATE trail_head SET seq = linked.seq, hash = linked.hash FROM linked WHERE trail_head.id = 1;
COMMIT;
SQL
    # Transactions per second of a pgbench script, 8 clients as wrk's 8 connections.
    pgbench_tps() {
        local out
        out=$(pgbench --no-vacuum --client 8 --jobs 2 --time "$SECONDS_EACH" --file "$1" \
            "${URL%%\?*}" 2>&1) || { echo "$out" >&2; exit 1; }
        awk '/^tps = / {printf "%.0f\n", $3}' <<<"$out"
    }
    tps=$(pgbench_tps "$WORK/create_ticket.sql")
    sed '/^WITH head AS/,/UPDATE trail_head/d' "$WORK/create_ticket.sql" >"$WORK/unchained.sql"
    unchained_tps=$(pgbench_tps "$WORK/unchained.sql")
    # The same without the gap-free number: what the inserts cost when commits need not queue
    # behind the year's counter row.
    grep -v -e '^INSERT INTO ticket_counters' -e '^    ON CONFLICT (year)' "$WORK/unchained.sql" |
        sed "s/'SD-2099-' || :last_number/'SD-' || ':tid'/" >"$WORK/unnumbered.sql"
    unnumbered_tps=$(pgbench_tps "$WORK/unnumbered.sql")
    writer="pgbench, 8 clients"
else
    sqlite_tps() {
        python3 - "${URL#sqlite://}" "$SECONDS_EACH" "$1" "$UNIT" "$CREATOR" "$POLICY" "$CALENDAR" <<'PY'
import hashlib, sqlite3, sys, time, uuid
path, seconds, chained, unit, creator, policy, calendar = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "chained", *sys.argv[4:]
db = sqlite3.connect(path, isolation_level=None)
db.executescript("PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                 "PRAGMA journal_mode = WAL;")
done, end = 0, time.monotonic() + seconds
started = time.monotonic()
while time.monotonic() < end:
    tid, eid, mid = (str(uuid.uuid4()) for _ in range(3))
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    db.execute("BEGIN IMMEDIATE")
    number = db.execute("INSERT INTO ticket_counters (year, last_number) VALUES (2099, 1) ON CONFLICT (year) "
                        "DO UPDATE SET last_number = ticket_counters.last_number + 1 RETURNING last_number").fetchone()[0]
    db.execute("INSERT INTO tickets (id, number, kind, title, description, status, priority, impact, urgency, tier, "
               "unit_id, reporter_name, classification, security_incident, created_by, created_at, updated_at, version) "
               "VALUES (?, ?, 'incident', 'Beban uji', 'Uji beban', 'new', 'high', 'medium', 'high', 1, ?, 'Penguji', "
               "'public', 0, ?, ?, ?, 1)", (tid, f"SD-2099-{number}", unit, creator, now, now))
    db.execute("INSERT INTO ticket_sla VALUES (?, ?, ?, ?, 1800, 0, ?, NULL, NULL, NULL, 7200, 0, ?, NULL, NULL, NULL, "
               "28800, 0, ?, NULL, NULL, NULL, ?, ?, 0)", (tid, policy, calendar, "t" * 440, now, now, now, now, now))
    db.execute("INSERT INTO ticket_events (id, ticket_id, type, actor_id, at, data) VALUES (?, ?, 'created', ?, ?, ?)",
               (eid, tid, creator, now, "d" * 100))
    db.execute("INSERT INTO notifications (id, ticket_id, event_id, kind, recipients, subject, body_text, body_html, "
               "message_id, thread_id, status, attempts, next_attempt_at, lease_owner, last_error, created_at, sent_at) "
               "VALUES (?, ?, ?, 'created', ?, ?, ?, ?, ?, NULL, 'pending', 0, ?, NULL, NULL, ?, NULL)",
               (mid, tid, eid, "r" * 119, "s" * 60, "x" * 509, "h" * 878, f"{mid}@tojounaunakab.go.id", now, now))
    if chained:
        seq, previous = db.execute("SELECT seq, hash FROM trail_head WHERE id = 1").fetchone()
        link = hashlib.sha256(f"{previous}\n{eid}".encode()).hexdigest()
        db.execute("INSERT INTO trail_links (seq, entry, entry_id, hash) VALUES (?, 'ticket_event', ?, ?)",
                   (seq + 1, eid, link))
        db.execute("UPDATE trail_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, link))
    db.execute("COMMIT")
    done += 1
print(round(done / (time.monotonic() - started)))
PY
    }
    tps=$(sqlite_tps chained)
    unchained_tps=$(sqlite_tps unchained)
    writer="one connection"
    # One writer at a time: the counter makes no queue that was not there.
    unnumbered_tps=$unchained_tps
fi
figures "$FIGURES" "limit_tps=$tps" "limit_unchained_tps=$unchained_tps" \
    "limit_unnumbered_tps=$unnumbered_tps" "limit_writer=$writer"
