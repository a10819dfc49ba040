#!/usr/bin/env bash
# Side-by-side benchmark: an ilod hub (default, durable settings: WAL,
# synchronous=FULL, acknowledged only after commit) against Mosquitto (TLS 1.3,
# required client certificates from the example PKI, persistence on), driven by
# the same load generator (`ilo bench load`, ILONet protocol vs MQTT 3.1.1 QoS 1),
# in alternation A B A B … on this machine. Prints each figure's median per
# system and the ILONet/Mosquitto ratio; raw results go to $OUT (JSON lines).
#
#   bench/compare-mosquitto.sh            # ROUNDS=3 DURATION=10 by default
#   bench/compare-mosquitto.sh --smoke    # 1 round of 2 s: checks the tools work (CI)
#
# Workload (docs/PERFORMANCE.md): 4 publishers, 1 subscriber receiving everything,
# 1 KiB payloads, loopback, as fast as acknowledgements allow (window 64 each);
# then a latency run of both at half of ILONet's measured maximum rate.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-1}
if [ "${1:-}" = --smoke ]; then ROUNDS=1; DURATION=2; WARMUP=0; fi

scripts/bootstrap.sh
if ! command -v mosquitto >/dev/null; then
    echo "installing mosquitto from Debian's packages" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mosquitto >/dev/null
fi
swift build -c release --product ilod >&2
swift build -c release --product ilo >&2
ILOD=$PWD/.build/release/ilod; ILO=$PWD/.build/release/ilo

work=$(mktemp -d /tmp/ilonet-bench.XXXXXX)
chmod 755 "$work"   # mosquitto drops to its own user and must read its files here
OUT=${OUT:-$work/results.jsonl}
cleanup() { pkill -f "$work" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
cp certs-example/ca.crt certs-example/hub.crt certs-example/hub.key "$work/"
chmod 644 "$work"/*.crt "$work"/hub.key   # mosquitto may drop to its own user

cat > "$work/mosquitto.conf" <<CONF
per_listener_settings false
listener 18883 127.0.0.1
cafile $work/ca.crt
certfile $work/hub.crt
keyfile $work/hub.key
require_certificate true
tls_version tlsv1.3
persistence true
persistence_location $work/mosquitto/
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
log_dest none
CONF

cat > "$work/ilod.conf" <<CONF
node.name        hub.ilonet.example
node.role        board-hub
listen           127.0.0.1:17443
store            $work/ilod/store.sqlite
tls.certificate  $PWD/certs-example/hub.crt
tls.key          $PWD/certs-example/hub.key
tls.ca           $PWD/certs-example/ca.crt
# The load generator publishes unsigned reports: the figures leave out
# checking authors' signatures (docs/PERFORMANCE.md).
reports.signatures optional
CONF

# PIN=1 puts the server on core 0 and the load generator on core 1, so that
# the figures are the server's and not the sum of both on two shared cores.
server_cpu=""; client_cpu=""
if [ -n "${PIN:-}" ]; then server_cpu="taskset -c 0"; client_cpu="taskset -c 1"; fi

creds="--ca certs-example/ca.crt --cert certs-example/officer-de.crt --key certs-example/officer-de.key
       --subscriber-cert certs-example/board-fr.crt --subscriber-key certs-example/board-fr.key"
load="--publishers 4 --subscribers 1 --size 1024 --window 64 --duration $DURATION --warmup $WARMUP --json"

run_ilonet() {  # label [extra args]
    rm -rf "$work/ilod"; mkdir -p "$work/ilod"
    $server_cpu "$ILOD" --config "$work/ilod.conf" 2>"$work/ilod.log" & local pid=$!
    for _ in $(seq 100); do grep -q 'node ready' "$work/ilod.log" 2>/dev/null && break; sleep 0.1; done
    $client_cpu "$ILO" bench load --protocol ilonet --node 127.0.0.1:17443 $creds $load --pid $pid "${@:2}" >"$work/run.json" || true
    python3 -c "import json,sys; d=json.load(open('$work/run.json')); d['label']='$1'; d['system']='ilonet'; print(json.dumps(d))" >>"$OUT"
    kill $pid; wait $pid 2>/dev/null || true
}

run_mosquitto() {  # label [extra args]
    rm -rf "$work/mosquitto"; mkdir -p "$work/mosquitto"; chmod 777 "$work/mosquitto"
    $server_cpu mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 & local pid=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/18883) 2>/dev/null && break; sleep 0.1; done
    $client_cpu "$ILO" bench load --protocol mqtt --node 127.0.0.1:18883 --server-name localhost $creds $load --pid $pid "${@:2}" >"$work/run.json" || true
    python3 -c "import json,sys; d=json.load(open('$work/run.json')); d['label']='$1'; d['system']='mosquitto'; print(json.dumps(d))" >>"$OUT"
    kill $pid; wait $pid 2>/dev/null || true
}

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $ROUNDS rounds of ${DURATION}s" >&2
for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS: maximum throughput" >&2
    run_ilonet max; run_mosquitto max
done
half=$(python3 -c "
import json,statistics
rows=[json.loads(l) for l in open('$OUT') if l.strip()]
print(max(1,int(statistics.median(r['throughput_per_s'] for r in rows if r['system']=='ilonet' and r['label']=='max')/2)))")
for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS: latency at $half reports/s (half of ILONet's maximum)" >&2
    run_ilonet latency --rate "$half"; run_mosquitto latency --rate "$half"
done

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(system, label, key):
    values = []
    for r in rows:
        if r["system"] == system and r["label"] == label:
            v = r
            for k in key.split("."): v = v.get(k, {}) if isinstance(v, dict) else None
            if isinstance(v, (int, float)): values.append(v)
    return statistics.median(values) if values else float("nan")
figures = [
    ("max", "throughput_per_s", "acknowledged per second"),
    ("max", "delivered", "delivered in the window"),
    ("max", "ack_latency.p50_ms", "publish→ack p50 (ms)"),
    ("max", "ack_latency.p99_ms", "publish→ack p99 (ms)"),
    ("max", "server_cpu_cores", "server CPU (cores)"),
    ("max", "server_peak_rss_mib", "server peak RSS (MiB)"),
    ("latency", "throughput_per_s", "latency run: acknowledged per second"),
    ("latency", "ack_latency.p50_ms", "latency run: publish→ack p50 (ms)"),
    ("latency", "ack_latency.p99_ms", "latency run: publish→ack p99 (ms)"),
    ("latency", "delivery_latency.p99_ms", "latency run: publish→delivery p99 (ms)"),
]
print(f"{'median over runs':42} {'ILONet':>12} {'Mosquitto':>12} {'ratio':>8}")
for label, key, name in figures:
    a, b = med("ilonet", label, key), med("mosquitto", label, key)
    ratio = a / b if b else float("nan")
    print(f"{name:42} {a:12.2f} {b:12.2f} {ratio:8.2f}")
errors = sum(r.get("errors", 0) for r in rows)
print(f"errors in all runs: {errors}; raw results: {sys.argv[1]}")
PY
