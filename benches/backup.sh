#!/usr/bin/env bash
# Backup and restore on one database: `servicedesk backup` of a demo desk while nothing else
# runs, then `servicedesk restore` of the archive into an empty database of the same backend,
# each as rows per second; beside them the database's own copy of the same data in the same
# run (pg_dump to the custom format, SQLite's VACUUM INTO), which is the limit to compare with.
#
#   benches/backup.sh --database postgres|sqlite [--tickets N] [--figures FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh

DATABASE=postgres
TICKETS=5000
FIGURES=/dev/null
read_options "DATABASE TICKETS FIGURES" "$@"
prepare sdbench_backup sqlite3:sqlite3 pg_dump:postgresql-client

seed_database sdbench_backup "$TICKETS" "$WORK/data"
SOURCE_URL=$URL
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }

settle_machine
started=$(now)
summary=$("$BIN" backup --output "$WORK/archive.zip")
backup_s=$(elapsed "$started" "$(now)")
rows=$(python3 -c "import sys, json; print(json.load(sys.stdin)['rows'])" <<<"$summary")

settle_machine
started=$(now)
if [ "$DATABASE" = postgres ]; then
    pg_dump --format=custom --file "$WORK/native.dump" "${SOURCE_URL%%\?*}"
    native="pg_dump --format=custom"
else
    sqlite3 "${SOURCE_URL#sqlite://}" "VACUUM INTO '$WORK/native.db'"
    native="VACUUM INTO"
fi
native_s=$(elapsed "$started" "$(now)")

drop_db "$DATABASE" sdbench_backup_target
TARGET_URL=$(db_url "$DATABASE" sdbench_backup_target "$WORK")
fresh_db "$DATABASE" sdbench_backup_target "$WORK"
settle_machine
started=$(now)
SERVICEDESK_DATABASE_URL=$TARGET_URL SERVICEDESK_DATA_DIR="$WORK/restored" \
    "$BIN" restore --input "$WORK/archive.zip" >/dev/null
restore_s=$(elapsed "$started" "$(now)")
drop_db "$DATABASE" sdbench_backup_target

rate() { python3 -c "print(round($rows / $1))"; }
figures "$FIGURES" "backup_rows=$rows" "backup_bytes=$(stat -c %s "$WORK/archive.zip")" \
    "backup_seconds=$backup_s" "backup_rows_per_s=$(rate "$backup_s")" \
    "restore_seconds=$restore_s" "restore_rows_per_s=$(rate "$restore_s")" \
    "native_seconds=$native_s" "native_copy=$native" \
    "backup_share_of_native=$(python3 -c "print(f'{100 * $native_s / $backup_s:.0f}%')")"
