# Sourced by the benchmarks that run the example network (bench/network.sh,
# bench/erasure.sh): the example network of config/network/ — platform hub,
# regional hub, Germany's authority node, the posts in Tripoli and Tunis — on
# ports of its own (176xx) with stores in a temporary directory ($work), so a
# running example network is left alone; the register of scripts/network.sh;
# every reader connects at home: Rossi at Tunis (his posts LY and TN), Müller at
# Tripoli (LY), Italy's contact point (# and smuggling/#) at
# the platform hub, Germany's contact point (#) at its node.
#
# Before sourcing: BENCH_NAME (for the messages); from the environment: PIN=1
# (nodes on CPU 0, clients on CPU 1), KEEP=1 (keep $work), ILOD and ILO (default:
# a release build of this checkout), NODE_CONFIG (lines added to every node's
# configuration), BEFORE_START (a command run before the nodes start). Defines: work, nodes, pids, server_cpu, client_cpu, start_node
# NODE, ready NODE [N], port NODE, as IDENTITY NODE ilo-arguments…, q NODE SQL,
# until_true COMMAND….
scripts/bootstrap.sh >/dev/null
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
    ILOD=$PWD/.build/release/ilod ILO=$PWD/.build/release/ilo
fi
server_cpu= client_cpu=
if [ "${PIN:-0}" = 1 ]; then server_cpu="taskset -c 0" client_cpu="taskset -c 1"; fi

nodes="board authority-de regional-na post-tripoli post-tunis"
work=$(mktemp -d "/tmp/ilonet-${BENCH_NAME// /-}.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] && echo "$BENCH_NAME: stores and logs kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# The example configuration, moved to ports 176xx and to stores in $work.
for f in config/network/*; do
    sed -e "s|127\.0\.0\.1:76\([0-9][0-9]\)|127.0.0.1:176\1|g" -e "s|\.\./\.\./var/network/\([a-z-]*\)/store\.sqlite|$work/\1/store.sqlite|" \
        -e "s|\.\./\.\./certs-example|$PWD/certs-example|g" "$f" >"$work/$(basename "$f")"
    # NODE_CONFIG: lines added to every node's configuration (to compare settings).
    case "$f" in *.conf) [ -n "${NODE_CONFIG:-}" ] && printf '%s\n' "$NODE_CONFIG" >>"$work/$(basename "$f")" ;; esac
done
# BEFORE_START: a command run once the configurations are written, before any
# node starts (bench/link.sh puts link emulators between nodes with it).
if [ -n "${BEFORE_START:-}" ]; then eval "$BEFORE_START"; fi
# start_node NODE: starts (or restarts) one node; its pid in node_pid[NODE].
declare -A node_pid
start_node() {
    mkdir -p "$work/$1"
    $server_cpu "$ILOD" --config "$work/$1.conf" 2>>"$work/$1/ilod.log" &
    node_pid[$1]=$!
    pids+=($!)
}
# ready NODE [N]: waits (≤ 20 s) until the node's log says "node ready" N times (default 1).
ready() { for _ in $(seq 200); do [ "$(grep -c 'msg="node ready"' "$work/$1/ilod.log" 2>/dev/null)" -ge "${2:-1}" ] && return 0; sleep 0.1; done; return 1; }
for n in $nodes; do start_node "$n"; done
for n in $nodes; do ready "$n"; done
port() { case $1 in board) echo 17601 ;; regional-na) echo 17602 ;; authority-de) echo 17603 ;; post-tripoli) echo 17611 ;; post-tunis) echo 17612 ;; esac; }
as() {  # as IDENTITY NODE ilo-arguments...
    local who=$1 node=$2; shift 2
    "$ILO" "$@" --node "127.0.0.1:$(port "$node")" --cert "certs-example/$who.crt" --key "certs-example/$who.key" --ca certs-example/ca.crt
}
q() { sqlite3 "$work/$1/store.sqlite" "$2"; }
until_true() { for _ in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

BOARD=127.0.0.1:17601 ILO=$ILO scripts/network.sh register >/dev/null
# (A function, so that the count is read again on every try, not once.)
registered() { [ "$(q "$1" 'SELECT count(*) FROM register')" -ge 5 ]; }
for n in $nodes; do until_true registered "$n"; done
as officer-it post-tunis subscriptions >/dev/null
as officer-de post-tripoli subscriptions >/dev/null
as authority-it-user board subscribe '#' >/dev/null
as authority-it-user board subscribe 'smuggling/#' >/dev/null
as authority-de-user authority-de subscribe '#' >/dev/null
knows() { q "$1" "SELECT filters FROM interest WHERE node = '$2'" | grep -q "$3"; }
for n in $nodes; do
    until_true knows "$n" post-tunis.ilonet.example '+/LY/#'
    until_true knows "$n" post-tripoli.ilonet.example '+/LY/#'
done

