#!/usr/bin/env bash
# Does cost grow with the store? (issue 20, docs/PERFORMANCE.md "A store of
# millions"). Builds once, and keeps between runs, a hub store of N reports
# (`ilo bench search-store`: synthetic smuggling reports, indexed for search)
# in which France's contact point ncp.fr.bernard has confirmed all but the last
# 1,000 and Q reports wait in the outbound queue for a peer that is down. Then:
#
#   restart   a hub starts on that store (its quick_check runs beside serving
#             on a store this large): seconds until it answers its first
#             request (`ilo ping`), and how long the check took
#   fetch     ncp.fr.bernard's FETCH of 100 pending reports, 200 times
#             (`ilo bench fetch`): p50, p99
#   load      the publish load of bench/compare-mosquitto.sh (unsigned, the
#             board member watching everything) against a hub on that store and
#             against one on an empty
#             store, alternated, ROUNDS × DURATION s each: acknowledged per
#             second, and the ratio. These hubs start with --skip-store-check:
#             the start check (measured above) would otherwise read the whole
#             store beside the load for its first minute; the load measures the
#             steady state. LOAD_WITH_CHECK=1 keeps the check, to see its cost.
#
# and prints each against its target with PASS or FAIL; raw figures as JSON
# lines in $OUT.
#
#   bench/big-store.sh [--reports 5000000] [--queued 1000000]
#   ROUNDS=3 DURATION=10 PIN=1 STORE_DIR=/var/tmp/ilonet-big-store bench/big-store.sh
#
# Writing 5 million reports takes about 10 minutes and 9 GB in STORE_DIR (kept:
# remove the directory to build it again). Every load run adds its reports to
# the big store. The hub listens on 127.0.0.1:PORT_BASE+45 (PORT_BASE=17600).
set -euo pipefail
cd "$(dirname "$0")/.."
reports=5000000 queued=1000000
while [ $# -gt 0 ]; do
    case "$1" in
    --reports) reports=$2; shift 2 ;;
    --queued) queued=$2; shift 2 ;;
    *) echo "usage: bench/big-store.sh [--reports N] [--queued N]" >&2; exit 2 ;;
    esac
done
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10}
dir=${STORE_DIR:-/var/tmp/ilonet-big-store}
port=$(( ${PORT_BASE:-17600} + 45 ))
scripts/bootstrap.sh >/dev/null
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
fi
ilod=${ILOD:-$PWD/.build/release/ilod} ilo=${ILO:-$PWD/.build/release/ilo}
server_cpu=() client_cpu=()
if [ -n "${PIN:-}" ]; then server_cpu=(taskset -c 0) client_cpu=(taskset -c 1); fi
work=$(mktemp -d /tmp/ilonet-big.XXXXXX)
OUT=${OUT:-$work/results.jsonl}
hub=
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
board=(--cert certs-example/authority-fr-user.crt --key certs-example/authority-fr-user.key --ca certs-example/ca.crt)

# The store: reports first, then the reader's deliveries and the outbound queue, in SQL.
store=$dir/store-$reports-$queued.sqlite
if [ ! -f "$store" ]; then
    mkdir -p "$dir"
    rm -f "$dir/building.sqlite"*
    echo "writing $reports reports into $dir (once; kept for later runs)" >&2
    "$ilo" bench search-store --store "$dir/building.sqlite" --count "$reports" >&2
    echo "adding the reader's deliveries and $queued queued entries" >&2
    sqlite3 "$dir/building.sqlite" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO deliveries (identity, report_seq, priority, queued_ms, confirmed_ms)
    SELECT 'ncp.fr.bernard', seq, 3, received_ms, CASE WHEN seq > (SELECT max(seq) - 1000 FROM reports) THEN NULL ELSE received_ms END FROM reports;
INSERT INTO outbound (report_seq, next_hop, priority, expires_ms, state, attempts, queued_ms, next_attempt_ms)
    SELECT seq, 'regional-na.ilonet.example', 3, received_ms + 90 * 86400000, 'ready', 0, received_ms, 0 FROM reports ORDER BY seq DESC LIMIT $queued;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
    mv "$dir/building.sqlite" "$store"
fi
echo "store: $(du -h "$store" | cut -f1), $(sqlite3 "$store" 'SELECT count(*) FROM reports') reports, $(sqlite3 "$store" 'SELECT count(*) FROM outbound') queued" >&2

config() {  # STORE FILE: the example hub, signatures optional, a peer that is down
    sed -e 's/^reports.signatures .*/reports.signatures optional/' -e 's/^limits.publish-rate .*/limits.publish-rate 100000/' \
        -e "s|^listen .*|listen           127.0.0.1:$port|" -e '/^web.listen/d' \
        -e "s|^store .*|store            $1|" -e "s|\.\./certs-example/|$PWD/certs-example/|g" config/hub.conf
    echo "peer             regional-na.ilonet.example   127.0.0.1:$((port + 1))"
}
# France's contact point's last 1,000 deliveries wait again (as the store was built;
# the load runs of the last invocation confirmed them).
sqlite3 "$store" "UPDATE deliveries SET confirmed_ms = NULL WHERE identity = 'ncp.fr.bernard' AND report_seq IN
    (SELECT report_seq FROM deliveries WHERE identity = 'ncp.fr.bernard' ORDER BY report_seq DESC LIMIT 1000)" >/dev/null
