#!/usr/bin/env bash
# The web view in a real browser (docs/WEB.md §6): Debian's Chromium, headless,
# driven by Selenium (Tests/browser/webview_test.py), each identity with its
# client certificate in a browser profile of its own (an NSS database), the
# certificate chosen by the policy scripts/bootstrap.sh --browser installs.
#
#   scripts/browser-test.sh [--screenshots DIR]
#
# Copies the example PKI (certs-example/; one more officer issued and revoked
# in the copy) and starts a hub of its own in a temporary directory, on free
# loopback ports; moves the hub's clock over
# twelve weeks while two officers send signed reports (so that trends have
# weeks to show); then, as the board member and as an officer, opens the
# inbox, a report, a search, the trend chart and the activity report and checks
# what each may see; as Germany's contact point, reads a passenger list by
# giving a reason in the report page's form, and follows a withdrawal on the
# orders page; as the data-protection officer, opens the record of processing
# and looks a person up with the lookup form; a browser with no certificate, and one with the revoked
# certificate, must get nothing. Screenshots go to .build/browser-test/ (kept
# as CI artifacts), or to DIR (docs/screenshots is what README links).
#
# Without chromium, chromedriver, pk12util, python3-selenium or the policy it
# fails, saying what to run (scripts/bootstrap.sh --browser installs them all);
# it is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=.build/browser-test
case "${1:-}" in
--screenshots) shots=${2:?usage: scripts/browser-test.sh [--screenshots DIR]} ;;
"") ;;
*) echo "usage: scripts/browser-test.sh [--screenshots DIR]" >&2; exit 2 ;;
esac

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v pk12util >/dev/null || missing+=(libnss3-tools)
command -v curl >/dev/null || missing+=(curl)
/usr/bin/python3 -c 'import selenium' 2>/dev/null || missing+=(python3-selenium)
[ -f /etc/chromium/policies/managed/ilonet-browser-test.json ] || missing+=("the policy file")
if [ ${#missing[@]} -gt 0 ]; then
    echo "browser test FAILED before it started: missing ${missing[*]}; run scripts/bootstrap.sh --browser (it installs them), then this again" >&2
    exit 1
fi

ILOD=${ILOD:-.build/debug/ilod}
ILO=${ILO:-.build/debug/ilo}
[ -x "$ILOD" ] && [ -x "$ILO" ] || swift build >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/ilonet-browser.XXXXXX")
hub=""
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# The example PKI (certs-example/), copied so that one more officer can be
# issued from its CA and revoked without touching the repository's files.
pki=$work/pki
cp -r certs-example "$pki"
chmod 600 "$pki"/*.key
certs-example/make-pki.sh "$pki" issue officer-revoked "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.revoked" "subjectAltName=URI:ilonet:post:LY" >/dev/null
certs-example/make-pki.sh "$pki" revoke officer-revoked >/dev/null

# Two free loopback ports (protocol, web), asked of the kernel.
read -r port web < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
clock=$work/clock
cat >"$work/node.conf" <<CONF
node.name        hub.ilonet.example
node.role        platform-hub
listen           127.0.0.1:$port
web.listen       127.0.0.1:$web
store            $work/store.sqlite
tls.certificate  $pki/hub.crt
tls.key          $pki/hub.key
tls.ca           $pki/ca.crt
tls.crl          $pki/ca.crl
access           $PWD/config/network/access.rules
limits.publish-rate 0
CONF
day() { /usr/bin/python3 -c "import datetime,sys; print((datetime.date.today()-datetime.timedelta(days=int(sys.argv[1]))).isoformat())" "$1"; }
echo "$(day 84)T12:00:00.000Z" >"$clock"
ILONET_CLOCK_FILE=$clock "$ILOD" --config "$work/node.conf" 2>"$work/ilod.log" &
hub=$!
for _ in $(seq 100); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.1; done
grep -q 'msg="node ready"' "$work/ilod.log" || { cat "$work/ilod.log" >&2; exit 1; }

as() { local who=$1; shift; "$ILO" "$@" --node "127.0.0.1:$port" --cert "$pki/$who.crt" --key "$pki/$who.key" --ca "$pki/ca.crt"; }
as authority-it-user subscribe '#' >/dev/null
as board-fr subscribe '#' --digest daily >/dev/null

# Twelve weeks of reports: each week a few from each officer, the clock moved along.
echo "browser test: sending twelve weeks of signed reports ..." >&2
for week in $(seq 12 -1 1); do
    d=$(day $((week * 7)))
    echo "${d}T12:00:00.000Z" >"$clock"
    n=$(( (13 - week) % 4 + 1 ))
    for i in $(seq $n); do
        for spec in "officer-de smuggling-zuwara" "officer-de return-charter" "officer-it border-ras-ajdir"; do
            set -- $spec
            /usr/bin/python3 - "$1" "config/demo/$2.json" "$work/r.json" "$d" "$week" "$i" <<'PY'
import json, sys
who, src, dst, day, week, i = sys.argv[1:]
d = json.load(open(src))
d["created"] = f"{day}T{8 + int(i):02d}:00:00.000Z"
d["headline"] = d["headline"].split(",")[0] + f" (week -{week}, {i})"
if d["kind"] == "border":
    d["body"]["time"] = f"{day}T07:00:00Z"
json.dump(d, open(dst, "w"))
PY
            as "$1" send --file "$work/r.json" >/dev/null
        done
    done
done
# Today's reports are sent on the real clock (ilo writes their creation time).
/usr/bin/python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))' >"$clock"
# The deployment register, for the activity report's list of deployed officers.
as authority-de-user deploy officer.de.mueller --display-name "K. Müller" --post LY:Tripoli --from "$(day 120)" \
    --function "immigration liaison officer" --reads-at hub.ilonet.example >/dev/null
as authority-it-user deploy officer.it.rossi --display-name "G. Rossi" --post LY:Tripoli,TN:Tunis --from "$(day 120)" \
    --function "immigration liaison officer" --reads-at hub.ilonet.example >/dev/null
open=$(as officer-de send --file config/demo/smuggling-sabratha.json --headline "Sabratha launches: kumquat crates used as cover")
h2=$(as officer-de send --file config/demo/smuggling-sabratha.json --handling H2 --addressees board.fr.martin \
    --headline "Marmalade network buys boats in Tunisia (for the board only)")
flash=$(as officer-it send --file config/demo/border-ras-ajdir.json)
# Italy's contact point shares Rossi's border event with the board member (issue 31).
as authority-it-user event share "$flash" --with board.fr.martin >/dev/null
# A passenger list (personal data) for Germany's contact point: read in the browser with a reason.
/usr/bin/python3 - "$work/case.json" <<'PY'
import json, sys
d = json.load(open("config/demo/return-charter.json"))
d["body"]["passenger_list"] = [{"name": "Quentin Marmaduke", "nationality": "NG", "document_number": "A0000001"}]
json.dump(d, open(sys.argv[1], "w"))
PY
case=$(as officer-de send --file "$work/case.json" --personal-data return-passenger-list --erase-by "$(day -30)" \
    --addressees authority:DE-BPOL --headline "Charter passenger list (case data)" \
    --attach Tests/ILONetTests/Fixtures/attachments/plain.jpg --caption "boarding pass scan")
# A report sent by mistake and withdrawn: its order and receipt, for the orders page.
mistake=$(as officer-de send --file config/demo/smuggling-zuwara.json --headline "Zuwara draft, sent by mistake")
as officer-de withdraw "$mistake" --ground inaccurate --note "sent by mistake" >/dev/null

cat >"$work/plan.json" <<JSON
{"base": "https://127.0.0.1:$web", "ca": "$pki/ca.crt", "pki": "$pki", "work": "$work", "shots": "$PWD/$shots",
 "open": "$open", "h2": "$h2", "flash": "$flash", "case": "$case", "mistake": "$mistake", "from": "$(day 91)", "to": "$(day 0)"}
JSON
case "$shots" in /*) sed -i "s#\"shots\": \"$PWD/$shots\"#\"shots\": \"$shots\"#" "$work/plan.json" ;; esac
mkdir -p "$shots"
/usr/bin/python3 Tests/browser/webview_test.py "$work/plan.json"
