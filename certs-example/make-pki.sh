#!/usr/bin/env bash
# Makes and runs an ILONet PKI with the openssl command: a CA, and one
# certificate per identity following the naming convention of docs/PROTOCOL.md §1:
#   subject CN = identity id, OU = role, O = deploying authority, C = member state;
#   subjectAltName URI ilonet:post:CC for the countries an officer is posted to,
#   DNS/IP names for nodes (checked by whoever connects to them).
#
# usage: make-pki.sh OUTDIR ca [DAYS]            a new CA only: ca.crt, ca.key (keep it offline)
#                                                and an empty ca.crl; default 3650 days
#        make-pki.sh OUTDIR example [DAYS]       a new CA with the example network's identities
#                                                (the tests, certs-example/); default 825 days.
#                                                Never for a real network
#        make-pki.sh OUTDIR issue NAME SUBJECT EXTENSIONS [DAYS]
#                                                one more certificate from OUTDIR's CA
#        make-pki.sh OUTDIR record NAME...       records certificates issued before the CA kept
#                                                its inventory
#        make-pki.sh OUTDIR list                 the CA's inventory
#        make-pki.sh OUTDIR revoke NAME [CRL-DAYS]
#        make-pki.sh OUTDIR renew-crl [CRL-DAYS] (crl: the same)
#        make-pki.sh --help
#
#   issue: e.g. make-pki.sh ./pki issue officer-es "/C=ES/O=ES-CGEF/OU=officer/CN=officer.es.garcia" \
#       "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:MA"; default 825 days.
#   With NOT_BEFORE and NOT_AFTER (YYYYMMDDHHMMSSZ) in the environment, the
#   certificate gets exactly that validity (the tests make expired and not yet
#   valid certificates this way). Every certificate issued is recorded in
#   OUTDIR/index.txt (the CA's inventory), and `issue` prints what it made.
#
#   list: every certificate issued, valid, revoked or expired, with its expiry;
#   those expiring within 30 days are marked. revoke: revokes NAME.crt, rewrites
#   ca.crl and prints its next update. renew-crl: re-signs ca.crl (default valid
#   30 days) and prints its next update; run it on a schedule (docs/OPERATIONS.md
#   §1), publish the file to every node, then SIGHUP them (nodes load it with
#   `tls.crl`).
set -euo pipefail

usage() { sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
-h|--help|help) usage; exit 0 ;;
"") usage >&2; exit 2 ;;
-*) echo "make-pki.sh: unknown option $1; see make-pki.sh --help" >&2; exit 2 ;;
esac
case "${2:-}" in
ca|example|issue|record|list|revoke|renew-crl|crl) ;;
"") echo "make-pki.sh: say what to make: make-pki.sh $1 ca (a CA only) or make-pki.sh $1 example (the example identities); see --help" >&2; exit 2 ;;
*) echo "make-pki.sh: unknown command \"$2\"; see make-pki.sh --help" >&2; exit 2 ;;
esac
out=$1
mkdir -p "$out"
umask 077

