#!/usr/bin/env bash
# The officer's link (issue 30; docs/PERFORMANCE.md, "The officer's link"): a
# post node on loopback and, between `ilo` and it, the link emulator (`ilo bench
# link`: one uplink and one downlink shared by every connection, each paced to
# its rate and delayed by half the round trip, buffering what a modem would,
# cut on a schedule or on SIGUSR1) with each profile:
#
#   satellite  256 kbit/s up, 1 Mbit/s down, 600 ms round trip
#   3g         384 kbit/s up and down, 150 ms
#   cuts       the satellite profile, cut every 30 s for 10 s
#
# What it measures:
#
#   first_report_rtts  a fresh `ilo send` (a new process: TCP, TLS, HELLO with the
#                      report pipelined) through the link, minus the same send
#                      straight to the node, in round trips (median of 5)
#   report_ms          that send's wall time through the link (median of 5)
#   goodput_pct        a report with a 5 MiB PDF (`ilo send --attach`): the file's
#                      bits over the send's whole wall time (handshake and report
#                      included), as a share of the uplink's rate
#   flash_during_upload_ms  a flash report sent 10 s into that upload by another
#                      `ilo send`: from its start to its exit (ACCEPTED)
#   resent_kib_after_cut  another 5 MiB upload, all connections cut once half way
#                      (SIGUSR1, 1 s), then `ilo outbox flush`: the file's bytes
#                      ilo sent in chunks (its --json `file_bytes_sent`) beyond
#                      the file's size
#   cuts: sent=N stored_once=N  reports sent one every 4 s for 40 s across the cuts
#                      with ilo's outbox, each stored exactly once; then the 5 MiB
#                      report across the cuts (ilo send, then ilo outbox flush until
#                      empty): file_complete=yes file_report_once=1; and, not with
#                      --smoke, the same report from the post to the board of the
#                      example network over two node links through emulators with
#                      the cuts profile: board_once=1 board_file=yes
#
# The last line for each profile is
#   link PROFILE: goodput_pct=… flash_during_upload_ms=… resent_kib_after_cut=… first_report_rtts=… rtt_ms=… [cuts: …]
#
#   bench/link.sh [--profile NAME]... [--smoke]
#
# Default: all three profiles. --smoke: satellite and 3g only, 3 sends each, a
# 384 KiB file, the flash report 2 s into the upload (CI).
# ILOD and ILO may name other binaries (default: a release build of this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=() rounds=5 size=$((5 << 20)) flash_at=10 smoke=
while [ $# -gt 0 ]; do
    case "$1" in
    --profile) profiles+=("$2"); shift 2 ;;
    --smoke) profiles=(satellite 3g) rounds=3 size=$((384 << 10)) flash_at=2 smoke=1; shift ;;
    -h|--help) sed -n '2,44p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
officer() {  # officer PORT ilo-arguments…: ilo as Müller, through PORT
    local p=$1; shift
    "$ILO" "$@" --node "127.0.0.1:$p" --server-name post-tripoli.ilonet.example \
        --cert certs-example/officer-de.crt --key certs-example/officer-de.key --ca certs-example/ca.crt
}
# pdf FILE: a PDF of $size bytes with nothing active in it (text that no check objects to).
pdf() { /usr/bin/python3 bench/make-pdf.py "$1" "$size"; }
report() {  # report FILE HEADLINE: a border report without personal data
    /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open("config/demo/border-ras-ajdir.json"))
d.pop("id", None); d.pop("created", None)
d["headline"] = sys.argv[2]
d["priority"] = "routine"
json.dump(d, open(sys.argv[1], "w"))
PY
}
json_field() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1]).get(sys.argv[1], ""))' "$1"; }
flush_until_empty() {  # flush_until_empty PORT SECONDS: ilo outbox flush until nothing waits; prints the file bytes sent
    local p=$1 total=0 out sent
    for _ in $(seq "$2"); do
        out=$(officer "$p" outbox flush --json 2>/dev/null) && { sent=$(echo "$out" | json_field file_bytes_sent); echo $((total + ${sent:-0})); return 0; }
        sent=$(echo "$out" | json_field file_bytes_sent 2>/dev/null || echo 0)
        total=$((total + ${sent:-0}))
        sleep 1
    done
    echo "$total"
    return 1
}

