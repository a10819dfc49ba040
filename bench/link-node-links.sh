#!/usr/bin/env bash
# The cuts profile on node links (issue 30; run by bench/link.sh for the cuts
# profile, or on its own): the example network (bench/example-network.sh) with
# a link emulator (the cuts profile: 256 kbit/s up, 1 Mbit/s down, 600 ms,
# cut every 30 s for 10 s, the cuts starting once the network is set up)
# between the post in Tripoli and the regional hub and another between the
# regional hub and the board hub. Müller
# sends a border report with a 5 MiB PDF at his post; it must reach the board
# hub once, its file whole and checked, within 20 minutes. Last line:
#   node_links: board_once=N board_file=yes|NO:BYTES/SIZE seconds=S
# ILOD and ILO may name other binaries; SIZE changes the file's size.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME="link node links"
size=${SIZE:-$((5 << 20))}
read -r e1 e2 < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
# The post dials the regional hub, the regional hub dials the board: through the emulators.
BEFORE_START='sed -i "s|127\.0\.0\.1:17602|127.0.0.1:$e1|" "$work/post-tripoli.conf"
sed -i "s|^\(peer  *board\.ilonet\.example  *\)127\.0\.0\.1:17601|\1127.0.0.1:$e2|" "$work/regional-na.conf"
"$ILO" bench link --to 17602 --listen "$e1" --profile satellite --cut-for 10 >"$work/link-post-regional.log" & pids+=($!); em1=$!
"$ILO" bench link --to 17601 --listen "$e2" --profile satellite --cut-for 10 >"$work/link-regional-board.log" & pids+=($!); em2=$!'
# shellcheck source=bench/example-network.sh
. bench/example-network.sh
# The network is set up (register, subscriptions, interest): from now on both links
# are cut every 30 s for 10 s, as the cuts profile does (SIGUSR1: cut for --cut-for).
( while sleep 30; do kill -USR1 "$em1" "$em2" 2>/dev/null || exit 0; done ) &
pids+=($!)

/usr/bin/python3 bench/make-pdf.py "$work/file.pdf" "$size"
/usr/bin/python3 - "$work/r.json" <<'PY'
import json, sys
d = json.load(open("config/demo/border-ras-ajdir.json"))
d.pop("id", None); d.pop("created", None)
d["headline"] = "node links bench: the boat photographed"
json.dump(d, open(sys.argv[1], "w"))
PY
start=$(date +%s)
id=$(as officer-de post-tripoli send --file "$work/r.json" --attach "$work/file.pdf" --confirm-no-personal-data)
until_board() { for _ in $(seq 1200); do [ "$(q board "SELECT count(*) FROM reports WHERE id = '$id'")" = 1 ] && return 0; sleep 1; done; return 1; }
until_board || true
seconds=$(( $(date +%s) - start ))
once=$(q board "SELECT count(*) FROM reports WHERE id = '$id'")
bytes=$(q board "SELECT coalesce(sum(length(data)), 0) FROM attachment_chunks WHERE report_id = '$id'")
checked=$(q board "SELECT count(*) FROM attachment_files WHERE report_id = '$id' AND checked = 1 AND problem IS NULL")
echo "node_links: board_once=$once board_file=$([ "$bytes" = "$size" ] && [ "$checked" = 1 ] && echo yes || echo "NO:$bytes/$size") seconds=$seconds"
