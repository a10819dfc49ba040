#!/usr/bin/env bash
# The ILONet demo: the example network of config/network/ on loopback, two
# officers reporting, national contact points reading, an outage with queueing,
# the steering board's digest, trends and an event shared with it. Builds what it needs, starts from empty stores in var/network/, and
# stops the network at the end unless asked to keep it.
#
#   scripts/demo.sh [--keep]
#
# --keep leaves the five nodes running (stop them with scripts/network.sh stop).
# ILOD and ILO may name other binaries (the test suite uses its debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=no
case "${1:-}" in
--keep) keep=yes ;;
"") ;;
*) echo "usage: scripts/demo.sh [--keep]" >&2; exit 2 ;;
esac

scripts/bootstrap.sh >/dev/null
# ilo keeps its outbox and the ids it showed under var/network/, like the nodes' stores.
export XDG_STATE_HOME=$PWD/var/network/ilo-state
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    echo "Building ilod and ilo (release) ..."
    swift build -c release --product ilod >/dev/null
    swift build -c release --product ilo >/dev/null
fi
export ILOD=${ILOD:-$PWD/.build/release/ilod}
ILO=${ILO:-$PWD/.build/release/ilo}

# Ports of the example network (config/network/*.conf).
board=7601 regional=7602 authority=7603 tripoli=7611 tunis=7612 board_web=7604

