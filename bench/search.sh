#!/usr/bin/env bash
# Search latency: writes a store of N synthetic reports (ilo bench search-store),
# starts a hub of its own on it (the example configuration, its own port and
# directory), sends searches of four classes as France's contact point (ilo bench
# search: one rare word, one middling, one common, two middling words) one after
# another, prints the latency percentiles, and stops the hub (docs/PERFORMANCE.md).
#
#   bench/search.sh [--reports N] [--queries N] [--json]   (defaults 1000000 and 50 per class)
#
# The store takes a few minutes to write for a million reports (about 1 GB in a
# temporary directory, removed at the end unless KEEP=1). The hub listens on
# 127.0.0.1:PORT_BASE+41 (PORT_BASE=17600). With PIN=1 the hub runs on core 0 and
# the client on core 1 (taskset). ILOD and ILO may name other binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
reports=1000000 queries=50 json=()
while [ $# -gt 0 ]; do
    case "$1" in
    --reports) reports=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --json) json=(--json); shift ;;
    *) echo "usage: bench/search.sh [--reports N] [--queries N] [--json]" >&2; exit 2 ;;
    esac
done
port=$(( ${PORT_BASE:-17600} + 41 ))
scripts/bootstrap.sh >/dev/null
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
fi
ilod=${ILOD:-.build/release/ilod} ilo=${ILO:-.build/release/ilo}
server_cpu=() client_cpu=()
if [ "${PIN:-}" = 1 ]; then server_cpu=(taskset -c 0) client_cpu=(taskset -c 1); fi
work=$(mktemp -d /tmp/ilonet-search.XXXXXX)
hub=
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
"$ilo" bench search-store --store "$work/store.sqlite" --count "$reports" >&2
sed -e "s|^listen .*|listen           127.0.0.1:$port|" -e "/^web.listen/d" \
    -e "s|^store .*|store            $work/store.sqlite|" \
    -e "s|\.\./certs-example/|$PWD/certs-example/|g" config/hub.conf >"$work/hub.conf"
"${server_cpu[@]}" "$ilod" --config "$work/hub.conf" 2>"$work/ilod.log" &
hub=$!
for _ in $(seq 600); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.1; done
grep -q 'msg="node ready"' "$work/ilod.log" || { echo "bench/search.sh: the hub did not start:" >&2; cat "$work/ilod.log" >&2; exit 1; }
echo "search over $reports reports ($(du -h "$work/store.sqlite" | cut -f1) store):"
"${client_cpu[@]}" "$ilo" bench search --queries "$queries" "${json[@]}" \
    --node "127.0.0.1:$port" --cert certs-example/authority-fr-user.crt --key certs-example/authority-fr-user.key --ca certs-example/ca.crt
