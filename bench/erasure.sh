#!/usr/bin/env bash
# The erasure benchmark (issue 29; docs/RELIABILITY.md §7, "Erase now: targets"):
# orders to erase reports now, on the example network (bench/example-network.sh:
# five nodes on ports 176xx, stores in a temporary directory). Müller sends
# --orders + 10 smuggling reports about Libya from the post in Tripoli, each
# with a marker of its own; each reaches the regional hub, the board hub,
# Germany's authority node and Rossi's home post in Tunis (5 nodes hold it).
#
#   1. All nodes up: Müller orders each of --orders reports erased (`ilo erase`),
#      one after another. Per order: from the order's arrival at the post to the
#      last receipt back there (received_ms in the post's store): p50, p99, max
#      (target: p99 ≤ 5 s), and every holder's signed receipt back (target: all).
#   2. The post in Tunis is down: 10 more orders; the other nodes answer. Tunis
#      comes back; from its start to each of its receipts back at the post:
#      max (target ≤ 5 s after it reconnects).
#   3. No file under any node's directory, nor the officer's outbox, contains any
#      report's marker (target 0).
#
# --crash: during step 1, the regional hub (every order passes it) is killed with
# SIGKILL every 0.5 s (after it restarted) and restarted, and Müller waits 0.1 s
# between orders; every order must still be carried out and every
# receipt come back (no order and no receipt lost; latencies are then not targets).
#
#   bench/erasure.sh [--orders N] [--crash] [--json FILE] [--smoke]
#
# --smoke is --orders 20 --crash (CI runs it). Default: 100 orders. Exit status 1 if
# a receipt is missing or a marker is found. PIN=1, KEEP=1, ILOD, ILO: as in
# bench/network.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
orders=100 crash=no json=
while [ $# -gt 0 ]; do
    case "$1" in
    --orders) orders=$2; shift 2 ;;
    --crash) crash=yes; shift ;;
    --json) json=$2; shift 2 ;;
    --smoke) orders=20 crash=yes; shift ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: bench/erasure.sh [--orders N] [--crash] [--json FILE] [--smoke]" >&2; exit 2 ;;
    esac
done
BENCH_NAME="erasure bench"
# shellcheck source=bench/example-network.sh
. bench/example-network.sh

holders="post-tripoli regional-na board authority-de post-tunis"
# The officer's computer: ilo's outbox (ilo erase erases the report there too).
export XDG_STATE_HOME=$work/ilo-state
total=$((orders + 10))
echo "$BENCH_NAME: $total reports from post-tripoli, each held at 5 nodes" >&2
: >"$work/reports"
for i in $(seq "$total"); do
    marker="ERASEMARK$(printf '%04d' "$i")$RANDOM$RANDOM"
    sed -e "s|\"headline\": *\"[^\"]*\"|\"headline\": \"bench erasure $marker\"|" config/demo/smuggling-zuwara.json >"$work/report.json"
    id=$(as officer-de post-tripoli send --file "$work/report.json")
    echo "$id $marker" >>"$work/reports"
done
everywhere() {
    for n in $holders; do [ "$(q "$n" "SELECT count(*) FROM reports WHERE headline LIKE 'bench erasure %'")" -ge "$total" ] || return 1; done
}
for _ in $(seq 600); do everywhere && break; sleep 0.1; done
everywhere || { echo "$BENCH_NAME: the reports did not reach all five nodes" >&2; exit 1; }

# 1. Every node up (the regional hub killed now and then with --crash).
crasher=
if [ "$crash" = yes ]; then
    echo "${node_pid[regional-na]}" >"$work/regional.pid"
    touch "$work/crashing"
    (
        kills=0
        while [ -f "$work/crashing" ]; do
            sleep 0.5
            [ -f "$work/crashing" ] || break
            kill -9 "$(cat "$work/regional.pid")" 2>/dev/null || true
            kills=$((kills + 1))
            echo "$kills" >"$work/kills"
            sleep 0.3
            $server_cpu "$ILOD" --config "$work/regional-na.conf" 2>>"$work/regional-na/ilod.log" &
            echo $! >"$work/regional.pid"
            ready regional-na $((kills + 1)) || true
        done
    ) &
    crasher=$!
fi
head -n "$orders" "$work/reports" | while read -r id _; do
    as officer-de post-tripoli erase "$id" --ground purpose-fulfilled --json >/dev/null || echo "$BENCH_NAME: ilo erase $id failed" >&2
    if [ "$crash" = yes ]; then sleep 0.1; fi