config "$store" >"$work/big.conf"
mkdir -p "$work/empty"

start_hub() {  # CONFIG [ARGUMENTS]: starts the hub, sets $hub and $started (ns)
    : >"$work/ilod.log"
    started=$(date +%s%N)
    "${server_cpu[@]}" "$ilod" --config "$1" "${@:2}" 2>"$work/ilod.log" &
    hub=$!
}
stop_hub() { kill "$hub" 2>/dev/null; wait "$hub" 2>/dev/null || true; hub=; }

# Restart: from exec to the first answered request.
start_hub "$work/big.conf"
answered=""
for _ in $(seq 1200); do
    if "$ilo" ping --node "127.0.0.1:$port" "${board[@]}" >/dev/null 2>&1; then answered=$(date +%s%N); break; fi
    kill -0 "$hub" 2>/dev/null || { cat "$work/ilod.log" >&2; exit 1; }
    sleep 0.05
done
restart=$(python3 -c "print(round(($answered - $started) / 1e9, 3) if '$answered' else 'null')")
for _ in $(seq 600); do grep -q 'msg="store checked"' "$work/ilod.log" && break; sleep 0.2; done
check=$(grep -o 'msg="store checked".*seconds=[0-9.]*' "$work/ilod.log" | grep -o 'seconds=[0-9.]*' | cut -d= -f2 || true)
echo "{\"measure\": \"restart\", \"seconds\": $restart, \"store_check_seconds\": ${check:-null}}" >>"$OUT"

# FETCH of 100 pending, idle hub.
"${client_cpu[@]}" "$ilo" bench fetch --requests 200 --limit 100 --json --node "127.0.0.1:$port" "${board[@]}" >"$work/fetch.json"
python3 -c "import json; d=json.load(open('$work/fetch.json')); d['measure']='fetch'; print(json.dumps(d))" >>"$OUT"
stop_hub

# Publish load: big store and empty store, alternated.
load() {  # NAME CONFIG
    if [ -n "${LOAD_WITH_CHECK:-}" ]; then start_hub "$2"; else start_hub "$2" --skip-store-check; fi
    for _ in $(seq 1200); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.05; done
    "${client_cpu[@]}" "$ilo" bench load --protocol ilonet --publishers 4 --subscribers 1 --size 1024 --duration "$DURATION" --pid "$hub" --json \
        --node "127.0.0.1:$port" --ca certs-example/ca.crt --cert certs-example/officer-de.crt --key certs-example/officer-de.key \
        --subscriber-cert certs-example/authority-fr-user.crt --subscriber-key certs-example/authority-fr-user.key >"$work/load.json" 2>"$work/load.err" || true
    python3 -c "import json; d=json.load(open('$work/load.json')); d['measure']='load'; d['store']='$1'; print(json.dumps(d))" >>"$OUT" \
        || { echo "load on the $1 store failed:" >&2; cat "$work/load.err" >&2; }
    stop_hub
}
for round in $(seq "$ROUNDS"); do
    rm -rf "$work/empty"; mkdir -p "$work/empty"
    config "$work/empty/store.sqlite" >"$work/empty.conf"
    echo "round $round/$ROUNDS: publish load, big store then empty store" >&2
    load big "$work/big.conf"
    load empty "$work/empty.conf"
done

python3 - "$OUT" "$reports" "$queued" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
reports, queued = int(sys.argv[2]), int(sys.argv[3])
restart = next(r for r in rows if r.get("measure") == "restart")
fetch = next(r for r in rows if r.get("measure") == "fetch")
def tp(store): return statistics.median([r["throughput_per_s"] for r in rows if r.get("measure") == "load" and r["store"] == store] or [float("nan")])
big, empty = tp("big"), tp("empty")
print(f"store of {reports:,} reports, {queued:,} queued:")
print(f"  restart to first answer: {restart['seconds']} s (its store check took {restart['store_check_seconds']} s)")
print(f"  FETCH of 100 pending: p50 {fetch['p50_ms']:.2f} ms, p99 {fetch['p99_ms']:.2f} ms ({fetch['reports_each']:.0f} reports each)")
print(f"  acknowledged per second: {big:,.0f} on it, {empty:,.0f} on an empty store ({big / empty:.2f} ×)")
targets = [
    ("throughput ≥ 80 % of the empty store's", big / empty >= 0.8, f"{big / empty * 100:.0f} %"),
    ("FETCH of 100 pending p99 ≤ 10 ms", fetch["p99_ms"] <= 10, f"{fetch['p99_ms']:.2f} ms"),
    ("restarted with the queue, first request served within 1 s", restart["seconds"] is not None and restart["seconds"] <= 1, f"{restart['seconds']} s"),
]
print("targets (issue 20):")
for name, passed, shown in targets:
    print(f"  {'PASS' if passed else 'FAIL'}  {name}: {shown}")
print(f"raw results: {sys.argv[1]}")
PY
