#!/usr/bin/env bash
# Mail dispatcher benchmark on PostgreSQL, against the release build: the demo seeder queues
# the mail of N tickets without sending any (it runs no dispatcher); then `serve` starts with
# an SMTP sink on loopback and drains the outbox. Reports mails per second from the first to
# the last one the sink accepted, and checks every mail arrived once.
#
#   benches/mail.sh [--tickets N] [--out bench/mail.md]
#
# PostgreSQL comes from SERVICEDESK_BENCH_POSTGRES_URL (default the local server, no TLS).
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=2000
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tickets) TICKETS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
ADMIN_URL=${SERVICEDESK_BENCH_POSTGRES_URL:-postgres://${USER:-root}@127.0.0.1:5432/postgres?sslmode=disable}
PORT=18092
SMTP_PORT=18025
cargo build --release --quiet
BIN=$PWD/target/release/servicedesk
WORK=$(mktemp -d)
SERVER=""
SINK=""
base=${ADMIN_URL%%\?*}
URL="${base%/*}/sdbench_mail${ADMIN_URL#"$base"}"
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    [ -n "$SINK" ] && kill "$SINK" 2>/dev/null || true
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS sdbench_mail WITH (FORCE)" >/dev/null 2>&1 || true
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

psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS sdbench_mail WITH (FORCE)" -c "CREATE DATABASE sdbench_mail" >/dev/null
export SERVICEDESK_DATA_DIR="$WORK" SERVICEDESK_DATABASE_URL="$URL" SERVICEDESK_BIND="127.0.0.1:$PORT" \
    SERVICEDESK_REGION_PRESET=tojo-una-una SERVICEDESK_LOG=warn \
    SERVICEDESK_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
"$BIN" seed-demo --tickets "$TICKETS" >/dev/null
queued=$(psql "$URL" -qAt -c "SELECT count(*) FROM notifications WHERE status = 'pending'")
: >"$WORK/accepted"
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do
    sent=$(psql "$URL" -qAt -c "SELECT count(*) FROM notifications WHERE status = 'sent'")
    [ "$sent" -ge "$queued" ] && break
    sleep 0.5
done
accepted=$(wc -l <"$WORK/accepted")
rate=$(python3 -c "
t = [float(l) for l in open('$WORK/accepted')]
print(f'{(len(t) - 1) / (max(t) - min(t)):.0f}' if len(t) > 1 else 'n/a')")
{
echo "| measure | value |"
echo "| --- | --- |"
echo "| mails queued by the seeder | ${queued} |"
echo "| marked sent | ${sent} |"
echo "| accepted by the sink | ${accepted} |"
echo "| mails per second, first to last accepted | ${rate} |"
} | tee "$WORK/table"
if [ -n "$OUT" ]; then
    cp "$WORK/table" "$OUT"
fi