# as IDENTITY PORT ilo-arguments...: runs ilo as that certificate's holder against that node.
as() {
    local who=$1 port=$2; shift 2
    "$ILO" "$@" --node "127.0.0.1:$port" --cert "certs-example/$who.crt" --key "certs-example/$who.key" --ca certs-example/ca.crt
}
step() { printf '\n== %s ==\n\n' "$*"; }
say() { printf '%s\n' "$*"; }
# waits up to 20 s for COMMAND to succeed
until_true() { for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
in_store() { [ "$(sqlite3 "var/network/$1/store.sqlite" "SELECT count(*) FROM reports WHERE id = '$2'")" = 1 ]; }
# at_least_register NODE N: the node's deployment register has N entries
at_least_register() { [ "$(sqlite3 "var/network/$1/store.sqlite" "SELECT count(*) FROM register")" -ge "$2" ]; }
# at_least NODE N SQL-CONDITION: the node's store holds at least N reports matching it (read each time)
at_least() { [ "$(sqlite3 "var/network/$1/store.sqlite" "SELECT count(*) FROM reports WHERE $3")" -ge "$2" ]; }

cleanup() {
    if [ "$keep" = yes ]; then
        step "The network keeps running"
        say "Stop it with: scripts/network.sh stop"
    else
        scripts/network.sh stop >/dev/null 2>&1 || true
    fi
}

step "1. The example network on loopback"
scripts/network.sh stop >/dev/null 2>&1 || true
rm -rf var/network
trap cleanup EXIT
say "platform hub :$board (the network's root, operated by the Commission), regional hub :$regional (North Africa),"
say "authority node :$authority (Germany's national contact point), posts :$tripoli (Tripoli) and :$tunis (Tunis)"
scripts/network.sh start
say
say "The deploying authorities register their people (ilo deploy); every node gets the register:"
ILO=$ILO scripts/network.sh register | sed 's/^/  /'
until_true at_least_register post-tripoli 5
until_true at_least_register post-tunis 5
say
say "Who else is in Libya? Officer Rossi asks the directory at his post (Müller also represents Austria):"
as officer-it $tripoli directory --country LY

step "2. Who reads what: a contact point reads everything, the steering board takes a digest"
say "Italy's national contact point (IT-PS) reads at the platform hub and subscribes to everything:"
as authority-it-user $board subscribe '#'
say "The steering board governs the network (Regulation (EU) 2019/1240 Art. 7); it does not"
say "read everything. Its member takes a daily digest: counts, and headlines only of what is"
say "addressed to the board or shared with it:"
as board-fr $board subscribe '#' --digest daily --at 06:00
say
say "Officer Rossi reads at his home post, Tunis (the register's reads_at). His posts,"
say "Libya and Tunisia, are his subscriptions there; Tunis announces them to the network:"
as officer-it $tunis subscriptions
interest_known() { sqlite3 var/network/$1/store.sqlite "SELECT filters FROM interest WHERE node = 'post-tunis.ilonet.example'" | grep -q '+/LY/#'; }
until_true interest_known regional-na
until_true interest_known post-tripoli
sqlite3 var/network/post-tripoli/store.sqlite \
    "SELECT '  at post-tripoli: ' || node || ' wants ' || filters || ', by way of ' || via FROM interest WHERE node = 'post-tunis.ilonet.example'"

step "3. Two officers report from their posts"
say "Officer Müller (DE-BPOL), at the post in Tripoli:"
zuwara=$(as officer-de $tripoli send --file config/demo/smuggling-zuwara.json)
say "  smuggling  $zuwara"
charter=$(as officer-de $tripoli send --file config/demo/return-charter.json)
say "  return     $charter"
say "Officer Rossi (IT-PS), at the post in Tunis:"
ajdir=$(as officer-it $tunis send --file config/demo/border-ras-ajdir.json)
say "  border     $ajdir (flash)"
say "Each is signed with its author's key, stored at the post, and forwarded hop by hop:"
say "post -> regional hub -> platform hub, and a copy of the German officer's reports to Germany's authority node."
until_true in_store board "$zuwara"
until_true in_store board "$charter"
until_true in_store board "$ajdir"

step "4. Reading at home: Italy's contact point at the platform hub, Rossi at Tunis"
say "The contact point's inbox, most urgent first; what it prints is marked read:"
as authority-it-user $board inbox
say
say "Müller's Libya report reached Rossi's home post because he subscribed there"
say "(interest), not because anyone routed it to Tunis:"
until_true in_store post-tunis "$zuwara"
as officer-it $tunis inbox
say
say "Rossi at the Tripoli post: ilo goes to his home post, with a note:"
as officer-it $tripoli inbox --all --limit 3 2>&1

step "5. One report in full; the reader's ilo checks the author's signature"
as authority-it-user $board show "$ajdir"

step "6. An outage: the regional hub goes offline, cutting the posts' uplink"
scripts/network.sh stop regional-na
say "Officer Müller reports anyway; the post keeps it safe and says so:"
sabratha=$(as officer-de $tripoli send --file config/demo/smuggling-sabratha.json)
say "  smuggling  $sabratha"
say
say "The post's administrator sees it waiting (ilo status):"
as admin $tripoli status | sed -n '/^peers/,/dead letters/p'
in_store board "$sabratha" && { say "unexpected: the board has it already"; exit 1; }

step "7. The uplink returns: the queued report is forwarded without being asked"
scripts/network.sh start regional-na
until_true in_store board "$sabratha"
as authority-it-user $board inbox

step "8. A digest of the last hour, as the board member gets it every morning"
say "(counted: the reports without personal data; listed: none — nothing is addressed to the board yet)"
as board-fr $board digest preview '#' --since 1h

step "9. Receipts back at the post: signed by the nodes that delivered"
until_true at_least post-tripoli 2 "topic = 'notice/LY/delivered'"
say "Officer Müller's sent reports at the post in Tripoli, with the signed receipts attached:"
as officer-de $tripoli sent
say
say "A receipt in full (who delivered, and that its signature verified):"
receipt=$(sqlite3 var/network/post-tripoli/store.sqlite "SELECT id FROM reports WHERE topic = 'notice/LY/delivered' ORDER BY seq LIMIT 1")
as officer-de $tripoli show "$receipt" | grep -E 'signed by|about|node|event'

step "10. The officer's own link: the post node is down"
say "The post in Tunis goes offline. Officer Rossi sends anyway: ilo keeps the signed"
say "report on his computer (the outbox) and says so (exit 4):"
scripts/network.sh stop post-tunis
rc=0
outage=$(as officer-it $tunis send --file config/demo/border-ras-ajdir.json --priority immediate \
    --headline "Ras Ajdir reopened at 09:00, queues building") || rc=$?
[ "$rc" = 4 ] || { say "unexpected: ilo send exited $rc"; exit 1; }
say "  border     $outage (queued on this computer)"
as officer-it $tunis outbox
say
say "The post is back; the next command sends what waits first (here: ilo sent):"
scripts/network.sh start post-tunis
as officer-it $tunis sent --limit 3
until_true in_store board "$outage"
say
say "At the platform hub, once:"
sqlite3 var/network/board/store.sqlite "SELECT '  ' || id || '  ' || headline FROM reports WHERE id = '$outage'"

step "11. H2: passing a report on only with its author's consent"
say "Officer Müller sends a report for one board member only (SIENA H2: not to be"
say "disseminated without the permission of the provider):"
h2=$(as officer-de $tripoli send --file config/demo/smuggling-sabratha.json --handling H2 --addressees board.fr.martin \
    --headline "Sabratha network: boats bought in Tunisia (for the board only)")
say "  smuggling  $h2 (H2)"
until_true in_store board "$h2"
say "Germany's national contact point may not read it:"
as authority-de-user $board show "$h2" 2>&1 | sed 's/^/  /' || true
say "The board member asks Müller to let Germany's contact point have it:"
say "(the board reads it: it is addressed to the board member)"
as board-fr $board show "$h2" | sed -n '1p;/handling/p'
as board-fr $board consent request "$h2" --to authority:DE-BPOL --reason "Germany's investigation into the same network" >/dev/null
until_true at_least post-tripoli 1 "kind = 'consent'"
as officer-de $tripoli inbox | grep "Consent requested"
say "Müller grants it; the grant follows the report's route, and the regional hub's"
say "copy rule for Germany now sends the report to Germany's authority node:"
as officer-de $tripoli consent grant "$h2" --to authority:DE-BPOL --requested-by board.fr.martin >/dev/null
until_true in_store authority-de "$h2"
until_true as authority-de-user $authority show "$h2"
as authority-de-user $authority show "$h2" | sed -n '1p;/handling/,/delivery/p'
say "Each step is in every node's audit trail:"
sqlite3 var/network/regional-na/store.sqlite \
    "SELECT '  ' || event || '  ' || actor || ' -> ' || counterpart FROM audit WHERE report_id = '$h2' AND event LIKE 'consent-%' ORDER BY seq"

step "12. A report sent by mistake: the officer withdraws it, everywhere it went"
say "Müller sends a report meant for another post's file, and the network delivers it:"
mistake=$(as officer-de $tripoli send --file config/demo/smuggling-sabratha.json --headline "Sabratha: draft notes, not for release")
until_true in_store board "$mistake"
say "  smuggling  $mistake, at the platform hub"
say "He withdraws it (ilo withdraw): the order follows the report's own path at flash priority,"
say "each node removes it and answers with a receipt it signs:"
as officer-de $tripoli withdraw "$mistake" --ground inaccurate --note "sent by mistake" | sed 's/^/  /'
withdrawn_everywhere() { as officer-de $tripoli erasure "$mistake" | grep -Eq "withdrawn at ([0-9]+) of \\1 nodes that held it"; }
until_true withdrawn_everywhere || { say "unexpected: the receipts did not come back"; as officer-de $tripoli erasure "$mistake"; exit 1; }
as officer-de $tripoli erasure "$mistake" | sed 's/^/  /'
say "Italy's contact point, who received it, is told, without its content:"
as authority-it-user $board inbox --wide | grep "Withdrawn by its originator" | sed 's/^ */  /'

step "13. The steering board: trends, and an event its owner shares with it"
say "Rossi's Ras Ajdir report opened an event, owned by his deploying authority, IT-PS."
say "Italy's contact point assesses its impact and shares it with the board member:"
as authority-it-user $board event assess "$ajdir" --impact very-high --note "a second group seen at dawn" | sed 's/^/  /'
as authority-it-user $board event share "$ajdir" --with board.fr.martin | sed 's/^/  /'
shared() { as board-fr $board event show "$ajdir" >/dev/null 2>&1; }
until_true shared || { say "unexpected: the board member cannot see the shared event"; exit 1; }
say "The board member reads the event page (only what was shared: the other reports stay closed):"
as board-fr $board event show "$ajdir" | sed 's/^/  /'
say "What the board reads without anyone sharing: the statistics, as trends (reports per week):"
today=$(date -u +%F)
as board-fr $board trend --from "$today" --to "$today" --every week --by kind | sed 's/^/  /'
say "A report the board was not given stays closed to it:"
as board-fr $board show "$zuwara" 2>&1 | sed 's/^/  /' || true

step "14. The board member's web view"
say "The platform hub also serves its pages over HTTPS (web.listen), to a browser that"
say "presents the board member's certificate; without one it gets nothing:"
page=$(curl -s --cacert certs-example/ca.crt --cert certs-example/board-fr.crt --key certs-example/board-fr.key \
    "https://127.0.0.1:$board_web/event/$ajdir")
printf '%s' "$page" | grep -q "very-high (owner)" || { say "unexpected: the web view's event page does not show the owner's impact"; exit 1; }
say "  the event page for $ajdir as board.fr.martin: impact very-high (owner), the shared report"
curl -s -o /dev/null --cacert certs-example/ca.crt "https://127.0.0.1:$board_web/" && { say "unexpected: served without a certificate"; exit 1; }
say "  the same address without a certificate: the TLS handshake is refused"
inbox=$(curl -s --cacert certs-example/ca.crt --cert certs-example/authority-it-user.crt --key certs-example/authority-it-user.key "https://127.0.0.1:$board_web/")
read_part=${inbox#*<h2>Read</h2>}
[ "$read_part" != "$inbox" ] && printf '%s' "$read_part" | grep -q "$zuwara" \
    || { say "unexpected: the web inbox does not list $zuwara as read"; exit 1; }
say "  Italy's contact point's web inbox lists $zuwara under \"Read\": read in the terminal in step 4, one mailbox"
say
say "Delivered, queued across an outage, digested, passed on with consent, shared with the board. Logs and stores are in var/network/."
say
say "The board member's web view: https://127.0.0.1:$board_web/"
say "  (import certs-example/board-fr.crt and .key into the browser and trust certs-example/ca.crt"
say "  first, docs/WEB.md §3; it serves while the network runs: scripts/demo.sh --keep)"
