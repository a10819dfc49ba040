#!/usr/bin/env bash
# Where a hub's CPU goes under the publish load (docs/PERFORMANCE.md, "Profile
# of the publish path"): starts a hub of its own (the example configuration,
# signatures optional, publish rate unlimited, its own port and store), runs
# `ilo bench load --protocol ilonet $signed $rate --publishers 4 --subscribers 1 --size 1024`
# against it, records the hub with `perf record -e cpu-clock -g` for SECONDS in
# the middle of the load, and prints the load's figures (with the share the subscriber got in the window), the bytes and write
# calls the hub made per report (/proc/PID/io), and the functions with the
# largest share of the hub's samples (inclusive), then the libraries.
#
#   bench/profile.sh [--seconds 8] [--top 30] [--signed] [--rate N] [--wal] [--syscalls] [--dwarf]
#
# Then the hub's samples by thread (the store worker, the event loops, the
# checkpointer; from `perf script`, told apart by their stacks), with each
# thread's largest functions, inclusive of what they call.
# --wal: also copies the store (database and WAL) in the middle of the load and
# counts the WAL's frames per commit and the pages each commit wrote per table
# and index (SQLite's dbstat): what one group commit costs in pages.
#
# --syscalls: also counts the hub's system calls in the same window, by kind
# (perf stat on the syscalls:sys_enter_* tracepoints), per acknowledged report:
# socket and eventfd reads and writes, epoll, the WAL's and checkpoints' pwrite,
# pread and fdatasync, SQLite's file locks (fcntl), futex wake-ups.
#
# --signed: the hub requires signatures (as by default) and the load signs
# every report with the officer's key (`ilo bench load --signed`).
# --rate N: the load offers N reports per second in all (`ilo bench load
# --rate`), e.g. half of the maximum, to see what a report costs below it.
#
#   bench/profile.sh --rate 1000 --syscalls     # what a report costs in system calls below the maximum
#
# --dwarf: stacks from DWARF unwinding (`perf record --call-graph dwarf`)
# instead of frame pointers. Debian's SQLite has no frame pointers, so with
# those a sample inside SQLite loses the ILONet function that ran the
# statement; with --dwarf each thread's section also lists its samples by
# the innermost ILONet function they were in (its own time and the SQLite,
# libc and kernel time it called: what each store operation costs). The
# profile is larger and takes longer to read.
#
# It also prints the store's commits (count, mean time, how many took over
# 5 ms) and how the WAL was started again (docs/OPERATIONS.md §5), from the
# hub's metrics (metrics.listen on 127.0.0.1:PORT_BASE+64).
#
# Always pinned: the hub on core 0, the load on core 1 (taskset). The hub
# listens on 127.0.0.1:PORT_BASE+43 (PORT_BASE=17600). perf comes from Debian's
# linux-perf (installed if missing); the profile stays in $OUT (default
# /tmp/ilonet-profile.perf) for `perf report -i`. ILOD and ILO may name other
# binaries (e.g. two builds to compare); HUB_LOG=FILE keeps the hub's log there.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=8 top=30 signed="" rate="" wal=no syscalls=no callgraph=-g
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --signed) signed=--signed; shift ;;
    --rate) rate="--rate $2"; shift 2 ;;
    --wal) wal=yes; shift ;;
    --syscalls) syscalls=yes; shift ;;
    --dwarf) callgraph="--call-graph dwarf,16384"; shift ;;
    *) echo "usage: bench/profile.sh [--seconds 8] [--top 30] [--signed] [--rate N] [--wal] [--syscalls] [--dwarf]" >&2; exit 2 ;;
    esac
done
out=${OUT:-/tmp/ilonet-profile.perf}
port=$(( ${PORT_BASE:-17600} + 43 ))
metrics_port=$(( ${PORT_BASE:-17600} + 64 ))
scripts/bootstrap.sh >/dev/null
if ! command -v perf >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq linux-perf >/dev/null
fi
if [ -z "${ILOD:-}" ] || [ -z "${ILO:-}" ]; then
    swift build -c release --product ilod >&2
    swift build -c release --product ilo >&2
fi
ilod=${ILOD:-.build/release/ilod} ilo=${ILO:-.build/release/ilo}
work=$(mktemp -d /tmp/ilonet-profile.XXXXXX)
hub=""
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null || true; if [ -n "${HUB_LOG:-}" ]; then cp "$work/ilod.log" "$HUB_LOG"; fi; rm -rf "$work"; }
trap cleanup EXIT
signatures=optional; [ -z "$signed" ] || signatures=required
sed -e "s/^reports.signatures .*/reports.signatures $signatures/" -e 's/^limits.publish-rate .*/limits.publish-rate 100000/' \
    -e "s|^listen .*|listen           127.0.0.1:$port|" -e '/^web.listen/d' -e "s|^#metrics.listen .*|metrics.listen   127.0.0.1:$metrics_port|" \
    -e "s|^store .*|store            $work/store.sqlite|" -e "s|\.\./certs-example/|$PWD/certs-example/|g" config/hub.conf >"$work/hub.conf"
