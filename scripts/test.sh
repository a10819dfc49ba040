#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests that start real
# ilod processes on 127.0.0.1 with real TLS and real SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
swift test "$@"
# The web view in a real browser (docs/WEB.md §6); where Chromium is missing it
# says what to install and is skipped, except in CI.
if [ $# -eq 0 ]; then scripts/browser-test.sh; fi