# `openssl ca` keeps its records (issued and revoked serials) in OUTDIR/index.txt.
ca_config() {
    [ -f "$out/index.txt" ] || : >"$out/index.txt"
    [ -f "$out/crlnumber" ] || echo 1000 >"$out/crlnumber"
    [ -f "$out/ca.srl" ] || openssl rand -hex 16 >"$out/ca.srl"
    cat >"$out/ca.cnf" <<CNF
[ ca ]
default_ca = ilonet
[ ilonet ]
database = $out/index.txt
certificate = $out/ca.crt
private_key = $out/ca.key
new_certs_dir = $out
serial = $out/ca.srl
crlnumber = $out/crlnumber
default_md = sha256
default_crl_days = 30
unique_subject = no
preserve = yes
policy = any_subject
[ any_subject ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
CNF
    echo "$out/ca.cnf"
}

write_crl() {  # DAYS
    openssl ca -config "$(ca_config)" -gencrl -crldays "$1" -out "$out/ca.crl" 2>/dev/null
    chmod 644 "$out/ca.crl"
}

crl_next_update() {
    openssl crl -in "$out/ca.crl" -noout -nextupdate | sed 's/^nextUpdate=//'
}

issue() {  # NAME SUBJECT EXTRA-EXTENSIONS DAYS
    local name=$1 subject=$2 extensions=$3 days=$4
    local ext; ext=$(mktemp)
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature"
        echo "subjectKeyIdentifier=hash"
        echo "authorityKeyIdentifier=keyid:always"
        printf '%s\n' "$extensions" | tr ';' '\n'
    } >"$ext"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
        -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
    # `openssl ca` records every certificate in the CA's database (index.txt): the inventory `list` shows.
    local validity=(-days "$days")
    [ -n "${NOT_BEFORE:-}" ] && validity=(-startdate "$NOT_BEFORE" -enddate "${NOT_AFTER:?NOT_AFTER}")
    openssl ca -batch -config "$(ca_config)" -notext "${validity[@]}" \
        -extfile "$ext" -in "$out/$name.csr" -out "$out/$name.crt" 2>/dev/null
    rm -f "$out"/[0-9A-F]*.pem
    rm -f "$out/$name.csr" "$ext"
    chmod 600 "$out/$name.key"
    chmod 644 "$out/$name.crt"
}

case "${2:-}" in
issue)
    issue "${3:?NAME}" "${4:?SUBJECT}" "${5:?EXTENSIONS}" "${6:-825}"
    serial=$(openssl x509 -in "$out/$3.crt" -noout -serial | sed 's/^serial=//')
    until=$(openssl x509 -in "$out/$3.crt" -noout -enddate | sed 's/^notAfter=//')
    echo "issued $3: $4, serial $serial, valid until $until ($out/$3.crt, key $out/$3.key)"
    exit 0 ;;
revoke)
    [ -f "$out/${3:?NAME}.crt" ] || { echo "make-pki.sh: no certificate $out/$3.crt" >&2; exit 1; }
    openssl ca -config "$(ca_config)" -revoke "$out/$3.crt" 2>/dev/null || { echo "make-pki.sh: $3 could not be revoked (already revoked?)" >&2; exit 1; }
    write_crl "${4:-30}"
    echo "revoked $3; $out/ca.crl is valid until $(crl_next_update): publish it to every node and send them SIGHUP, and renew it before then (make-pki.sh $out renew-crl)"
    exit 0 ;;
crl|renew-crl)
    write_crl "${3:-30}"
    echo "renewed $out/ca.crl: valid until $(crl_next_update); publish it to every node and send them SIGHUP"
    exit 0 ;;
record)
    # Certificates issued before the CA kept its inventory: record them (as valid).
    shift 2
    for name in "$@"; do
        openssl ca -config "$(ca_config)" -valid "$out/$name.crt" 2>/dev/null && echo "recorded $name" || echo "make-pki.sh: $name was not recorded (already there?)" >&2
    done
    exit 0 ;;
list)
    [ -f "$out/index.txt" ] || { echo "make-pki.sh: no CA database $out/index.txt" >&2; exit 1; }
    now=$(date -u +%s)
    printf '%-8s %-42s %-22s %s\n' STATE SERIAL EXPIRES SUBJECT
    # index.txt: status, expiry (YYMMDDHHMMSSZ), revocation date, serial, file, subject; tab-separated.
    # (tabs are whitespace to `read`, so the empty revocation field of a valid entry would vanish: awk splits).
    awk -F'\t' '{ print $1 "|" $2 "|" $4 "|" $6 }' "$out/index.txt" | while IFS='|' read -r status expiry serial subject; do
        when=$(date -u -d "20${expiry:0:2}-${expiry:2:2}-${expiry:4:2} ${expiry:6:2}:${expiry:8:2}:${expiry:10:2}" +%s)
        state=valid
        [ "$status" = R ] && state=revoked
        [ "$status" != R ] && [ "$when" -lt "$now" ] && state=expired
        note=
        if [ "$state" = valid ] && [ $(( (when - now) / 86400 )) -lt 30 ]; then note="  <- expires in $(( (when - now) / 86400 )) days"; fi
        printf '%-8s %-42s %-22s %s%s\n' "$state" "$serial" "$(date -u -d "@$when" +%Y-%m-%dT%H:%M:%SZ)" "$subject" "$note"
    done
    [ -f "$out/ca.crl" ] && echo "revocation list $out/ca.crl valid until $(crl_next_update)"
    exit 0 ;;
