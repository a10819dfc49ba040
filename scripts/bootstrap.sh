#!/usr/bin/env bash
# Installs what ILONet needs from Debian's packages, if it is missing:
# the OpenSSL 3 and SQLite 3 development files, pkg-config, the openssl and
# sqlite3 commands (used by the tests and by make-pki.sh), zsh (the test of
# `ilo completion zsh`), curl (the web view's tests) and NSS's certutil and
# pk12util (docs/WEB.md §3: a certificate into a browser's store). Idempotent.
#
#   scripts/bootstrap.sh --browser   also what the browser test of the web view
#                                    needs (scripts/browser-test.sh): Debian's
#                                    chromium and chromedriver, NSS's certutil and
#                                    pk12util, python3-selenium, and a Chromium policy
#                                    that presents the (only) client certificate of a
#                                    profile to https://127.0.0.1 without asking.
set -euo pipefail

browser=no
[ "${1:-}" = "--browser" ] && browser=yes
need=()
pkg-config --exists openssl 2>/dev/null || need+=(libssl-dev)
pkg-config --exists sqlite3 2>/dev/null || need+=(libsqlite3-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v openssl >/dev/null || need+=(openssl)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v zsh >/dev/null || need+=(zsh)
command -v curl >/dev/null || need+=(curl)
command -v certutil >/dev/null || need+=(libnss3-tools)   # docs/WEB.md §3's commands
if [ $browser = yes ]; then
    command -v chromium >/dev/null || need+=(chromium)
    command -v chromedriver >/dev/null || need+=(chromium-driver)
    /usr/bin/python3 -c 'import selenium' 2>/dev/null || need+=(python3-selenium)
fi

if [ ${#need[@]} -gt 0 ]; then
    echo "bootstrap: installing ${need[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

if [ $browser = yes ]; then
    # Chromium reads policies from /etc only. This one selects a client certificate
    # for the loopback address alone (the browser test's hub), never elsewhere.
    policy=/etc/chromium/policies/managed/ilonet-browser-test.json
    if [ ! -f $policy ]; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo mkdir -p "$(dirname $policy)"
        echo '{"AutoSelectCertificateForUrls": ["{\"pattern\":\"https://127.0.0.1:*\",\"filter\":{}}"]}' | $sudo tee $policy >/dev/null
        echo "bootstrap: wrote $policy"
    fi
fi

command -v swift >/dev/null || { echo "bootstrap: the Swift 6 toolchain is not on PATH (see swift.org/install)" >&2; exit 1; }

# git checks files out 0644; ilod refuses private keys others can read.
chmod 600 "$(dirname "$0")"/../certs-example/*.key
