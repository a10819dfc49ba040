#!/usr/bin/env bash
# Officer crash loop: all load comes from `ilo send` processes, as officers type
# reports, while the node they send to is killed with SIGKILL at random moments
# and some `ilo send` processes are killed mid-send too (docs/RELIABILITY.md §1).
# Proves the officer's own link: every report an officer "typed" — `ilo send`
# printed its id, or said it was queued on this computer — reaches its reader
# exactly once, and no report reaches it twice.
#
#   scripts/officer-crash-loop.sh [--kills N] [--officers K] [--keep]
#
# K officers (default 3), each with an outbox of their own (XDG_STATE_HOME),
# send reports one after another to a platform hub; about one `ilo send` in four
# is killed -9 after a random 0-0.4 s. The hub is killed N times (default 20)
# at random 0.3-1.2 s intervals and restarted. At the end every officer runs
# `ilo outbox flush --watch`, France's contact point reads the inbox, and the script
# compares: typed, stored at the hub, delivered to the contact point (by
# headline, each unique). Exit 0 only if every typed report is there exactly
# once and no headline appears twice.
#
# CI runs --kills 10. The hub listens on 127.0.0.1:PORT_BASE+21 (PORT_BASE=17600).
set -euo pipefail
cd "$(dirname "$0")/.."

kills=20 officers=3 keep=no
base=${PORT_BASE:-17600}
port=$((base + 21))
while [ $# -gt 0 ]; do
    case "$1" in
    --kills) kills=$2; shift 2 ;;
    --officers) officers=$2; shift 2 ;;
    --keep) keep=yes; shift ;;
    *) echo "usage: scripts/officer-crash-loop.sh [--kills N] [--officers K] [--keep]" >&2; exit 2 ;;
    esac
done

