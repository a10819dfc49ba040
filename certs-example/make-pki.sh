#!/usr/bin/env bash
# Makes an ILONet PKI with the openssl command: a CA and one certificate per
# identity, following the naming convention in docs/PROTOCOL.md §1:
#   subject CN = identity id, OU = role, O = deploying authority, C = member state;
#   subjectAltName URI ilonet:post:CC for the countries an officer is posted to,
#   DNS/IP names for nodes (checked by whoever connects to them).
#
# usage: certs-example/make-pki.sh OUTDIR [DAYS]
#   Writes ca.crt/ca.key and NAME.crt/NAME.key for the identities listed below.
#   Used by the tests (fresh PKI per run) and as a starting point for a real network:
#   for production, keep ca.key offline and issue certificates with `issue` below.
#
#   certs-example/make-pki.sh OUTDIR issue NAME SUBJECT EXTENSIONS [DAYS]
#   Issues one more certificate from OUTDIR's CA, e.g.
#   make-pki.sh ./pki issue officer-es "/C=ES/O=ES-CGEF/OU=officer/CN=officer.es.garcia" \
#       "subjectAltName=URI:ilonet:post:MA" 
set -euo pipefail

out=${1:?usage: make-pki.sh OUTDIR [DAYS] | make-pki.sh OUTDIR issue NAME SUBJECT EXTENSIONS [DAYS]}
mkdir -p "$out"
umask 077

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
    openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
        -days "$days" -sha256 -extfile "$ext" -out "$out/$name.crt" 2>/dev/null
    rm -f "$out/$name.csr" "$ext"
    chmod 600 "$out/$name.key"
    chmod 644 "$out/$name.crt"
}

if [ "${2:-}" = issue ]; then
    issue "${3:?NAME}" "${4:?SUBJECT}" "${5:?EXTENSIONS}" "${6:-825}"
    exit 0
fi

days=${2:-825}
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" -sha256 \
    -subj "/C=EU/O=ILONet Example Network/OU=ca/CN=ILONet Example CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
chmod 644 "$out/ca.crt"

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
# Two officers of different member states, both posted to Libya.
issue officer-de "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.mueller" \
    "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY" "$days"
issue officer-it "/C=IT/O=IT-PS/OU=officer/CN=officer.it.rossi" \
    "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY,URI:ilonet:post:TN" "$days"
# A member of the steering board, and an administrator of the hub.
issue board-fr "/C=FR/O=FR-DGEF/OU=board/CN=board.fr.martin" "extendedKeyUsage=clientAuth" "$days"
issue admin "/C=EU/O=EU-ILO-BOARD/OU=admin/CN=admin.hub" "extendedKeyUsage=clientAuth" "$days"

rm -f "$out/ca.srl"
echo "PKI written to $out (valid $days days)"
