#!/usr/bin/env bash
# Crash loop: SIGKILL a node at random moments under continuous load and prove
# that nothing acknowledged is lost or delivered twice (docs/RELIABILITY.md §1).
#
#   scripts/crash-loop.sh [--kills N] [--target hub|relay|both] [--rate R] [--keep]
#
#   hub    officers publish to a hub; two subscriber identities (authority-fr-user, authority-de-user)
#          watch '#' on it; the hub is killed.
#   relay  officers publish to a post node, which forwards through the regional
#          hub (the relay) to the board hub, where the two subscribers watch;
#          the relay is killed, mid-transfer in both directions.
#
# Each round waits a random 0.05-0.75 s of load, kill -9s the node, restarts it,
# and runs PRAGMA integrity_check on its store while it serves again. The load
# generator (`ilo bench load --resilient`) reconnects and sends unacknowledged
# reports again under the same ids; at the end it waits until every report it
# had acknowledged reached both subscribers, and prints kills, acknowledged,
# lost and duplicated. Exit status 0 only if lost and duplicated are 0 and every
# integrity check said ok.
#
# CI runs --kills 100 --target both; the long run is --kills 1000.
# The nodes listen on 127.0.0.1 ports PORT_BASE+1, +2 and +11 (PORT_BASE=17600),
# so that two runs can go side by side with different PORT_BASEs.
set -euo pipefail
cd "$(dirname "$0")/.."

kills=100 target=both rate=400 size=512 keep=no
base=${PORT_BASE:-17600}
hub_port=$((base + 1)) relay_port=$((base + 2)) post_port=$((base + 11))
while [ $# -gt 0 ]; do
    case "$1" in
    --kills) kills=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --keep) keep=yes; shift ;;
    *) echo "usage: scripts/crash-loop.sh [--kills N] [--target hub|relay|both] [--rate R] [--keep]" >&2; exit 2 ;;
    esac
done
case "$target" in hub|relay) targets=$target ;; both) targets="hub relay" ;; *) echo "--target is hub, relay or both" >&2; exit 2 ;; esac

