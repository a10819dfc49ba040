#!/usr/bin/env bash
# Where a hub's CPU goes under the publish load (docs/PERFORMANCE.md, "Profile
# of the publish path"): starts a hub of its own (the example configuration,
# signatures optional, publish rate unlimited, its own port and store), runs
# `ilo bench load --protocol ilonet $signed $rate --publishers 4 --subscribers 1 --size 1024`
# against it, records the hub with `perf record -e cpu-clock -g` for SECONDS in
# the middle of the load, and prints the load's figures, the bytes and write
# calls the hub made per report (/proc/PID/io), and the functions with the
# largest share of the hub's samples (inclusive), then the libraries.
#
#   bench/profile.sh [--seconds 8] [--top 30] [--signed] [--rate N]
#
# --signed: the hub requires signatures (as by default) and the load signs
# every report with the officer's key (`ilo bench load --signed`).
# --rate N: the load offers N reports per second in all (`ilo bench load
# --rate`), e.g. half of the maximum, to see what a report costs below it.
#
# Always pinned: the hub on core 0, the load on core 1 (taskset). The hub
# listens on 127.0.0.1:PORT_BASE+43 (PORT_BASE=17600). perf comes from Debian's
# linux-perf (installed if missing); the profile stays in $OUT (default
# /tmp/ilonet-profile.perf) for `perf report -i`. ILOD and ILO may name other
# binaries (e.g. two builds to compare).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=8 top=30 signed="" rate=""
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --signed) signed=--signed; shift ;;
    --rate) rate="--rate $2"; shift 2 ;;
    *) echo "usage: bench/profile.sh [--seconds 8] [--top 30] [--signed] [--rate N]" >&2; exit 2 ;;
    esac
done
out=${OUT:-/tmp/ilonet-profile.perf}
port=$(( ${PORT_BASE:-17600} + 43 ))
scripts/bootstrap.sh >/dev/null
if ! command -v perf >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq linux-perf >/dev/null
fi
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
fi
ilod=${ILOD:-.build/release/ilod} ilo=${ILO:-.build/release/ilo}
work=$(mktemp -d /tmp/ilonet-profile.XXXXXX)
hub=""
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
signatures=optional; [ -z "$signed" ] || signatures=required
sed -e "s/^reports.signatures .*/reports.signatures $signatures/" -e 's/^limits.publish-rate .*/limits.publish-rate 100000/' \
    -e "s|^listen .*|listen           127.0.0.1:$port|" -e '/^web.listen/d' \
    -e "s|^store .*|store            $work/store.sqlite|" -e "s|\.\./certs-example/|$PWD/certs-example/|g" config/hub.conf >"$work/hub.conf"
taskset -c 0 "$ilod" --config "$work/hub.conf" 2>"$work/ilod.log" &
hub=$!
for _ in $(seq 100); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.1; done
grep -q 'msg="node ready"' "$work/ilod.log" || { cat "$work/ilod.log" >&2; exit 1; }
io_before=$(awk '/^(wchar|syscw)/ { printf "%s ", $2 }' "/proc/$hub/io")
taskset -c 1 "$ilo" bench load --protocol ilonet $signed $rate --publishers 4 --subscribers 1 --size 1024 --duration $((seconds + 4)) --pid "$hub" --json \
    --node "127.0.0.1:$port" --ca certs-example/ca.crt --cert certs-example/officer-de.crt --key certs-example/officer-de.key \
    --subscriber-cert certs-example/authority-fr-user.crt --subscriber-key certs-example/authority-fr-user.key >"$work/load.json" 2>"$work/load.err" &
load=$!
sleep 2
perf record -e cpu-clock -F 499 -g -p "$hub" -o "$out" -- sleep "$seconds" >/dev/null 2>&1
wait $load || { cat "$work/load.err" >&2; exit 1; }
io_after=$(awk '/^(wchar|syscw)/ { printf "%s ", $2 }' "/proc/$hub/io")
python3 - "$work/load.json" $io_before $io_after <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpu = d["server_cpu_cores"]
print(f"load: {d['throughput_per_s']:.0f} acknowledged/s, ack p50 {d['ack_latency']['p50_ms']} ms, p99 {d['ack_latency']['p99_ms']} ms, "
      f"hub {cpu} cores = {cpu / d['throughput_per_s'] * 1e6:.0f} us of CPU per report")
# /proc/PID/io: wchar = bytes handed to write-like calls (files and sockets), syscw = those calls.
wchar0, syscw0, wchar1, syscw1 = map(int, sys.argv[2:6])
reports = d["acknowledged"]
print(f"hub wrote {(wchar1 - wchar0) / reports:,.0f} bytes in {(syscw1 - syscw0) / reports:.1f} write calls per report "
      f"(WAL, checkpoints, sockets, log)")
PY
# Reports to files first: `head` closing a pipe early must not fail the script.
perf report -i "$out" --children --sort symbol -g none >"$work/functions.txt" 2>/dev/null
perf report -i "$out" --no-children --sort dso -g none >"$work/libraries.txt" 2>/dev/null
demangle() { if swift demangle --help >/dev/null 2>&1; then swift demangle --simplified --compact; else cat; fi; }
echo "hub's samples by function, inclusive (top $top of ILONet's):"
grep -v '^#' "$work/functions.txt" | grep 'ILONet' | awk -v top="$top" 'NR <= top { printf "%s %s\n", $1, $4 }' | demangle \
    | awk '{ pct = $1; $1 = ""; name = substr($0, 2); if (length(name) > 110) name = substr(name, 1, 110) "…"; printf "  %7s  %s\n", pct, name }'
echo "by library (exclusive):"
grep -v '^#' "$work/libraries.txt" | grep -v '^$' | awk 'NR <= 8 { print "  " $0 }'
