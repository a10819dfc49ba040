#!/usr/bin/env bash
# Runs the example network of config/network/ on loopback: the board hub (7601),
# the regional hub for North Africa (7602), Germany's authority node (7603) and
# the post nodes in Tripoli (7611) and Tunis (7612). Logs and stores in var/network/.
#
#   scripts/network.sh start | stop | status
set -euo pipefail
cd "$(dirname "$0")/.."
nodes="board authority-de regional-na post-tripoli post-tunis"
ilod=${ILOD:-.build/release/ilod}

case "${1:-}" in
start)
    [ -x "$ilod" ] || { scripts/bootstrap.sh; swift build -c release --product ilod >&2; swift build -c release --product ilo >&2; }
    for n in $nodes; do
        mkdir -p var/network/$n
        if [ -f var/network/$n/pid ] && kill -0 "$(cat var/network/$n/pid)" 2>/dev/null; then continue; fi
        "$ilod" --config config/network/$n.conf 2>>var/network/$n/ilod.log &
        echo $! > var/network/$n/pid
    done
    sleep 1
    "$0" status ;;
stop)
    for n in $nodes; do
        if [ -f var/network/$n/pid ]; then kill "$(cat var/network/$n/pid)" 2>/dev/null || true; rm -f var/network/$n/pid; fi
    done ;;
status)
    for n in $nodes; do
        if [ -f var/network/$n/pid ] && kill -0 "$(cat var/network/$n/pid)" 2>/dev/null; then s=running; else s=stopped; fi
        printf '%-14s %s\n' "$n" "$s"
    done ;;
*) echo "usage: scripts/network.sh start|stop|status" >&2; exit 2 ;;
esac
