#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests that start real
# ilod processes on 127.0.0.1 with real TLS and real SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
# Everything the suite needs, the browser test's Chromium included (as CI does).
scripts/bootstrap.sh --browser
swift build --build-tests
swift test "$@"
# The web view in a real browser (docs/WEB.md §6): every form submitted in
# Chromium. It is never skipped: a missing tool fails it, saying what to run.
if [ $# -eq 0 ]; then scripts/browser-test.sh; fi
