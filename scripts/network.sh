#!/usr/bin/env bash
# Runs the example network of config/network/ on loopback: the board hub (7601),
# the regional hub for North Africa (7602), Germany's authority node (7603) and
# the post nodes in Tripoli (7611) and Tunis (7612). Logs and stores in var/network/.
#
#   scripts/network.sh start [NODE...] | stop [NODE...] | status | register
#   (NODE: board, authority-de, regional-na, post-tripoli, post-tunis; default all)
#
#   register  writes the example network's deployment register (docs/ACCESS.md §6)
#             through the board hub (BOARD=HOST:PORT, default 127.0.0.1:7601), as the example authorities: Müller (DE-BPOL) in
#             Tripoli, also representing Austria; Rossi (IT-PS) in Tripoli and Tunis;
#             the board member (FR-DGEF); the German and Italian contact points.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes="board authority-de regional-na post-tripoli post-tunis"
[ $# -gt 1 ] && nodes="${*:2}"
ilod=${ILOD:-.build/release/ilod}

case "${1:-}" in
start)
    [ -x "$ilod" ] || { scripts/bootstrap.sh; swift build -c release --product ilod >&2; swift build -c release --product ilo >&2; }
    for n in $nodes; do
        mkdir -p var/network/$n
        if [ -f var/network/$n/pid ] && kill -0 "$(cat var/network/$n/pid)" 2>/dev/null; then continue; fi
        grep -c 'msg="node ready"' var/network/$n/ilod.log >var/network/$n/ready-before 2>/dev/null || echo 0 >var/network/$n/ready-before
        "$ilod" --config config/network/$n.conf 2>>var/network/$n/ilod.log &
        echo $! > var/network/$n/pid
    done
    # Ready when each has logged "node ready" once more than before it started (at most 10 s).
    for n in $nodes; do
        before=$(cat var/network/$n/ready-before 2>/dev/null || echo 0)
        for _ in $(seq 100); do
            [ "$(grep -c 'msg="node ready"' var/network/$n/ilod.log 2>/dev/null || true)" -gt "$before" ] && break
            sleep 0.1
        done
    done
    "$0" status $nodes ;;
stop)
    for n in $nodes; do
        if [ -f var/network/$n/pid ]; then
            pid=$(cat var/network/$n/pid)
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            rm -f var/network/$n/pid
        fi
    done ;;
status)
    for n in $nodes; do
        if [ -f var/network/$n/pid ] && kill -0 "$(cat var/network/$n/pid)" 2>/dev/null; then s=running; else s=stopped; fi
        printf '%-14s %s\n' "$n" "$s"
    done ;;
register)
    ilo=${ILO:-.build/release/ilo}
    today=$(date -u +%Y-%m-%d)
    as() {  # as IDENTITY ilo-arguments...
        local who=$1; shift
        "$ilo" "$@" --node "${BOARD:-127.0.0.1:7601}" --cert "certs-example/$who.crt" --key "certs-example/$who.key" --ca certs-example/ca.crt
    }
    as authority-de-user deploy officer.de.mueller --display-name "K. Müller" --post LY:Tripoli --from 2026-09-01 --until 2027-08-31 \
        --function "immigration liaison officer" --represents AT:BMI-BPOL-2026/14 --reads-at post-tripoli.ilonet.example
    as authority-de-user deploy ncp.de.schmidt --role authority --function "national contact point" --from 2025-01-01 \
        --reads-at authority-de.ilonet.example
    as authority-it-user deploy officer.it.rossi --display-name "G. Rossi" --post LY:Tripoli,TN:Tunis --from 2026-03-01 \
        --function "immigration liaison officer" --reads-at post-tunis.ilonet.example
    as authority-it-user deploy ncp.it.bianchi --role authority --function "national contact point" --from 2025-01-01 \
        --reads-at board.ilonet.example
    as authority-fr-user deploy board.fr.martin --role board --function "steering board member" --from "$today" \
        --reads-at board.ilonet.example ;;
*) echo "usage: scripts/network.sh start|stop|status|register" >&2; exit 2 ;;
esac
