#!/usr/bin/env bash
# Starts a working hub on 127.0.0.1:7443 with the example configuration
# (config/hub.conf), the example PKI (certs-example/) and an embedded SQLite
# store in var/hub/. Builds first if needed. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product ilod >&2
swift build -c release --product ilo >&2
mkdir -p var/hub
exec .build/release/ilod --config config/hub.conf
