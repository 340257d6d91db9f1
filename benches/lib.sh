#!/usr/bin/env bash
# Sourced by the benchmarks: the release binary, a fresh database of either backend, the
# server on it, SQL against it, and the figures each benchmark writes for benches/run.sh.
#
# PostgreSQL comes from SERVICEDESK_BENCH_POSTGRES_URL (default the local server, without TLS
# as loopback needs none); each benchmark makes and drops its own database there.

BENCH_PG_ADMIN=${SERVICEDESK_BENCH_POSTGRES_URL:-postgres://${USER:-root}@127.0.0.1:5432/postgres?sslmode=disable}
BIN=$PWD/target/release/servicedesk
SERVER=""

# Reads `--name value` arguments into the variables LIST names ("DATABASE TICKETS ..."):
# --name sets NAME, dashes as underscores; --seconds sets SECONDS_EACH, as bash's own SECONDS
# counts time.
read_options() {
    local list=" $1 " name
    shift
    while [ $# -gt 0 ]; do
        name=${1#--}
        name=${name//-/_}
        name=${name^^}
        [ "$name" = SECONDS ] && name=SECONDS_EACH
        if [[ "$1" != --* || "$list" != *" $name "* || $# -lt 2 ]]; then
            echo "unknown argument $1" >&2
            exit 2
        fi
        printf -v "$name" '%s' "$2"
        shift 2
    done
}

# Makes ready to measure: the commands given as command:package, the release build, and a
# scratch folder WORK. On exit the server and SINK (a helper the benchmark started) stop, and
# the database NAME, WORK and MAIL_DIR go.
prepare() {
    BENCH_DB=$1
    shift
    need "$@"
    cargo build --release --quiet
    WORK=$(mktemp -d)
    trap clean_up EXIT
}

clean_up() {
    stop_server
    [ -n "${SINK:-}" ] && kill "$SINK" 2>/dev/null || true
    drop_db "$DATABASE" "$BENCH_DB"
    rm -rf "$WORK" "${MAIL_DIR:-}"
}

# Installs Debian packages for the commands given as command:package, where a command is missing.
need() {
    local wanted command package missing=()
    for wanted in "$@"; do
        command=${wanted%%:*}
        package=${wanted#*:}
        command -v "$command" >/dev/null || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The URL of database NAME on BACKEND (postgres or sqlite, the file under DIR).
db_url() {
    local backend=$1 name=$2 dir=$3 base
    case "$backend" in
        postgres)
            base=${BENCH_PG_ADMIN%%\?*}
            echo "${base%/*}/${name}${BENCH_PG_ADMIN#"$base"}" ;;
        sqlite) echo "sqlite://$dir/$name.db" ;;
        *) echo "unknown database $backend (postgres or sqlite)" >&2; return 2 ;;
    esac
}

# An empty database NAME on BACKEND (dropped first if it exists).
fresh_db() {
    local backend=$1 name=$2 dir=$3
    if [ "$backend" = postgres ]; then
        PGOPTIONS="-c client_min_messages=warning" psql "$BENCH_PG_ADMIN" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
            -c "CREATE DATABASE $name" >/dev/null
    else
        rm -f "$dir/$name.db" "$dir/$name.db-wal" "$dir/$name.db-shm"
    fi
}

drop_db() {
    local backend=$1 name=$2
    if [ "$backend" = postgres ]; then
        psql "$BENCH_PG_ADMIN" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
    fi
}

# Runs SQL against URL and prints the rows, columns separated by |.
sql() {
    local url=$1 query=$2
    case "$url" in
        postgres*) psql "$url" -qAt -v ON_ERROR_STOP=1 -c "$query" ;;
        sqlite*) sqlite3 -bail -cmd ".timeout 30000" "${url#sqlite://}" "$query" ;;
    esac
}

# A data folder for a server that writes its mail as files: on tmpfs where there is one. The
# files stand in for the SMTP relay a real desk sends to (benches/mail.sh measures that path);
# on disk, ext4's cost of allocating inodes right after a previous run freed thousands made the
# figures noisy. The databases stay on disk.
mail_data_dir() {
    mktemp -d -p "$([ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")"
}

# Writes dirty pages out, so that a benchmark does not pay for the one before it.
settle_machine() {
    sync
    psql "$BENCH_PG_ADMIN" -qAtc "CHECKPOINT" >/dev/null
}

# A fresh database NAME on $DATABASE with the demo region and TICKETS tickets, and the server's
# environment for it: data folder DATA_DIR, listening on $PORT. Sets URL.
seed_database() {
    local name=$1 tickets=$2 data_dir=$3
    URL=$(db_url "$DATABASE" "$name" "$WORK")
    fresh_db "$DATABASE" "$name" "$WORK"
    export SERVICEDESK_DATA_DIR="$data_dir" SERVICEDESK_DATABASE_URL="$URL" \
        SERVICEDESK_BIND="127.0.0.1:${PORT:-0}" SERVICEDESK_REGION_PRESET=tojo-una-una \
        SERVICEDESK_LOG=warn
    "$BIN" seed-demo --tickets "$tickets" >/dev/null
}

# Starts `serve` with the environment already exported and waits until it is ready.
start_server() {
    local log=$1
    "$BIN" serve >"$log" 2>&1 &
    SERVER=$!
    for _ in $(seq 100); do
        curl -fs "http://${SERVICEDESK_BIND}/readyz" >/dev/null && return 0
        sleep 0.2
    done
    echo "the server did not become ready:" >&2
    cat "$log" >&2
    return 1
}

# The server's peak resident set so far, in MiB (the kernel's high-water mark).
peak_rss_mib() {
    awk '/VmHWM/ {printf "%.0f\n", $2 / 1024}' "/proc/$SERVER/status"
}

stop_server() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
        SERVER=""
    fi
}

# Writes the figures given as key=value to FILE (for benches/run.sh) and shows them.
figures() {
    local file=$1
    shift
    printf '%s\n' "$@" | tee "$file"
}
