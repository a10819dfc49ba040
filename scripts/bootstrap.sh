#!/usr/bin/env bash
# Installs what ILONet needs from Debian's packages, if it is missing:
# the OpenSSL 3 and SQLite 3 development files, pkg-config, the openssl and
# sqlite3 commands (used by the tests and by make-pki.sh), and zsh (the test of
# `ilo completion zsh`). Idempotent.
set -euo pipefail

need=()
pkg-config --exists openssl 2>/dev/null || need+=(libssl-dev)
pkg-config --exists sqlite3 2>/dev/null || need+=(libsqlite3-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v openssl >/dev/null || need+=(openssl)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v zsh >/dev/null || need+=(zsh)

if [ ${#need[@]} -gt 0 ]; then
    echo "bootstrap: installing ${need[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

command -v swift >/dev/null || { echo "bootstrap: the Swift 6 toolchain is not on PATH (see swift.org/install)" >&2; exit 1; }

# git checks files out 0644; ilod refuses private keys others can read.
chmod 600 "$(dirname "$0")"/../certs-example/*.key