scripts/bootstrap.sh >/dev/null
swift build -c release --product ilod >&2
swift build -c release --product ilo >&2
ILOD=$PWD/.build/release/ilod ILO=$PWD/.build/release/ilo CERTS=$PWD/certs-example
command -v sqlite3 >/dev/null || { echo "officer-crash-loop: sqlite3 is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }

work=$(mktemp -d /tmp/ilonet-officer-crash-loop.XXXXXX)
hub_pid= senders=()
cleanup() {
    for p in "${senders[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    [ -n "$hub_pid" ] && kill -9 "$hub_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    if [ "$keep" = yes ]; then echo "officer-crash-loop: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

mkdir -p "$work/hub"
cat >"$work/hub/node.conf" <<CONF
node.name        hub.ilonet.example
node.role        platform-hub
listen           127.0.0.1:$port
store            store.sqlite
tls.certificate  $CERTS/hub.crt
tls.key          $CERTS/hub.key
tls.ca           $CERTS/ca.crt
tls.crl          $CERTS/ca.crl
access           $PWD/config/network/access.rules
threads          2
CONF

start_hub() {
    local log=$work/hub/ilod.log before
    before=$(grep -c 'msg="node ready"' "$log" 2>/dev/null || true)
    "$ILOD" --config "$work/hub/node.conf" 2>>"$log" &
    hub_pid=$!
    for _ in $(seq 200); do
        [ "$(grep -c 'msg="node ready"' "$log" 2>/dev/null || true)" -gt "${before:-0}" ] && return 0
        kill -0 "$hub_pid" 2>/dev/null || { echo "officer-crash-loop: the hub exited; its log:" >&2; tail -20 "$log" >&2; return 1; }
        sleep 0.05
    done
    echo "officer-crash-loop: the hub did not become ready" >&2; return 1
}

as() {  # as IDENTITY STATE-DIR ilo-arguments...
    local who=$1 state=$2; shift 2
    XDG_STATE_HOME=$state "$ILO" "$@" --node "127.0.0.1:$port" --cert "$CERTS/$who.crt" --key "$CERTS/$who.key" --ca "$CERTS/ca.crt"
}

start_hub
# France's contact point is known to the hub before the reports arrive, subscribed to everything.
as authority-fr-user "$work/board" subscribe '#' >/dev/null

echo '{"route": {"origin": ["NE"], "destination": ["IT"]}, "modus_operandi": "Night departures.", "means_of_transport": ["boat"]}' >"$work/body.json"

# officer N: sends reports one after another until $work/stop exists; records
# "typed HEADLINE ID" when ilo printed an id (sent, or queued on this computer).
officer() {
    local n=$1 i=0 state=$work/officer-$1 out
    mkdir -p "$state"
    while [ ! -e "$work/stop" ]; do
        i=$((i + 1))
        local headline="typed $n-$i"
        out=$state/out-$i
        # ilo itself is the background job, so that the kill lands on it, mid-send.
        XDG_STATE_HOME=$state "$ILO" send --kind smuggling --country LY --headline "$headline" \
            --reliability B --accuracy 2 --level strategic --node "127.0.0.1:$port" \
            --cert "$CERTS/officer-de.crt" --key "$CERTS/officer-de.key" --ca "$CERTS/ca.crt" \
            <"$work/body.json" >"$out" 2>"$out.err" &
        local pid=$!
        if [ $((RANDOM % 4)) -eq 0 ]; then
            sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", rand() * 0.4 }')"
            kill -9 "$pid" 2>/dev/null || true
        fi
        local rc=0
        wait "$pid" 2>/dev/null || rc=$?
        local id; id=$(head -1 "$out" 2>/dev/null || true)
        if [[ "$id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
            echo "$headline $id" >>"$work/typed"
        elif [ "$rc" -ne 137 ] && [ "$rc" -ne 4 ] && [ "$rc" -ne 0 ]; then
            echo "$headline failed $rc: $(cat "$out.err")" >>"$work/failed"
        fi
        rm -f "$out" "$out.err"
    done
}

for n in $(seq "$officers"); do
    officer "$n" &
    senders+=($!)
done

began=$(date +%s.%N)
for k in $(seq "$kills"); do
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 0.9 }')"
    kill -9 "$hub_pid"
    wait "$hub_pid" 2>/dev/null || true
    start_hub
    [ $((k % 10)) -eq 0 ] && echo "officer-crash-loop: $k of $kills hub kills" >&2
done
touch "$work/stop"
for p in "${senders[@]}"; do wait "$p" 2>/dev/null || true; done
senders=()
seconds=$(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

# Whatever is still queued on the officers' computers goes now.
for n in $(seq "$officers"); do
    timeout 120 bash -c "$(declare -f as); ILO=$ILO CERTS=$CERTS port=$port; as officer-de '$work/officer-$n' outbox flush --watch" >/dev/null 2>"$work/flush-$n.err" || {
        echo "officer-crash-loop: officer $n's outbox did not empty:" >&2; cat "$work/flush-$n.err" >&2; exit 1; }
done
as authority-fr-user "$work/board" inbox --json >"$work/board.json"
sqlite3 "$work/hub/store.sqlite" "SELECT headline, id FROM reports WHERE kind = 'smuggling'" >"$work/stored"
touch "$work/typed" "$work/failed"
python3 - "$work" "$kills" "$seconds" <<'PY'
import json, sys, collections
work, kills, seconds = sys.argv[1:]
typed = {}
for line in open(f"{work}/typed"):
    headline, id_ = line.rsplit(" ", 1)
    typed[headline] = id_.strip()
stored = collections.Counter(line.split("|")[0] for line in open(f"{work}/stored") if line.strip())
board = collections.Counter(r["headline"] for r in json.load(open(f"{work}/board.json")))
failed = [l.strip() for l in open(f"{work}/failed") if l.strip()]
lost = [h for h in typed if stored[h] == 0 or board[h] == 0]
duplicated = [h for h, n in list(stored.items()) + list(board.items()) if n > 1]
untyped = [h for h in stored if h not in typed]
print(f"officer-crash-loop: {kills} hub kills in {seconds} s; {len(typed)} reports typed "
      f"(ilo send printed an id), {sum(stored.values())} stored at the hub, {sum(board.values())} delivered to the reader (France's contact point); "
      f"lost {len(lost)}, duplicated {len(set(duplicated))}; {len(untyped)} sent by an ilo killed before it printed the id, each once; "
      f"failed sends {len(failed)}")
for h in lost[:10]: print(f"  lost: {h} {typed[h]} (stored {stored[h]}, delivered {board[h]})")
for h in sorted(set(duplicated))[:10]: print(f"  duplicated: {h} (stored {stored[h]}, delivered {board[h]})")
for f in failed[:10]: print(f"  failed: {f}")
sys.exit(0 if not lost and not duplicated and not failed and typed else 1)
PY
