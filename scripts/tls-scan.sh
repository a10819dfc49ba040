#!/usr/bin/env bash
# Scans a running ilod hub from outside with sslscan (Debian) and sslyze
# (PyPI, Mozilla "modern" profile), and fails unless the hub offers exactly:
#   - TLS 1.3 only (the default configuration), no SSL/TLS 1.0–1.2;
#   - AEAD cipher suites with forward secrecy only (TLS 1.3 suites always are);
#   - no weak or vulnerable finding (renegotiation, compression, Heartbleed …);
#   - sslyze: "compliant with Mozilla's modern configuration".
# The hub uses a fresh PKI whose certificates live 90 days (Mozilla "modern"
# asks for at most 90). Installs sslscan and a virtualenv with sslyze if missing.
#
# usage: scripts/tls-scan.sh            (about 30 s; CI runs it)
#        EXTRA_CONFIG="tls.min-version 1.2" scripts/tls-scan.sh   (must fail: shows the checks bite)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if ! command -v sslscan >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sslscan >/dev/null
fi
venv=.build/tls-scan-venv
if [ ! -x "$venv/bin/sslyze" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'sslyze>=6,<7'
fi
swift build -c release --product ilod >&2

work=$(mktemp -d /tmp/ilonet-tls-scan.XXXXXX)
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
certs-example/make-pki.sh "$work/pki" example 90 >/dev/null
port=${PORT:-17444}
cat >"$work/hub.conf" <<CONF
node.name        hub.ilonet.example
node.role        board-hub
listen           127.0.0.1:$port
store            $work/store.sqlite
tls.certificate  $work/pki/hub.crt
tls.key          $work/pki/hub.key
tls.ca           $work/pki/ca.crt
tls.crl          $work/pki/ca.crl
${EXTRA_CONFIG:-}
CONF
.build/release/ilod --config "$work/hub.conf" 2>"$work/ilod.log" & pid=$!
for _ in $(seq 100); do grep -q 'node ready' "$work/ilod.log" && break; sleep 0.1; done

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

echo "== sslscan 127.0.0.1:$port"
sslscan --no-colour --show-sigs --certs="$work/pki/officer-de.crt" --pk="$work/pki/officer-de.key" \
    "127.0.0.1:$port" >"$work/sslscan.txt" 2>&1 || true
sed -n '/SSL\/TLS Protocols/,/Server Key Exchange Group/p' "$work/sslscan.txt"
for old in SSLv2 SSLv3 TLSv1.0 TLSv1.1 TLSv1.2; do
    grep -Eq "^$old +enabled" "$work/sslscan.txt" && fail "$old is enabled"
done
grep -Eq "^TLSv1.3 +enabled" "$work/sslscan.txt" || fail "TLS 1.3 is not enabled"
# Every accepted suite: TLS 1.3 and one of the AEAD suites.
while read -r _status version _bits _unit suite _rest; do
    [ "$version" = TLSv1.3 ] || fail "accepted outside TLS 1.3: $version $suite"
    case $suite in TLS_AES_128_GCM_SHA256 | TLS_AES_256_GCM_SHA384 | TLS_CHACHA20_POLY1305_SHA256) ;; *) fail "suite $suite" ;; esac
done < <(grep -E '^(Preferred|Accepted) ' "$work/sslscan.txt")
grep -Eq '^(Preferred|Accepted) ' "$work/sslscan.txt" || fail "sslscan saw no accepted suite"
# TLS 1.3 has no compression; sslscan says so only when built with zlib.
grep -qi "Compression enabled" "$work/sslscan.txt" && fail "TLS compression is enabled"
grep -Ei "vulnerable to heartbleed" "$work/sslscan.txt" | grep -vqi "not vulnerable" && fail "Heartbleed"
grep -qi "Insecure session renegotiation supported" "$work/sslscan.txt" && fail "insecure renegotiation"

echo "== sslyze --mozilla_config=modern localhost:$port"
if "$venv/bin/sslyze" --mozilla_config=modern --cert "$work/pki/officer-de.crt" --key "$work/pki/officer-de.key" \
    --certinfo_ca_file "$work/pki/ca.crt" "localhost:$port{127.0.0.1}" >"$work/sslyze.txt" 2>&1; then
    :
else
    fail "sslyze: not compliant with Mozilla's modern configuration"
fi
sed -n '/COMPLIANCE AGAINST/,$p' "$work/sslyze.txt"
grep -q "OK - Compliant" "$work/sslyze.txt" \
    || { grep -E "FAILED|ERROR|Error" "$work/sslyze.txt" | head -20; fail "sslyze did not report compliance"; }

if [ "$failures" -gt 0 ]; then
    echo "tls-scan: $failures problem(s); full reports kept in $work" >&2
    trap 'kill $pid 2>/dev/null || true' EXIT
    exit 1
fi
echo "tls-scan: TLS 1.3 only, AEAD+PFS suites only, sslyze compliant with Mozilla modern"