taskset -c 0 "$ilod" --config "$work/hub.conf" 2>"$work/ilod.log" &
hub=$!
for _ in $(seq 100); do grep -q 'msg="node ready"' "$work/ilod.log" && break; sleep 0.1; done
grep -q 'msg="node ready"' "$work/ilod.log" || { cat "$work/ilod.log" >&2; exit 1; }
io_before=$(awk '/^(wchar|syscw)/ { printf "%s ", $2 }' "/proc/$hub/io")
taskset -c 1 "$ilo" bench load --protocol ilonet $signed $rate --publishers 4 --subscribers 1 --size 1024 --duration $((seconds + 4)) --pid "$hub" --json \
    --node "127.0.0.1:$port" --ca certs-example/ca.crt --cert certs-example/officer-de.crt --key certs-example/officer-de.key \
    --subscriber-cert certs-example/authority-fr-user.crt --subscriber-key certs-example/authority-fr-user.key >"$work/load.json" 2>"$work/load.err" &
load=$!
sleep 2
kinds=read,write,epoll_wait,epoll_ctl,pwrite64,pread64,fdatasync,fcntl,futex
if [ "$syscalls" = yes ]; then
    events=$(echo "$kinds" | tr ',' '\n' | sed 's/^/syscalls:sys_enter_/' | paste -sd,)
    perf stat -x, -e "$events" -p "$hub" -o "$work/syscalls.csv" -- sleep "$seconds" >/dev/null 2>&1 &
    stat=$!
fi
perf record -e cpu-clock -F 499 $callgraph -p "$hub" -o "$out" -- sleep "$seconds" >/dev/null 2>&1
[ "$syscalls" = yes ] && wait $stat
if [ "$wal" = yes ]; then
    mkdir "$work/copy"
    cp "$work/store.sqlite-wal" "$work/copy/store.sqlite-wal"
    cp "$work/store.sqlite" "$work/copy/store.sqlite"
fi
wait $load || { cat "$work/load.err" >&2; exit 1; }
curl -s "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics.txt" || true
io_after=$(awk '/^(wchar|syscw)/ { printf "%s ", $2 }' "/proc/$hub/io")
python3 - "$work/load.json" $io_before $io_after <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpu = d["server_cpu_cores"]
print(f"load: {d['throughput_per_s']:.0f} acknowledged/s, ack p50 {d['ack_latency']['p50_ms']} ms, p99 {d['ack_latency']['p99_ms']} ms, "
      f"hub {cpu} cores = {cpu / d['throughput_per_s'] * 1e6:.0f} us of CPU per report, "
      f"subscriber got {d['delivered'] / max(1, d['acknowledged']) * 100:.1f} % of them in the window")
# /proc/PID/io: wchar = bytes handed to write-like calls (files and sockets), syscw = those calls.
wchar0, syscw0, wchar1, syscw1 = map(int, sys.argv[2:6])
reports = d["acknowledged"]
print(f"hub wrote {(wchar1 - wchar0) / reports:,.0f} bytes in {(syscw1 - syscw0) / reports:.1f} write calls per report "
      f"(WAL, checkpoints, sockets, log)")
PY
python3 - "$work/metrics.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def value(name):
    match = re.search("^" + re.escape(name) + r" ([0-9.e+]+)$", text, re.M)
    return float(match.group(1)) if match else 0
commits, seconds = value("ilonet_store_commit_seconds_count"), value("ilonet_store_commit_seconds_sum")
slow = commits - value('ilonet_store_commit_seconds_bucket{le="0.005"}')
writer, blocking = value('ilonet_store_wal_restarts_total{how="caught-up"}'), value('ilonet_store_wal_restarts_total{how="blocking"}')
print(f"store: {commits:.0f} commits, {1000 * seconds / max(1, commits):.2f} ms each on average, {slow:.0f} over 5 ms; "
      f"WAL started again {writer:.0f} times by the writer, {blocking:.0f} by a RESTART that held commits back")
PY
if [ "$syscalls" = yes ]; then
    python3 - "$work/load.json" "$work/syscalls.csv" "$seconds" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
reports = d["throughput_per_s"] * float(sys.argv[3])  # acknowledged in the window, at the load's mean rate
counts = {}
for line in open(sys.argv[2]):
    fields = line.strip().split(",")
    if len(fields) > 2 and fields[2].startswith("syscalls:sys_enter_") and fields[0].isdigit():
        counts[fields[2].removeprefix("syscalls:sys_enter_")] = int(fields[0])
total = sum(counts.values())
print(f"hub's system calls per report, in the window: {total / reports:.1f} in all; "
      + ", ".join(f"{name} {count / reports:.2f}" for name, count in sorted(counts.items(), key=lambda kv: -kv[1])))