scripts/bootstrap.sh >/dev/null
swift build -c release --product ilod >&2
swift build -c release --product ilo >&2
ILOD=$PWD/.build/release/ilod ILO=$PWD/.build/release/ilo CERTS=$PWD/certs-example
command -v sqlite3 >/dev/null || { echo "crash-loop: sqlite3 is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }

work=$(mktemp -d /tmp/ilonet-crash-loop.XXXXXX)
declare -A pids=()
load_pid=
cleanup() {
    [ -n "$load_pid" ] && kill -9 "$load_pid" 2>/dev/null || true
    for n in "${!pids[@]}"; do kill -9 "${pids[$n]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$keep" = yes ]; then echo "crash-loop: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# node NAME CERT ROLE PORT [config lines...]: writes $work/NAME/node.conf.
node() {
    local name=$1 cert=$2 role=$3 port=$4; shift 4
    mkdir -p "$work/$name"
    {
        echo "node.name        $cert.ilonet.example"
        echo "node.role        $role"
        echo "listen           127.0.0.1:$port"
        echo "store            store.sqlite"
        echo "tls.certificate  $CERTS/$cert.crt"
        echo "tls.key          $CERTS/$cert.key"
        echo "tls.ca           $CERTS/ca.crt"
        echo "tls.crl          $CERTS/ca.crl"
        echo "access           $PWD/config/network/access.rules"
        echo "link.backoff-initial 100ms"
        echo "link.backoff-max     500ms"
        echo "threads          2"
        echo "reports.signatures optional   # the load generator does not sign"
        for line in "$@"; do echo "$line"; done
    } >"$work/$name/node.conf"
}

# start NAME: starts ilod and waits for "node ready" in its log.
start() {
    local name=$1 log=$work/$1/ilod.log
    local before; before=$(grep -c 'msg="node ready"' "$log" 2>/dev/null || true)
    "$ILOD" --config "$work/$name/node.conf" 2>>"$log" &
    pids[$name]=$!
    for _ in $(seq 200); do
        [ "$(grep -c 'msg="node ready"' "$log" 2>/dev/null || true)" -gt "${before:-0}" ] && return 0
        kill -0 "${pids[$name]}" 2>/dev/null || { echo "crash-loop: $name exited; its log:" >&2; tail -20 "$log" >&2; return 1; }
        sleep 0.05
    done
    echo "crash-loop: $name did not become ready" >&2; tail -20 "$log" >&2; return 1
}

integrity() {
    local answer; answer=$(sqlite3 "$work/$1/store.sqlite" 'PRAGMA busy_timeout=10000; PRAGMA integrity_check;' | tail -1)
    [ "$answer" = ok ] || { echo "crash-loop: integrity_check of $1 after kill $2: $answer" >&2; return 1; }
}

status=0
for t in $targets; do
    rm -rf "${work:?}"/*
    pids=()
    if [ "$t" = hub ]; then
        node hub hub board-hub $hub_port
        start hub
        publish_to=127.0.0.1:$hub_port victim=hub extra=()
    else
        printf 'default -> board.ilonet.example\n' >"$work/regional.routes"
        printf 'default -> regional-na.ilonet.example\n' >"$work/post.routes"
        node board board board-hub $hub_port "peer regional-na.ilonet.example"
        node regional regional-na regional-hub $relay_port "peer board.ilonet.example 127.0.0.1:$hub_port" \
            "peer post-tripoli.ilonet.example" "routes $work/regional.routes"
        node post post-tripoli post $post_port "peer regional-na.ilonet.example 127.0.0.1:$relay_port" "routes $work/post.routes"
        start board; start regional; start post
        publish_to=127.0.0.1:$post_port victim=regional extra=(--subscriber-node 127.0.0.1:$hub_port)
    fi

    "$ILO" bench load --resilient --duration 86400 --warmup 0 --publishers 2 --window 32 --rate "$rate" --size "$size" \
        --node "$publish_to" --cert "$CERTS/officer-de.crt" --key "$CERTS/officer-de.key" --ca "$CERTS/ca.crt" \
        --subscribers 2 --subscriber-cert "$CERTS/authority-fr-user.crt,$CERTS/authority-de-user.crt" \
        --subscriber-key "$CERTS/authority-fr-user.key,$CERTS/authority-de-user.key" "${extra[@]}" --json \
        >"$work/load.json" 2>"$work/load.err" &
    load_pid=$!

    began=$(date +%s.%N) checks=0
    for k in $(seq "$kills"); do
        sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.05 + rand() * 0.7 }')"
        kill -0 "$load_pid" 2>/dev/null || { echo "crash-loop: the load generator died; its stderr:" >&2; cat "$work/load.err" >&2; exit 1; }
        kill -9 "${pids[$victim]}"
        wait "${pids[$victim]}" 2>/dev/null || true
        start "$victim"
        integrity "$victim" "$k" || status=1
        checks=$((checks + 1))
        [ $((k % 25)) -eq 0 ] && echo "crash-loop [$t]: $k of $kills kills" >&2
    done
    seconds=$(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

    # Stop the load; the generator drains (up to 120 s) and prints its ledger.
    kill -TERM "$load_pid"
    load_status=0
    wait "$load_pid" || load_status=$?
    load_pid=
    for n in "${!pids[@]}"; do integrity "$n" end || status=1; done
    python3 - "$work/load.json" "$t" "$kills" "$checks" "$seconds" <<'PY' || status=1
import json, sys
path, target, kills, checks, seconds = sys.argv[1:]
summary = json.load(open(path))
ledger = summary["ledger"]
lost, duplicated = sum(ledger["lost"]), sum(ledger["duplicated"])
print(f"crash-loop [{target}]: {kills} kills in {seconds} s, {checks} integrity checks ok; "
      f"{ledger['acknowledged']} reports acknowledged, delivered to 2 subscribers: "
      f"lost {lost}, duplicated {duplicated} "
      f"(redelivered before confirmation, deduplicated by id: {sum(ledger['redelivered'])}; "
      f"clients reconnected {ledger['reconnects']} times; refused for good {ledger['abandoned']})")
sys.exit(0 if lost == 0 and duplicated == 0 and ledger["acknowledged"] > 0 else 1)
PY
    if [ "$load_status" -ne 0 ]; then
        echo "crash-loop [$t]: the load generator exited with $load_status; stderr:" >&2; cat "$work/load.err" >&2
        cat "$work/load.json" >&2
        status=1
    fi
    for n in "${!pids[@]}"; do kill -TERM "${pids[$n]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
done
exit $status
