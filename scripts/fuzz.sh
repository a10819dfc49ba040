#!/usr/bin/env bash
# libFuzzer harnesses for ILONet's parsers (docs/RELIABILITY.md §5), built with
# -sanitize=fuzzer,address from the Fuzz/ package:
#
#   FuzzFrames   frame decoder and message parsing (bytes from the network)
#   FuzzReport   report JSON parser, schema validator and canonical encoding
#   FuzzConfig   node configuration reader
#   FuzzRoutes   routing-table parser
#   FuzzAccess   access-rules parser
#   FuzzSession  whole request sequences, every message type, through a real node
#                (in this process, loopback, temporary store): it must keep answering
#   FuzzAttachments  the attachment checks: bounded inflate, JPEG/PNG metadata
#                stripping (idempotent, nothing left), PDF inspection
#
#   scripts/fuzz.sh [--seconds N] [HARNESS...]     default: all, 60 s each
#
# Each starts from its seed corpus in Fuzz/Corpus/HARNESS/ (committed) and
# writes new inputs to .build/fuzz-corpus/HARNESS/ (not committed; copy an
# input into the seed corpus when it earns a place there). A crash leaves its
# input in .build/fuzz-crashes/ and fails the script; replay it with
#   LSAN_OPTIONS=suppressions=Fuzz/lsan.supp .build/fuzz/release/HARNESS .build/fuzz-crashes/crash-...
# CI runs `scripts/fuzz.sh --seconds 20`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
harnesses=()
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) harnesses+=("$1"); shift ;;
    esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(FuzzFrames FuzzReport FuzzConfig FuzzRoutes FuzzAccess FuzzSession FuzzAttachments)

scripts/bootstrap.sh >/dev/null
# Its own build folder: the sanitizer flags apply to everything built there.
# Optimised, as the nodes run, with the sanitizer's checks.
(cd Fuzz && swift build -c release --build-path ../.build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -v "warning: Cannot export local symbol" >&2)
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0"
mkdir -p .build/fuzz-crashes
status=0
for h in "${harnesses[@]}"; do
    [ -d "Fuzz/Corpus/$h" ] || { echo "fuzz: no harness $h (Fuzz/Corpus/$h is missing)" >&2; exit 2; }
    mkdir -p ".build/fuzz-corpus/$h"
    log=.build/fuzz-crashes/$h.log
    if ".build/fuzz/release/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix=.build/fuzz-crashes/ ".build/fuzz-corpus/$h" "Fuzz/Corpus/$h" >"$log" 2>&1; then
        runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || echo '?')
        echo "fuzz: $h: $runs runs in $seconds s, nothing found (corpus $(ls ".build/fuzz-corpus/$h" | wc -l) new inputs)"
    else
        echo "fuzz: $h FAILED; the end of its log ($log):" >&2
        tail -40 "$log" >&2
        status=1
    fi
done
exit $status
