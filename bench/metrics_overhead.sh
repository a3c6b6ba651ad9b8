#!/usr/bin/env bash
# Metrics overhead, end to end: wrk POSTs 50-event batches to productgraphd (counting on)
# and to pg_bench_uncounted_daemon (the same daemon with every metrics hook off), in
# interleaved rounds that alternate which goes first, and prints medians and the ratio.
#
# Usage: bench/metrics_overhead.sh <build-dir> [duration_s=5] [rounds=5]
#
# Environment (optional): PG_BENCH_THREADS / PG_BENCH_CONNECTIONS (wrk -t / -c, default
# 2 / 32). Anything the daemon reads is inherited (e.g. PRODUCTGRAPH_QUEUE=memory to
# take the disk out of the comparison). A number to read, not a test.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
    echo "usage: $0 <build-dir> [duration_s=5] [rounds=5]" >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd)
duration=${2:-5}
rounds=${3:-5}
threads=${PG_BENCH_THREADS:-2}
connections=${PG_BENCH_CONNECTIONS:-32}
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
counted_bin=$build_dir/core/daemon/productgraphd
uncounted_bin=$build_dir/bench/pg_bench_uncounted_daemon
for bin in "$counted_bin" "$uncounted_bin"; do
    [[ -x $bin ]] || { echo "error: $bin not built" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "error: wrk not installed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-metrics-bench.XXXXXX")
declare -A pid port
stop_all() {
    for side in counted uncounted; do
        [[ -n ${pid[$side]:-} ]] || continue
        kill -TERM "${pid[$side]}" 2>/dev/null || continue
        for _ in $(seq 100); do kill -0 "${pid[$side]}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${pid[$side]}" 2>/dev/null || true
        wait "${pid[$side]}" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

python3 "$bench_dir/make_batch.py" -n 50 -o "$work/batch.json" 2>/dev/null

start() {  # side binary: starts it on port 0 with its own queue dir, waits for "listening"
    local side=$1 bin=$2
    mkdir -p "$work/$side-queue"
    PORT=0 PRODUCTGRAPH_ADMIN_ADDRESS=127.0.0.1:0 PRODUCTGRAPH_PLUGIN_DIR=$build_dir/plugins \
        PRODUCTGRAPH_QUEUE_DIR=$work/$side-queue "$bin" 2>"$work/$side.err" &
    pid[$side]=$!
    for _ in $(seq 150); do
        port[$side]=$(grep -o '"msg":"listening"[^}]*"port":[0-9]*' "$work/$side.err" | grep -o '[0-9]*$' | head -n1 || true)
        [[ -n ${port[$side]} ]] && return 0
        kill -0 "${pid[$side]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: $side did not start:" >&2
    tail -n 20 "$work/$side.err" >&2
    exit 1
}
start counted "$counted_bin"
start uncounted "$uncounted_bin"

run_wrk() {  # side seconds -> the JSON summary line of post_events.lua
    wrk -t"$threads" -c"$connections" -d"$2s" --latency -s "$bench_dir/post_events.lua" \
        "http://127.0.0.1:${port[$1]}" -- "$work/batch.json" >"$work/wrk_$1.txt" 2>&1 ||
        { cat "$work/wrk_$1.txt" >&2; exit 1; }
    grep '^{"requests":' "$work/wrk_$1.txt" | tail -n1
}

echo "wrk -t$threads -c$connections -d${duration}s x $rounds rounds per side; queue ${PRODUCTGRAPH_QUEUE:-disk};" \
    "$(nproc) cores shared by wrk and both daemons"
run_wrk counted 2 >/dev/null  # warm-up
run_wrk uncounted 2 >/dev/null
results=$work/results.txt
: >"$results"
for round in $(seq "$rounds"); do
    order=(counted uncounted)
    (( round % 2 == 0 )) && order=(uncounted counted)
    for side in "${order[@]}"; do
        line=$(run_wrk "$side" "$duration")
        echo "$round $side $line" | tee -a "$results"
    done
done

# The counted daemon really counted: its scrape shows the events it accepted.
admin_port=$(grep -o '"admin_port":[0-9]*' "$work/counted.err" | grep -o '[0-9]*$' | head -n1 || true)
scrape=$(curl -s "http://127.0.0.1:${admin_port:-${port[counted]}}/metrics" || true)
accepted=$(grep '^productgraphd_events_accepted_total ' <<<"$scrape" | awk '{print $2}')
echo "counted daemon: productgraphd_events_accepted_total $accepted"

python3 - "$results" <<'PY'
import json, statistics, sys
runs = {"counted": [], "uncounted": []}
for text in open(sys.argv[1]):
    _, side, line = text.split(" ", 2)
    runs[side].append(json.loads(line))
med = {s: statistics.median(r["requests_per_s"] for r in v) for s, v in runs.items()}
bad = {s: sum(r["non_2xx"] + r["socket_errors"] for r in v) for s, v in runs.items()}
ratios = [c["requests_per_s"] / u["requests_per_s"] for c, u in zip(runs["counted"], runs["uncounted"])]
print(f"\nMEDIANS over {len(runs['counted'])} rounds: counted {med['counted']:.0f} req/s, "
      f"uncounted {med['uncounted']:.0f} req/s; ratio counted/uncounted {med['counted'] / med['uncounted']:.3f}")
print("per-round ratios: " + " ".join(f"{r:.3f}" for r in ratios))
print(f"errors (non-2xx + socket): counted {bad['counted']}, uncounted {bad['uncounted']}")
PY