for profile in "${profiles[@]}"; do
    "$ILO" bench link --to "$port" --listen "$link" --profile "$profile" >"$work/link-$profile.log" &
    emulator=$!
    pids+=($emulator)
    for _ in $(seq 50); do grep -q '^link: 127' "$work/link-$profile.log" && break; sleep 0.1; done
    rtt=$(case $profile in 3g) echo 150 ;; *) echo 600 ;; esac)
    up=$(case $profile in 3g) echo 384000 ;; *) echo 256000 ;; esac)
    direct=$(for _ in $(seq "$rounds"); do send "$port"; done | median)
    through=$(for _ in $(seq "$rounds"); do send "$link"; done | median)
    rtts=$(awk -v t="$through" -v d="$direct" -v r="$rtt" 'BEGIN { printf "%.1f", (t - d) / r }')
    report "$work/r.json" "link bench $profile $RANDOM"
    report "$work/flash.json" "link bench flash $profile $RANDOM"
    line="link $profile:"
    if [ "$profile" != cuts ]; then
        # The upload, and a flash report sent into it by another ilo.
        pdf "$work/file.pdf"
        start=$(now_ms)
        officer "$link" send --file "$work/r.json" --attach "$work/file.pdf" --confirm-no-personal-data --json >"$work/upload.json" &
        uploader=$!
        sleep "$flash_at"
        fstart=$(now_ms)
        officer "$link" send --file "$work/flash.json" --priority flash >/dev/null
        flash_ms=$(( $(now_ms) - fstart ))
        wait "$uploader"
        upload_ms=$(( $(now_ms) - start ))
        goodput=$(awk -v b="$size" -v ms="$upload_ms" -v r="$up" 'BEGIN { printf "%.1f", b * 8 / (ms / 1000) / r * 100 }')
        # Another upload, cut once half way, then resumed.
        pdf "$work/file2.pdf"
        report "$work/r2.json" "link bench resume $profile $RANDOM"
        officer "$link" send --file "$work/r2.json" --attach "$work/file2.pdf" --confirm-no-personal-data --json >"$work/cut.json" 2>/dev/null &
        uploader=$!
        sleep "$(awk -v b="$size" -v r="$up" 'BEGIN { printf "%.1f", b * 8 / r / 2 }')"
        kill -USR1 "$emulator"
        wait "$uploader" || true
        first=$(json_field file_bytes_sent <"$work/cut.json")
        second=$(flush_until_empty "$link" 120)
        resent=$(( (${first:-0} + ${second:-0} - size) / 1024 ))
        line="$line goodput_pct=$goodput flash_during_upload_ms=$flash_ms resent_kib_after_cut=$resent upload_ms=$upload_ms"
    fi
    line="$line first_report_rtts=$rtts report_ms=$through direct_ms=$direct rtt_ms=$rtt"
    if [ "$profile" = cuts ]; then
        sent=0
        for _ in $(seq 10); do
            officer "$link" send --file config/demo/smuggling-zuwara.json --headline "cut test $RANDOM$RANDOM" >/dev/null 2>&1 || true
            sent=$((sent + 1))
            sleep 4
        done
        # What ilo kept while the link was cut goes when it is up (at most 120 s).
        flush_until_empty "$link" 120 >/dev/null || true
        stored=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM reports WHERE headline LIKE 'cut test %'")
        distinct=$(sqlite3 "$work/store.sqlite" "SELECT count(DISTINCT headline) FROM reports WHERE headline LIKE 'cut test %'")
        # The 5 MiB report across the cuts.
        pdf "$work/file.pdf"
        officer "$link" send --file "$work/r.json" --attach "$work/file.pdf" --confirm-no-personal-data >"$work/cuts-id.txt" 2>/dev/null || true
        flush_until_empty "$link" 600 >/dev/null || true
        id=$(head -n 1 "$work/cuts-id.txt")
        once=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM reports WHERE id = '$id'")
        bytes=$(sqlite3 "$work/store.sqlite" "SELECT coalesce(sum(length(data)), 0) FROM attachment_chunks WHERE report_id = '$id'")
        checked=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM attachment_files WHERE report_id = '$id' AND checked = 1 AND problem IS NULL")
        line="$line sent=$sent stored_once=$([ "$stored" = "$distinct" ] && echo "$stored" || echo "DUPLICATES:$stored/$distinct")"
        line="$line file_complete=$([ "$bytes" = "$size" ] && [ "$checked" = 1 ] && echo yes || echo "NO:$bytes/$size") file_report_once=$once"
        if [ -z "$smoke" ]; then line="$line $(bash bench/link-node-links.sh | tail -n 1)"; fi
    fi
    kill "$emulator" 2>/dev/null || true
    wait "$emulator" 2>/dev/null || true
    tail -n 1 "$work/link-$profile.log" >&2
    echo "$line"
done
