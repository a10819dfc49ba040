#!/usr/bin/env bash
# The officer's link (issue 30; docs/PERFORMANCE.md, "The officer's link"): a
# post node on loopback and, between `ilo` and it, the link emulator (`ilo bench
# link`: each direction paced to its rate and delayed by half the round trip,
# buffering what a modem would, cut on a schedule) with each profile:
#
#   satellite  256 kbit/s up, 1 Mbit/s down, 600 ms round trip
#   3g         384 kbit/s up and down, 150 ms
#   cuts       the satellite profile, cut every 30 s for 10 s
#
# What it measures today (attachments travel now, but this script does not yet send one: goodput,
# flash_during_upload_ms and resent_kib_after_cut are not measured):
#
#   first_report_rtts  a fresh `ilo send` (a new process: TCP, TLS, HELLO, PUBLISH)
#                      through the link, minus the same send straight to the node,
#                      in round trips (median of 5)
#   report_ms          that send's wall time through the link (median of 5)
#   cuts: sent=N stored_once=N  reports sent one every 4 s for 40 s across the cuts
#                      with ilo's outbox (ilo send, then ilo outbox flush until
#                      empty): each stored exactly once
#
# The last line for each profile is
#   link PROFILE: first_report_rtts=… report_ms=… rtt_ms=… [sent=… stored_once=…]
#
#   bench/link.sh [--profile NAME]... [--smoke]
#
# Default: all three profiles. --smoke: satellite and 3g only, 3 sends each (CI).
# ILOD and ILO may name other binaries (default: a release build of this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=() rounds=5
while [ $# -gt 0 ]; do
    case "$1" in
    --profile) profiles+=("$2"); shift 2 ;;
    --smoke) profiles=(satellite 3g) rounds=3; shift ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: bench/link.sh [--profile satellite|3g|cuts]... [--smoke]" >&2; exit 2 ;;
    esac
done
[ ${#profiles[@]} -gt 0 ] || profiles=(satellite 3g cuts)

scripts/bootstrap.sh >/dev/null
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
    ILOD=$PWD/.build/release/ilod ILO=$PWD/.build/release/ilo
fi
work=$(mktemp -d /tmp/ilonet-link.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "link bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
# ilo's outbox for this run only.
export XDG_STATE_HOME=$work/ilo-state

read -r port link < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
cat >"$work/node.conf" <<CONF
node.name        post-tripoli.ilonet.example
node.role        post
listen           127.0.0.1:$port
store            $work/store.sqlite
tls.certificate  $PWD/certs-example/post-tripoli.crt
tls.key          $PWD/certs-example/post-tripoli.key
tls.ca           $PWD/certs-example/ca.crt
tls.crl          $PWD/certs-example/ca.crl
access           $PWD/config/network/access.rules
CONF
chmod 600 "$work/node.conf"
"$ILOD" --config "$work/node.conf" 2>"$work/ilod.log" &
pids+=($!)
for _ in $(seq 100); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.1; done
send() {  # send PORT: one fresh ilo send as Müller; prints its wall time in ms
    local start end
    start=$(date +%s%N)
    "$ILO" send --file config/demo/smuggling-zuwara.json --node "127.0.0.1:$1" --server-name post-tripoli.ilonet.example \
        --cert certs-example/officer-de.crt --key certs-example/officer-de.key --ca certs-example/ca.crt >/dev/null
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for profile in "${profiles[@]}"; do
    "$ILO" bench link --to "$port" --listen "$link" --profile "$profile" >"$work/link-$profile.log" &
    emulator=$!
    pids+=($emulator)
    for _ in $(seq 50); do grep -q '^link: 127' "$work/link-$profile.log" && break; sleep 0.1; done
    rtt=$(case $profile in 3g) echo 150 ;; *) echo 600 ;; esac)
    direct=$(for _ in $(seq "$rounds"); do send "$port"; done | median)
    through=$(for _ in $(seq "$rounds"); do send "$link"; done | median)
    rtts=$(awk -v t="$through" -v d="$direct" -v r="$rtt" 'BEGIN { printf "%.1f", (t - d) / r }')
    extra=""
    if [ "$profile" = cuts ]; then
        sent=0
        for _ in $(seq 10); do
            "$ILO" send --file config/demo/smuggling-zuwara.json --headline "cut test $RANDOM$RANDOM" --node "127.0.0.1:$link" \
                --server-name post-tripoli.ilonet.example --cert certs-example/officer-de.crt --key certs-example/officer-de.key \
                --ca certs-example/ca.crt >/dev/null 2>&1 || true
            sent=$((sent + 1))
            sleep 4
        done
        # What ilo kept while the link was cut goes when it is up (at most 120 s).
        for _ in $(seq 60); do
            "$ILO" outbox flush --node "127.0.0.1:$link" --server-name post-tripoli.ilonet.example --cert certs-example/officer-de.crt \
                --key certs-example/officer-de.key --ca certs-example/ca.crt >/dev/null 2>&1 && break
            sleep 2
        done
        stored=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM reports WHERE headline LIKE 'cut test %'")
        distinct=$(sqlite3 "$work/store.sqlite" "SELECT count(DISTINCT headline) FROM reports WHERE headline LIKE 'cut test %'")
        extra=" sent=$sent stored_once=$([ "$stored" = "$distinct" ] && echo "$stored" || echo "DUPLICATES:$stored/$distinct")"
    fi
    kill "$emulator" 2>/dev/null || true
    wait "$emulator" 2>/dev/null || true
    tail -n 1 "$work/link-$profile.log" >&2
    echo "link $profile: first_report_rtts=$rtts report_ms=$through direct_ms=$direct rtt_ms=$rtt$extra"
done
