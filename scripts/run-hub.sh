#!/usr/bin/env bash
# Starts a working hub on 127.0.0.1:7443 with the example configuration
# (config/hub.conf), the example PKI (certs-example/) and an embedded SQLite
# store in var/hub/. Builds first (release). Stop it with Ctrl-C.
# ILOD may name another ilod binary, which is then used as it is (the test suite
# runs this script with its debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ -z "${ILOD:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
fi
mkdir -p var/hub
exec "${ILOD:-.build/release/ilod}" --config config/hub.conf
