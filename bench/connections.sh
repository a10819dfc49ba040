#!/usr/bin/env bash
# Idle connections: starts a hub of its own (the example configuration, its own
# store and port, one identity allowed COUNT connections), opens COUNT idle TLS
# connections to it with `ilo bench connections`, prints the hub's memory per
# connection, and stops the hub (docs/PERFORMANCE.md).
#
#   bench/connections.sh [--count N] [--json]      (default 10000)
#
# It needs an open-file limit above the count (`ulimit -n`); ilod and ilo raise
# their soft limit to the hard limit themselves. The hub listens on
# 127.0.0.1:PORT_BASE+31 (PORT_BASE=17600), never on the example's 7443.
# ILOD and ILO may name other binaries, which are then used as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
count=10000 json=()
while [ $# -gt 0 ]; do
    case "$1" in
    --count) count=$2; shift 2 ;;
    --json) json=(--json); shift ;;
    *) echo "usage: bench/connections.sh [--count N] [--json]" >&2; exit 2 ;;
    esac
done
port=$(( ${PORT_BASE:-17600} + 31 ))
scripts/bootstrap.sh >/dev/null
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
fi
ilod=${ILOD:-.build/release/ilod} ilo=${ILO:-.build/release/ilo}
work=$(mktemp -d /tmp/ilonet-connections.XXXXXX)
hub=
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
sed -e "s|^listen .*|listen           127.0.0.1:$port|" -e "/^web.listen/d" \
    -e "s|^store .*|store            $work/store.sqlite|" \
    -e "s|^limits.max-connections-per-identity .*|limits.max-connections-per-identity $((count + 100))|" \
    -e "s|^limits.max-connections .*|limits.max-connections              $((count + 100))|" \
    -e "s|\.\./certs-example/|$PWD/certs-example/|g" config/hub.conf >"$work/hub.conf"
# Handshakes in flight: the default (a quarter of max-connections, shared by the
# event loops) is small for a small --count on a busy machine, where a loop's
# slots fill and its oldest handshake is closed to make room. Half of
# max-connections (it must stay below it).
echo "limits.max-handshaking $(( (count + 100) / 2 ))" >>"$work/hub.conf"
"$ilod" --config "$work/hub.conf" 2>"$work/ilod.log" &
hub=$!
for _ in $(seq 100); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.1; done
grep -q 'msg="node ready"' "$work/ilod.log" || { echo "bench/connections.sh: the hub did not start:" >&2; cat "$work/ilod.log" >&2; exit 1; }
"$ilo" bench connections --count "$count" --concurrency 32 --pid "$hub" "${json[@]}" \
    --node "127.0.0.1:$port" --cert certs-example/officer-de.crt --key certs-example/officer-de.key --ca certs-example/ca.crt
