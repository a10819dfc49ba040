#!/usr/bin/env bash
# Recovers a damaged ILONet store (docs/OPERATIONS.md §8). Run it on the node's
# host with the node STOPPED, as the user the node runs as.
#
#   scripts/recover-store.sh STORE            e.g. var/hub/store.sqlite
#
# 1. Copies out every row SQLite can still read (sqlite3 .recover) into a new
#    database, and checks it (PRAGMA integrity_check).
# 2. Compares what was there with what was recovered (reports, queue entries,
#    deliveries, audit records) and checks the audit trail's hash chain
#    (ilo audit verify): a record lost in the damage shows as a gap.
# 3. Keeps the damaged files as STORE.damaged-TIME{,-wal,-shm}, puts the
#    recovered database in place and removes the STORE.damaged marker, so the
#    node starts again.
#
# Exit 0 when the recovered store is in place, 1 when nothing was changed.
# What the recovery lost is printed; keep the output with the incident record.
set -euo pipefail

store=${1:?usage: scripts/recover-store.sh STORE}
[ -f "$store" ] || { echo "recover-store: no store at $store" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "recover-store: sqlite3 is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }
ilo=${ILO:-$(dirname "$0")/../.build/debug/ilo}
[ -x "$ilo" ] || ilo=$(command -v ilo || true)

# The node must not be running on it: a running node holds its WAL open.
if command -v fuser >/dev/null && fuser "$store" >/dev/null 2>&1; then
    echo "recover-store: $store is open by a running process (fuser); stop the node first" >&2
    exit 1
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
recovered=$store.recovered-$stamp
rm -f "$recovered"

echo "recover-store: reading what can be read from $store"
# .recover reads every page it can, damaged b-trees included. Some builds of the
# sqlite3 shell cannot run it (Debian 12's 3.40.1 answers "SQL logic error"
# even on a sound file); .dump then reads table by table and skips what it
# cannot read. Both read the WAL when it is there.
method=.recover
if ! sqlite3 "$store" ".recover" >"$recovered.sql" 2>"$recovered.log" || ! grep -q "^COMMIT;" "$recovered.sql"; then
    method=.dump
    if ! sqlite3 "$store" ".dump" >"$recovered.sql" 2>>"$recovered.log"; then
        echo "recover-store: sqlite3 could read nothing from $store; nothing was changed. Its messages: $recovered.log" >&2
        rm -f "$recovered.sql"
        exit 1
    fi
fi
echo "recover-store: read with sqlite3 $method"
# .dump keeps going past a damaged page but ends its script with "ROLLBACK; --
# due to errors", which would throw away every row it did read: keep them.
if [ "$method" = .dump ] && tail -1 "$recovered.sql" | grep -q '^ROLLBACK; -- due to errors'; then
    sed -i '$ s/^ROLLBACK; -- due to errors$/COMMIT;/' "$recovered.sql"
    echo "recover-store: sqlite3 met damaged pages; keeping every row it could read"
fi
if ! sqlite3 "$recovered" <"$recovered.sql" 2>>"$recovered.log"; then
    echo "recover-store: the rows read could not be written to a new database; nothing was changed. Messages: $recovered.log" >&2
    exit 1
fi
rm -f "$recovered.sql"
check=$(sqlite3 "$recovered" "PRAGMA integrity_check;" | head -5)
if [ "$check" != ok ]; then
    echo "recover-store: the recovered database does not pass integrity_check ($check); nothing was changed" >&2
    exit 1
fi
# A recovery without the store's tables would start the node on an empty store.
for table in reports audit; do
    if [ "$(sqlite3 "$recovered" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$table';")" != 1 ]; then
        echo "recover-store: the recovered database has no $table table; nothing was changed (restore a backup instead). Messages: $recovered.log" >&2
        rm -f "$recovered"
        exit 1
    fi
done
# The schema version (PRAGMA user_version) tells ilod which migrations ran.
version=$(sqlite3 "$store" "PRAGMA user_version;" 2>/dev/null || true)
if [ -z "$version" ] || [ "$version" = 0 ]; then
    echo "recover-store: cannot read the schema version of $store; nothing was changed (restore a backup instead)" >&2
    rm -f "$recovered"
    exit 1
fi
sqlite3 "$recovered" "PRAGMA user_version=$version;"

count() {  # DB TABLE
    sqlite3 "$1" "SELECT count(*) FROM $2;" 2>/dev/null || echo "?"
}
echo "recover-store: rows before (as far as readable) → recovered"
for table in reports outbound deliveries dead_letters subscriptions audit erased; do
    printf '  %-14s %8s → %s\n' "$table" "$(count "$store" "$table")" "$(count "$recovered" "$table")"
done
lost=$(sqlite3 "$recovered" "SELECT count(*) FROM sqlite_master WHERE name = 'lost_and_found';")
if [ "$lost" != 0 ]; then
    echo "  lost_and_found  $(count "$recovered" lost_and_found) rows SQLite could not place in a table (kept for inspection)"
fi

if [ -n "$ilo" ]; then
    echo "recover-store: the audit trail of the recovered store"
    "$ilo" audit verify --store "$recovered" || echo "  the chain is broken where records were lost: record the head above and the gap in the incident report"
else
    echo "recover-store: ilo not found; run 'ilo audit verify --store $store' after this" >&2
fi

for suffix in "" -wal -shm; do
    [ -e "$store$suffix" ] && mv "$store$suffix" "$store.damaged-$stamp$suffix"
done
mv "$recovered" "$store"
rm -f "$recovered.log" "$store.damaged"
echo "recover-store: recovered store in place; the damaged files are kept as $store.damaged-$stamp*"
echo "recover-store: start the node; reports lost here can be sent again by their authors (their ids are in the audit trail)"