done
# Receipts back: 5 per order (at most 120 s).
answered() {  # answered N-ORDERS RECEIPTS-EACH: every order about the first N reports has that many receipts at the post
    [ "$(q post-tripoli "SELECT count(*) FROM reports o WHERE o.kind = 'erasure' AND (SELECT count(*) FROM reports n WHERE n.kind = 'notice'
        AND json_extract(CAST(n.document AS TEXT), '\$.body.about') = o.id AND json_extract(CAST(n.document AS TEXT), '\$.body.event') = 'erased') >= $2")" -ge "$1" ]
}
for _ in $(seq 1200); do answered "$orders" 5 && break; sleep 0.1; done
if [ -n "$crasher" ]; then
    rm -f "$work/crashing"
    wait "$crasher" || true
    # The regional hub is left running (the last restart), or started again.
    kill -0 "$(cat "$work/regional.pid")" 2>/dev/null || { start_node regional-na; echo "${node_pid[regional-na]}" >"$work/regional.pid"; }
    pids+=("$(cat "$work/regional.pid")")
    for _ in $(seq 1200); do answered "$orders" 5 && break; sleep 0.1; done
fi
q post-tripoli "SELECT o.id, o.received_ms, (SELECT count(*) FROM reports n WHERE n.kind = 'notice' AND json_extract(CAST(n.document AS TEXT), '\$.body.about') = o.id
    AND json_extract(CAST(n.document AS TEXT), '\$.body.event') = 'erased'), (SELECT max(n.received_ms) FROM reports n WHERE n.kind = 'notice'
    AND json_extract(CAST(n.document AS TEXT), '\$.body.about') = o.id) FROM reports o WHERE o.kind = 'erasure' ORDER BY o.seq" >"$work/online"

# 2. The post in Tunis is down for 10 orders, then comes back.
kill "${node_pid[post-tunis]}"
wait "${node_pid[post-tunis]}" 2>/dev/null || true
tail -n 10 "$work/reports" | while read -r id _; do
    as officer-de post-tripoli erase "$id" --ground purpose-fulfilled --json >/dev/null || echo "$BENCH_NAME: ilo erase $id failed" >&2
done
for _ in $(seq 600); do answered "$total" 4 && break; sleep 0.1; done
restart_ms=$(date +%s%3N)
start_node post-tunis
for _ in $(seq 1200); do answered "$total" 5 && break; sleep 0.1; done
q post-tripoli "SELECT n.received_ms FROM reports n WHERE n.kind = 'notice' AND json_extract(CAST(n.document AS TEXT), '\$.body.node') = 'post-tunis.ilonet.example'
    AND json_extract(CAST(n.document AS TEXT), '\$.body.event') = 'erased' AND n.received_ms >= $restart_ms" >"$work/after-restart"

# 3. The markers, in every file under every node's directory (the WAL is truncated after each erasure: wait for it).
sleep 2
cut -d' ' -f2 "$work/reports" >"$work/markers"
found=$(grep -rlaF -f "$work/markers" "$work"/board "$work"/authority-de "$work"/regional-na "$work"/post-tripoli "$work"/post-tunis "$XDG_STATE_HOME" 2>/dev/null | wc -l || true)
kills=$(cat "$work/kills" 2>/dev/null || echo 0)

python3 - "$work" "$json" "$orders" "$restart_ms" "$found" "$crash" "$kills" <<'PY'
import json, sys
work, out, orders, restart_ms, found, crash, kills = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "yes", int(sys.argv[7])
rows = [l.split("|") for l in open(f"{work}/online").read().split("\n") if l]
latencies, missing = [], 0
for order_id, received, receipts, last in rows[:orders]:
    if int(receipts) < 5:
        missing += 5 - int(receipts)
    elif last:
        latencies.append(int(last) - int(received))
latencies.sort()
def pct(p):
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None
after = sorted(int(l) - restart_ms for l in open(f"{work}/after-restart").read().split("\n") if l)
result = {
    "orders": orders, "holders_per_report": 5, "sigkills_of_the_regional_hub": kills if crash else 0,
    "receipts_missing": missing,
    "all_receipts_back_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": latencies[-1] if latencies else None},
    "node_down_then_back": {"orders": 10, "receipts_after_restart": len(after), "max_ms_after_start": after[-1] if after else None},
    "files_with_a_marker": found,
}
print(json.dumps(result, indent=2))
if out:
    open(out, "w").write(json.dumps(result) + "\n")
if crash and kills == 0:
    print("erasure bench: --crash, but the regional hub was never killed during the orders", file=sys.stderr)
    sys.exit(1)
if missing or len(after) < 10 or found:
    print("erasure bench: a receipt is missing, the restarted node did not answer every order, or a marker is still on disk", file=sys.stderr)
    sys.exit(1)
PY
