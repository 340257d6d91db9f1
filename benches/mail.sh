#!/usr/bin/env bash
# Mail dispatcher benchmark against the release build, on one database: the demo seeder
# queues the mail of N tickets without sending any (it runs no dispatcher); then `serve`
# starts with an SMTP sink on loopback and drains the outbox. Reports mails per second from
# the first to the last one the sink accepted, and checks every mail arrived once.
#
#   benches/mail.sh --database postgres|sqlite [--tickets N] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
TICKETS=2000
FIGURES=/dev/null
while [ $# -gt 0 ]; do
    case "$1" in
        --database) DATABASE=$2; shift 2 ;;
        --tickets) TICKETS=$2; shift 2 ;;
        --figures) FIGURES=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
need sqlite3:sqlite3
cargo build --release --quiet
PORT=18092
SMTP_PORT=18025
WORK=$(mktemp -d)
SINK=""
cleanup() {
    stop_server
    [ -n "$SINK" ] && kill "$SINK" 2>/dev/null || true
    drop_db "$DATABASE" sdbench_mail
    rm -rf "$WORK"
}
trap cleanup EXIT

# An SMTP sink that accepts everything and notes when each message ended.
cat >"$WORK/sink.py" <<'PY'
import asyncio, sys, time
log = open(sys.argv[2], "a", buffering=1)
async def session(reader, writer):
    writer.write(b"220 sink ESMTP\r\n")
    in_data = False
    while line := await reader.readline():
        if in_data:
            if line == b".\r\n":
                in_data = False
                log.write(f"{time.time()}\n")
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
python3 "$WORK/sink.py" "$SMTP_PORT" "$WORK/accepted" &
SINK=$!

seed_database sdbench_mail "$TICKETS" "$WORK/data"
export SERVICEDESK_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
queued=$(sql "$URL" "SELECT count(*) FROM notifications WHERE status = 'pending'")
: >"$WORK/accepted"
start_server "$WORK/serve.log"
for _ in $(seq 600); do
    sent=$(sql "$URL" "SELECT count(*) FROM notifications WHERE status = 'sent'")
    [ "$sent" -ge "$queued" ] && break
    sleep 0.5
done
accepted=$(wc -l <"$WORK/accepted")
rate=$(python3 -c "
t = [float(l) for l in open('$WORK/accepted')]
print(f'{(len(t) - 1) / (max(t) - min(t)):.0f}' if len(t) > 1 else 'n/a')")
figures "$FIGURES" "queued=$queued" "sent=$sent" "accepted=$accepted" "mails_per_second=$rate" \
    "rss_mib=$(peak_rss_mib)"
