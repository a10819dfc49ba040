#!/usr/bin/env bash
# The abuse benchmark (issue 14; docs/RELIABILITY.md §4): a hub with the example
# configuration's limits, one officer identity attacking it in every way at
# once plus thousands of unauthenticated sockets, and France's contact point
# holding three connections that ask for its full inbox and never read the
# answers (issue 27), while a second officer sends signed reports and a board
# member watches them. Prints what the legitimate users got and the node's
# peak memory.
#
#   bench/abuse.sh [--duration SECONDS] [--unauthenticated N] [--attacks NAME,...] [--json FILE]
#
# Defaults: 300 s, 2,000 sockets. CI runs `bench/abuse.sh --duration 60`
# (figures printed, not asserted: the CI machine is shared). Targets for the
# legitimate users: nothing lost, publish→ACCEPTED p99 ≤ 50 ms, connect p99
# ≤ 500 ms, node peak RSS ≤ 512 MiB. With PIN=1 the node runs on CPU 0 and
# the clients on CPU 1. ILOD and ILO may name other binaries (default: a
# release build of this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=300 unauthenticated=2000 json= attacks=()
while [ $# -gt 0 ]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --unauthenticated) unauthenticated=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    --attacks) attacks=(--attacks "$2"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: bench/abuse.sh [--duration SECONDS] [--unauthenticated N] [--attacks NAME,...] [--json FILE]" >&2; exit 2 ;;
    esac
done

scripts/bootstrap.sh >/dev/null
# ILOD and ILO may name other binaries (the docs' tests run this with their build's).
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
    ILOD=$PWD/.build/release/ilod ILO=$PWD/.build/release/ilo
fi
CERTS=$PWD/certs-example
server_cpu= client_cpu=
if [ "${PIN:-0}" = 1 ]; then server_cpu="taskset -c 0" client_cpu="taskset -c 1"; fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d /tmp/ilonet-abuse.XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "abuse: the hub's store and log are kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# config/hub.conf's limits, on a loopback port of its own. The attacker's
# 24 KB reports are unsigned, so signatures are optional here (the legitimate
# officer signs his); the publish rate is the example's 200/s.
cat >"$work/hub.conf" <<CONF
node.name        hub.ilonet.example
node.role        board-hub
listen           127.0.0.1:17801
store            $work/store.sqlite
tls.certificate  $CERTS/hub.crt
tls.key          $CERTS/hub.key
tls.ca           $CERTS/ca.crt
tls.crl          $CERTS/ca.crl
access           $PWD/config/network/access.rules
reports.signatures optional
limits.max-frame-bytes              1048576
limits.max-connections              20000
limits.max-connections-per-identity 64
limits.publish-rate                 200
limits.publish-burst                1000
limits.max-report-bytes             262144
limits.handshake-timeout            10s
limits.hello-timeout                10s
limits.idle-timeout                 10m
CONF
$server_cpu "$ILOD" --config "$work/hub.conf" 2>"$work/ilod.log" &
pid=$!
for _ in $(seq 100); do grep -q 'node ready' "$work/ilod.log" 2>/dev/null && break; sleep 0.1; done
grep -q 'node ready' "$work/ilod.log" || { echo "abuse: the hub did not start:" >&2; cat "$work/ilod.log" >&2; exit 1; }

status=0
$client_cpu "$ILO" bench abuse --json --duration "$duration" --unauthenticated "$unauthenticated" "${attacks[@]}" \
    --node 127.0.0.1:17801 --server-name hub.ilonet.example --ca "$CERTS/ca.crt" \
    --cert "$CERTS/officer-de.crt" --key "$CERTS/officer-de.key" \
    --officer-cert "$CERTS/officer-it.crt" --officer-key "$CERTS/officer-it.key" \
    --watcher-cert "$CERTS/authority-de-user.crt" --watcher-key "$CERTS/authority-de-user.key" \
    --reader-cert "$CERTS/authority-fr-user.crt" --reader-key "$CERTS/authority-fr-user.key" >"$work/abuse.json" || status=$?
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
kill -0 "$pid" 2>/dev/null || { echo "abuse: the node died during the run:" >&2; tail -20 "$work/ilod.log" >&2; exit 1; }

[ -s "$work/abuse.json" ] || { echo "abuse: ilo bench abuse gave no result (exit $status)" >&2; exit "$(( status == 0 ? 1 : status ))"; }
python3 - "$work/abuse.json" "$peak" "$duration" "$unauthenticated" "${json:-}" "${attacks[1]:-}" <<'PY'
import json, sys
path, peak, duration, sockets, out, only = sys.argv[1:]
r = json.load(open(path))
l = r["legitimate"]
r["node_peak_rss_mib"] = round(int(peak) / 1024, 1)
r["duration_s"] = int(duration)
if out:
    json.dump(r, open(out, "w"), indent=2)
def ms(h, p): return h[p]
what = f"only {only}" if only else f"every attack, {sockets} unauthenticated sockets"
print(f"abuse, {duration} s, {what}; the legitimate users:")
print(f"  officer: {l['sent']} signed reports sent, {l['acknowledged']} acknowledged, {l['delivered']} delivered, "
      f"lost {l['lost']}, failed sends {l['failed_sends']}")
print(f"  publish→ACCEPTED p50 {ms(l['publish_to_ack'], 'p50_ms'):.1f} ms, p99 {ms(l['publish_to_ack'], 'p99_ms'):.1f} ms "
      f"(target ≤ 50); connect p99 {ms(l['connect'], 'p99_ms'):.1f} ms (target ≤ 500)")
print(f"  board: delivery p50 {ms(l['delivery'], 'p50_ms'):.1f} ms, p99 {ms(l['delivery'], 'p99_ms'):.1f} ms")
print(f"  node peak RSS {r['node_peak_rss_mib']} MiB (target ≤ 512)")
print("  attacks: " + ", ".join(f"{k} {v}" for k, v in sorted(r["attacks"].items())))
if "first_failure" in r: print(f"  first failure seen by the legitimate users: {r['first_failure']}")
PY
exit $status