PY
fi
# Reports to files first: `head` closing a pipe early must not fail the script.
perf report -i "$out" --children --sort symbol -g none >"$work/functions.txt" 2>/dev/null
perf report -i "$out" --no-children --sort dso -g none >"$work/libraries.txt" 2>/dev/null
demangle() { if swift demangle --help >/dev/null 2>&1; then swift demangle --simplified --compact; else cat; fi; }
echo "hub's samples by function, inclusive (top $top of ILONet's):"
grep -v '^#' "$work/functions.txt" | grep 'ILONet' | awk -v top="$top" 'NR <= top { printf "%s %s\n", $1, $4 }' | demangle \
    | awk '{ pct = $1; $1 = ""; name = substr($0, 2); if (length(name) > 110) name = substr(name, 1, 110) "…"; printf "  %7s  %s\n", pct, name }'
echo "by library (exclusive):"
grep -v '^#' "$work/libraries.txt" | grep -v '^$' | awk 'NR <= 8 { print "  " $0 }'
# The samples by thread: which thread a sample is from, told by its stack.
perf script -i "$out" -F tid,ip,sym >"$work/script.txt" 2>/dev/null
swift_demangle() { if swift demangle --help >/dev/null 2>&1; then swift demangle --simplified --compact; else cat; fi; }
python3 - "$work/script.txt" "$top" "$callgraph" <<'PY' | swift_demangle
import collections, sys
dwarf = "dwarf" in sys.argv[3]
samples, current = [], None
for line in open(sys.argv[1], errors="replace"):
    if not line.strip():
        if current: samples.append(current)
        current = None
    elif not line.startswith("\t"):
        current = (line.split()[0], [])
    elif current is not None:
        parts = line.strip().split(None, 1)
        if len(parts) == 2: current[1].append(parts[1])
if current: samples.append(current)
def role(stacks):
    text = " ".join(" ".join(s) for s in stacks[:200])
    # An event loop calls StoreWorker.submit: the store thread is the one that runs batches.
    if "runBatch" in text: return "store worker"
    if "Checkpointer" in text: return "checkpointer"
    if "EventLoop" in text: return "event loop"
    if "sys_pwrite64" in text or "sys_pread64" in text: return "checkpointer (its file I/O)"
    return "other"
# With --dwarf: names demangled here, so that the plumbing every operation goes
# through (a statement's step, a dictionary lookup) is passed over and a
# sample counts for the ILONet function that asked for it.
names = {}
if dwarf:
    import subprocess
    unique = sorted({name for _, stack in samples for name in stack})
    try:
        plain = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(unique), capture_output=True, text=True).stdout.split("\n")
        names = dict(zip(unique, plain))
    except OSError:
        pass
plumbing = ("SQLiteStatement.", "SQLiteDatabase.", "Dictionary", "Sequence", "Array", "Collection", "Set.", "_Native", "String", "sha256",
            "Hasher", "EventLoop.execute", "LoopBound", "Mutex", "thunk for", "outlined")
def owner(name):
    plain = names.get(name, name)
    return "ILONet" in name and not any(p in plain for p in plumbing)
threads = collections.defaultdict(list)
for tid, stack in samples: threads[tid].append(stack)
top = max(5, int(sys.argv[2]) // 3)
print("hub's samples by thread (each thread's own functions inclusive, ILONet's and system calls):")
for tid, stacks in sorted(threads.items(), key=lambda t: -len(t[1])):
    share = 100 * len(stacks) / len(samples)
    if share < 1: continue
    print(f"  {share:5.1f}%  thread {tid} ({role(stacks)})")
    inclusive = collections.Counter()
    for stack in stacks:
        for name in set(stack): inclusive[name] += 1
    shown = 0
    for name, count in inclusive.most_common():
        if "ILONet" in name or name.startswith("__x64_sys_"):
            print(f"      {100 * count / len(stacks):5.1f}%  {name}")
            shown += 1
            if shown == top: break
    if dwarf and role(stacks) in ("store worker", "event loop"):
        print("      by the innermost ILONet function (its own time and what it called: SQLite, the standard library, the kernel):")
        innermost = collections.Counter(next((names.get(name, name) for name in stack if owner(name)), "(none)") for stack in stacks)
        for name, count in innermost.most_common(top):
            print(f"        {100 * count / len(stacks):5.1f}%  {name}")
PY
if [ "$wal" = yes ]; then
    python3 - "$work/copy" <<'PY'
import collections, sqlite3, struct, sys
d = sys.argv[1]
wal = open(d + "/store.sqlite-wal", "rb").read()
page = struct.unpack(">I", wal[8:12])[0]
commits, current, offset = [], [], 32
while offset + 24 + page <= len(wal):
    number, size_after_commit = struct.unpack(">II", wal[offset:offset + 8])
    current.append(number)
    if size_after_commit:
        commits.append(current)
        current = []
    offset += 24 + page
owner = {p: name for name, p in sqlite3.connect(d + "/store.sqlite").execute("SELECT name, pageno FROM dbstat")}
frames = sum(len(c) for c in commits)
print(f"WAL in the middle of the load: {len(commits)} commits, {frames / max(1, len(commits)):.1f} frames per commit "
      f"({page}-byte pages); pages a commit wrote, by table or index:")
pages = collections.Counter()
for commit in commits:
    for number in set(commit): pages[owner.get(number, "(freed since)")] += 1
for name, count in pages.most_common(25):
    print(f"  {count / max(1, len(commits)):6.2f}  {name}")
PY
fi
