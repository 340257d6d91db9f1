#!/usr/bin/env bash
# Mail dispatcher benchmark against the release build, on one database: N tickets recorded
# through the API queue their mail (sent to files meanwhile, then put back in the queue); then
# `serve` starts with an SMTP sink on loopback and drains the outbox. Reports mails per second from
# the first to the last one the sink accepted, and checks every mail arrived once. Then the
# same mails are queued again and the sink hangs one conversation (it takes the message and
# never answers): the longest pause between two mails the sink accepts, with and without the
# hung conversation, shows how long a stalled relay holds up other mail; the hung mail itself
# goes out on a later attempt, once the SMTP deadline has passed.
#
#   benches/mail.sh --database postgres|sqlite [--tickets N] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
TICKETS=2000
FIGURES=/dev/null
read_options "DATABASE TICKETS FIGURES" "$@"
PORT=18092
SMTP_PORT=18025
SINK=""
prepare sdbench_mail sqlite3:sqlite3

# An SMTP sink that accepts everything and notes when each message ended, with its
# Message-ID. While the file named third exists, the next message is not answered: the sink
# removes the file, writes the time and the Message-ID into it plus ".hung", and says nothing
# more on that connection.
cat >"$WORK/sink.py" <<'PY'
import asyncio, os, sys, time
log = open(sys.argv[2], "a", buffering=1)
hang = sys.argv[3]
async def session(reader, writer):
    writer.write(b"220 sink ESMTP\r\n")
    in_data = False
    message_id = ""
    while line := await reader.readline():
        if in_data:
            if line.lower().startswith(b"message-id:") and not message_id:
                message_id = line.split(b":", 1)[1].strip().decode()
            if line == b".\r\n":
                in_data = False
                if os.path.exists(hang):
                    os.remove(hang)
                    with open(hang + ".hung", "w") as hung:
                        hung.write(f"{time.time()} {message_id}\n")
                    while await reader.readline():
                        pass
                    break
                log.write(f"{time.time()} {message_id}\n")
                message_id = ""
                writer.write(b"250 queued\r\n")
            continue
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-sink\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            in_data = True
            writer.write(b"354 go on\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(session, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
python3 "$WORK/sink.py" "$SMTP_PORT" "$WORK/accepted" "$WORK/hang" &
SINK=$!

# The demo's past mails nobody, so the mails to send are those of N tickets recorded now
# through the API (the dispatcher writes them as files meanwhile), then put back in the queue.
seed_database sdbench_mail 0 "$WORK/data"
start_server "$WORK/record.log"
API="http://${SERVICEDESK_BIND}/api/v1"
TIER1=$(curl -fsS "$API/auth/login" -H 'content-type: application/json' \
    -d '{"email":"tier1.dinkes.1@tojounaunakab.go.id","password":"demo-servicedesk"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
for n in $(seq "$TICKETS"); do
    curl -fsS -o /dev/null "$API/tickets" -H "authorization: Bearer $TIER1" \
        -H 'content-type: application/json' \
        -d "{\"kind\":\"incident\",\"title\":\"Gangguan $n\",\"description\":\"uji\",
             \"impact\":\"medium\",\"urgency\":\"medium\",\"reporter\":{\"name\":\"Uji\"}}"
done
stop_server
requeue() {
    sql "$URL" "UPDATE notifications SET status = 'pending', attempts = 0, sent_at = NULL,
                lease_owner = NULL, last_error = NULL, next_attempt_at = created_at" >/dev/null
}
requeue
export SERVICEDESK_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
queued=$(sql "$URL" "SELECT count(*) FROM notifications WHERE status = 'pending'")
: >"$WORK/accepted"
# Waits until every queued mail is recorded sent; sets SENT.
drain() {
    for _ in $(seq 600); do
        SENT=$(sql "$URL" "SELECT count(*) FROM notifications WHERE status = 'sent'")
        [ "$SENT" -ge "$queued" ] && break
        sleep 0.5
    done
}
# From the sink's log after its first SKIP lines: mails per second from the first to the last
# mail, and the longest pause between two mails, leaving out the Message-ID in the file HUNG.
measure() {
    python3 - "$WORK/accepted" "$1" "${2:-/dev/null}" <<'PY'
import sys
hung = open(sys.argv[3]).read().split()
hung_id = hung[1] if len(hung) > 1 else None
lines = open(sys.argv[1]).readlines()[int(sys.argv[2]):]
t = sorted(float(l.split()[0]) for l in lines if l.split()[1:2] != [hung_id])
rate = f"{(len(t) - 1) / (t[-1] - t[0]):.0f}" if len(t) > 1 else "n/a"
pause = f"{max(b - a for a, b in zip(t, t[1:])):.2f}" if len(t) > 1 else "n/a"
print(rate, pause)
PY
}

start_server "$WORK/serve.log"
drain
sent=$SENT
accepted=$(wc -l <"$WORK/accepted")
read -r rate pause < <(measure 0)
rss=$(peak_rss_mib)
stop_server

# The same mails again, one conversation of them hung.
requeue
touch "$WORK/hang"
start_server "$WORK/serve-hung.log"
drain
read -r hung_rate hung_pause < <(measure "$accepted" "$WORK/hang.hung")
hung_mail_delay=$(python3 -c "
hung = open('$WORK/hang.hung').read().split()
later = [float(l.split()[0]) for l in open('$WORK/accepted').readlines()[$accepted:]
         if l.split()[1:2] == hung[1:2]]
print(f'{later[0] - float(hung[0]):.1f}' if later else 'never')")
figures "$FIGURES" "queued=$queued" "sent=$sent" "accepted=$accepted" "mails_per_second=$rate" \
    "longest_pause_s=$pause" "rss_mib=$rss" "hung_sent=$SENT" "hung_mails_per_second=$hung_rate" \
    "hung_longest_pause_s=$hung_pause" "hung_mail_delay_s=$hung_mail_delay"
