#!/usr/bin/env bash
# Sourced by scripts/test.sh: finds a PostgreSQL for the tests or starts a private one.

PRIVATE_PG_DIR="${PWD}/target/postgres"
PRIVATE_PG_PORT="${SERVICEDESK_PRIVATE_PG_PORT:-54329}"

pg_answers() {
    psql "$1" -qtAc 'SELECT 1' >/dev/null 2>&1
}

pg_bin() {
    local tool=$1
    if command -v "$tool" >/dev/null 2>&1; then
        command -v "$tool"
    else
        find /usr/lib/postgresql -path "*/bin/$tool" 2>/dev/null | sort -V | tail -n 1
    fi
}

# initdb and postgres refuse to run as root; as root, the cluster belongs to the postgres user.
as_cluster_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_private_postgres() {
    local initdb pg_ctl
    initdb=$(pg_bin initdb)
    pg_ctl=$(pg_bin pg_ctl)
    if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
        echo "no initdb/pg_ctl found: install the PostgreSQL server binaries" >&2
        return 1
    fi
    mkdir -p "$PRIVATE_PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres "$PRIVATE_PG_DIR"
    fi
    if [ ! -f "$PRIVATE_PG_DIR/data/PG_VERSION" ]; then
        as_cluster_owner "$initdb" -D "$PRIVATE_PG_DIR/data" -U servicedesk --auth=trust \
            --encoding=UTF8 --no-locale >"$PRIVATE_PG_DIR/initdb.log" 2>&1 || {
            cat "$PRIVATE_PG_DIR/initdb.log" >&2
            return 1
        }
    fi
    as_cluster_owner "$pg_ctl" -D "$PRIVATE_PG_DIR/data" -l "$PRIVATE_PG_DIR/server.log" -w -t 60 \
        -o "-p $PRIVATE_PG_PORT -k $PRIVATE_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" \
        start >/dev/null || {
        cat "$PRIVATE_PG_DIR/server.log" >&2
        return 1
    }
    STARTED_PRIVATE_PG="$pg_ctl"
    trap 'as_cluster_owner "$STARTED_PRIVATE_PG" -D "$PRIVATE_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true' EXIT
    export SERVICEDESK_TEST_POSTGRES_URL="postgres://servicedesk@127.0.0.1:${PRIVATE_PG_PORT}/postgres?sslmode=disable"
}

find_or_start_postgres() {
    if [ -n "${SERVICEDESK_TEST_POSTGRES_URL:-}" ]; then
        if pg_answers "$SERVICEDESK_TEST_POSTGRES_URL"; then
            return 0
        fi
        echo "SERVICEDESK_TEST_POSTGRES_URL=$SERVICEDESK_TEST_POSTGRES_URL does not answer" >&2
        exit 1
    fi
    # Loopback needs no TLS; test processes exit with server threads still connected, and
    # libpq's TLS teardown at exit can crash them.
    local local_url="postgres://${USER:-root}@127.0.0.1:5432/postgres?sslmode=disable"
    if pg_answers "$local_url"; then
        export SERVICEDESK_TEST_POSTGRES_URL="$local_url"
        return 0
    fi
    if start_private_postgres && pg_answers "$SERVICEDESK_TEST_POSTGRES_URL"; then
        return 0
    fi
    echo "no PostgreSQL could be found or started; the PostgreSQL half of the tests cannot run" >&2
    exit 1
}

# Databases of test runs that were killed before their clean-up.
drop_leftover_test_databases() {
    local name
    for name in $(psql "$SERVICEDESK_TEST_POSTGRES_URL" -qtAc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'sdtest\_%'
         AND (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = pg_database.datname) = 0"); do
        psql "$SERVICEDESK_TEST_POSTGRES_URL" -qtAc "DROP DATABASE IF EXISTS \"$name\"" >/dev/null || true
    done
}