esac

# ca or example: a new CA.
if [ -f "$out/ca.key" ]; then
    echo "make-pki.sh: $out already holds a CA (ca.key); issue certificates from it with make-pki.sh $out issue …" >&2
    exit 1
fi
default_days=825
[ "$2" = ca ] && default_days=3650
days=${3:-$default_days}
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" -sha256 \
    -subj "/C=EU/O=ILONet Example Network/OU=ca/CN=ILONet Example CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
chmod 644 "$out/ca.crt"

if [ "$2" = ca ]; then
    # A new CA has no identities; its revocation list is empty and short-lived.
    write_crl 30
    echo "CA written to $out (valid $days days; no certificates yet): keep $out/ca.key offline, issue with make-pki.sh $out issue …, renew $out/ca.crl before $(crl_next_update)"
    exit 0
fi

node_ext() {  # host names of a node
    local san="DNS:$1" extra
    for extra in "${@:2}"; do san="$san,$extra"; done
    echo "extendedKeyUsage=serverAuth,clientAuth;subjectAltName=$san"
}

# The board hub (root of the network), reachable as hub.ilonet.example and on loopback.
issue hub "/C=EU/O=EU-ILO-BOARD/OU=node/CN=hub.ilonet.example" \
    "$(node_ext hub.ilonet.example DNS:localhost IP:127.0.0.1 IP:::1)" "$days"
# The example network of config/network/: the board hub, a regional hub for North
# Africa, Germany's authority node, and two post nodes (Tripoli, Tunis).
for node in board regional-na authority-de post-tripoli post-tunis; do
    issue "$node" "/C=EU/O=ILONet Example Network/OU=node/CN=$node.ilonet.example" \
        "$(node_ext "$node.ilonet.example" DNS:localhost IP:127.0.0.1)" "$days"
done
# A user at Germany's national contact point (role authority).
issue authority-de-user "/C=DE/O=DE-BPOL/OU=authority/CN=ncp.de.schmidt" "extendedKeyUsage=clientAuth" "$days"
# Users at Italy's and France's deploying authorities: they keep their people's
# entries in the deployment register (ilo deploy, docs/ACCESS.md §6).
issue authority-it-user "/C=IT/O=IT-PS/OU=authority/CN=ncp.it.bianchi" "extendedKeyUsage=clientAuth" "$days"
issue authority-fr-user "/C=FR/O=FR-DGEF/OU=authority/CN=ncp.fr.bernard" "extendedKeyUsage=clientAuth" "$days"
# Two officers of different member states, both posted to Libya.
issue officer-de "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.mueller" \
    "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY" "$days"
issue officer-it "/C=IT/O=IT-PS/OU=officer/CN=officer.it.rossi" \
    "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY,URI:ilonet:post:TN" "$days"
# A member of the steering board, and an administrator of the hub.
issue board-fr "/C=FR/O=FR-DGEF/OU=board/CN=board.fr.martin" "extendedKeyUsage=clientAuth" "$days"
issue admin "/C=EU/O=EU-ILO-BOARD/OU=admin/CN=admin.hub" "extendedKeyUsage=clientAuth" "$days"
# The board's data-protection officer: reads the audit trail, never report content.
issue dpo "/C=EU/O=EU-ILO-BOARD/OU=dpo/CN=dpo.board" "extendedKeyUsage=clientAuth" "$days"
# The Commission's operator of the platform hub (Regulation (EU) 2019/1240 Art. 9): no report content.
issue operator "/C=EU/O=EU-COM/OU=operator/CN=operator.platform" "extendedKeyUsage=clientAuth" "$days"

# An empty revocation list, as long-lived as the example certificates. In a real
# network the list is short-lived and re-signed on a schedule (`crl` above).
write_crl "$days"
echo "PKI written to $out (valid $days days)"
