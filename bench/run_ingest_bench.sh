#!/usr/bin/env bash
# Ingest bench: wrk POSTs a 50-event batch to a bare Pistache server and to productgraphd, and prints medians.
#
# Usage: bench/run_ingest_bench.sh <build-dir> [duration_s=10] [rounds=3]
#
# The bare server is the baseline measured in the same run: only the daemon/bare ratio is
# comparable across machines and days (toolchain.md §5). Rounds alternate bare, daemon, bare,
# daemon... so drift in machine load hits both sides alike.
#
# Environment (all optional):
#   PG_BENCH_DAEMON_CMD  command that starts the daemon instead of <build-dir>/core/daemon/productgraphd;
#                        run with `exec` under bash with PORT set, e.g. to test this script
#                        before the daemon exists: PG_BENCH_DAEMON_CMD='build/bench/pg_bench_bare_server $PORT'
#   PG_BENCH_THREADS / PG_BENCH_CONNECTIONS   wrk -t / -c (default 2 / 64)
#   PG_BENCH_WARMUP_S    uncounted warm-up run per server before round 1 (default 2; 0 = none)
#   PG_BENCH_FIXED_BODY  1 = send the body byte for byte (default: unique event_ids per request)
# Anything else the daemon reads (DEBUG, queue settings, ...) is inherited from this environment.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
    echo "usage: $0 <build-dir> [duration_s=10] [rounds=3]" >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd)
duration=${2:-10}
rounds=${3:-3}
threads=${PG_BENCH_THREADS:-2}
connections=${PG_BENCH_CONNECTIONS:-64}
warmup=${PG_BENCH_WARMUP_S:-2}
body_mode=unique
[[ ${PG_BENCH_FIXED_BODY:-0} == 1 ]] && body_mode=fixed
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
events_per_request=50

bare_bin=$build_dir/bench/pg_bench_bare_server
daemon_bin=$build_dir/core/daemon/productgraphd
[[ -x $bare_bin ]] || { echo "error: $bare_bin not built" >&2; exit 1; }
if [[ -z ${PG_BENCH_DAEMON_CMD:-} && ! -x $daemon_bin ]]; then
    echo "error: $daemon_bin not built (or set PG_BENCH_DAEMON_CMD)" >&2
    exit 1
fi
command -v wrk >/dev/null || { echo "error: wrk not installed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-ingest-bench.XXXXXX")
bare_pid=""
memory_pid=""
durable_pid=""

stop_server() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    echo "warning: pid $pid ignored SIGTERM for 5 s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_server "$memory_pid"
    stop_server "$durable_pid"
    stop_server "$bare_pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loud() {
    echo "" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!!! WARNING: $*" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "" >&2
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_code() {  # method url [curl args...]: prints the status code, 000 if nothing answered
    local method=$1 url=$2
    shift 2
    curl -s -o "$work/last_body" -w '%{http_code}' --max-time 5 -X "$method" \
        -H 'Connection: keep-alive' -H 'Expect:' "$@" "$url" || true
}

# Polls until the server answers at all (any status), with a deadline instead of a fixed sleep.
wait_until_answering() {
    local name=$1 pid=$2 url=$3 log=$4 code
    for _ in $(seq 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name exited during start-up; last log lines:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        code=$(http_code GET "$url")
        if [[ $code != 000 ]]; then
            echo "$code"
            return 0
        fi
        sleep 0.1
    done
    echo "error: $name did not answer $url within 10 s; last log lines:" >&2
    tail -n 20 "$log" >&2
    exit 1
}

python3 "$bench_dir/make_batch.py" -n "$events_per_request" -o "$work/batch.json" 2>/dev/null
body_bytes=$(wc -c <"$work/batch.json")

# --- bare server: port 0, it prints {"port":N} -----------------------------------------
"$bare_bin" 0 >"$work/bare.out" 2>"$work/bare.err" &
bare_pid=$!
bare_port=""
for _ in $(seq 100); do
    bare_port=$(sed -n 's/^{"port":\([0-9]*\)}$/\1/p' "$work/bare.out")
    [[ -n $bare_port ]] && break
    kill -0 "$bare_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $bare_port ]] || { echo "error: bare server printed no port" >&2; cat "$work/bare.err" >&2; exit 1; }
wait_until_answering "bare server" "$bare_pid" "http://127.0.0.1:$bare_port/" "$work/bare.err" >/dev/null

# --- daemons: the in-memory queue and the durable queue (fsync always), ports chosen here ---
daemon_cmd=${PG_BENCH_DAEMON_CMD:-"\"$daemon_bin\""}
start_daemon() {  # side queue_kind -> sets <side>_pid and <side>_port
    local side=$1 kind=$2 port pid health logged_port
    port=$(free_port)
    mkdir -p "$work/$side-queue"
    # cwd is the scratch dir so anything the daemon writes relative to it is removed afterwards.
    # The admin listener takes any free port, so two runs (or a running daemon) never clash on 8081.
    (cd "$work" && PORT=$port PRODUCTGRAPH_ADMIN_ADDRESS=${PRODUCTGRAPH_ADMIN_ADDRESS:-127.0.0.1:0} \
        PRODUCTGRAPH_PLUGIN_DIR=$build_dir/plugins PRODUCTGRAPH_QUEUE=$kind PRODUCTGRAPH_FSYNC=${PRODUCTGRAPH_FSYNC:-always} \
        PRODUCTGRAPH_QUEUE_DIR=$work/$side-queue exec bash -c "exec $daemon_cmd") >"$work/$side.out" 2>"$work/$side.err" &
    pid=$!
    printf -v "${side}_pid" '%s' "$pid"
    printf -v "${side}_port" '%s' "$port"
    health=$(wait_until_answering "$side daemon" "$pid" "http://127.0.0.1:$port/health" "$work/$side.err")
    [[ $health == 2?? ]] || loud "$side daemon GET /health answered $health, expected 200"
    logged_port=$(grep -o '"msg":"listening"[^}]*"port":[0-9]*' "$work/$side.err" | grep -o '[0-9]*$' | head -n1 || true)
    if [[ -n $logged_port && $logged_port != "$port" ]]; then
        loud "$side daemon logged listening on port $logged_port, but we passed PORT=$port"
    fi
}
memory_pid=""
durable_pid=""
start_daemon memory memory
start_daemon durable disk

# One request each before the load: wrk only counts status >= 400 as errors, so the exact
# 202 and the accepted count are checked here.
for side in bare memory durable; do
    port_var=${side}_port
    code=$(http_code POST "http://127.0.0.1:${!port_var}/v1/events" \
        -H 'Content-Type: application/json' --data-binary "@$work/batch.json")
    reply=$(tr -s "\r\n" "  " <"$work/last_body" | head -c 200)
    if [[ $code != 202 ]]; then
        loud "$side answered POST /v1/events with $code (expected 202): $reply"
    elif [[ $side != bare && $reply != *"\"accepted\":$events_per_request"* ]]; then
        loud "$side daemon did not accept all $events_per_request events: $reply"
    fi
    echo "preflight $side: $code $reply"
done
# What one request costs the durable queue on disk (frames of its 50 records): the queue
# folder holds just the preflight request now.
queue_bytes_per_request=$(find "$work/durable-queue" -name '*.seg' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "durable queue: $queue_bytes_per_request bytes on disk per request"

run_wrk() {  # side port seconds [connections] [delay_ms] -> prints the script's JSON summary line
    local side=$1 port=$2 seconds=$3 conns=${4:-$connections} delay_ms=${5:-} out
    out=$work/wrk_${side}.txt
    if ! wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "$bench_dir/post_events.lua" \
        "http://127.0.0.1:$port" -- "$work/batch.json" "$body_mode" $delay_ms >"$out" 2>&1; then
        echo "error: wrk failed against $side:" >&2
        cat "$out" >&2
        exit 1
    fi
    grep '^{"requests":' "$out" | tail -n1
}

# Waits (up to 60 s) until the process has used under 20 ms of CPU in 0.5 s: a daemon whose
# dispatch worker is still draining the backlog of its round would otherwise steal CPU from
# the next server's round.
wait_idle() {
    local pid=$1 before after
    for _ in $(seq 120); do
        before=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
        sleep 0.5
        after=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
        (( after - before < 2 )) && return 0
    done
    echo "warning: pid $pid still busy after 60 s" >&2
}

# Steal time: CPU the hypervisor gave to other guests while this VM wanted it. On a shared
# host it can take a third of the cores for minutes, and whichever server runs then looks
# slow: the rounds print it so a reader can tell a slow daemon from a busy host.
cpu_steal_and_total() { awk '/^cpu /{print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
steal_percent() {  # "steal total" before, "steal total" after
    awk -v b="$1" -v a="$2" 'BEGIN {split(b, x, " "); split(a, y, " "); t = y[2] - x[2];
        printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0)}'
}

rss_kib() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || echo 0; }
hwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || echo 0; }

sides="bare memory durable"
echo "body: $body_bytes bytes, $events_per_request events ($body_mode event_ids);" \
    "wrk -t$threads -c$connections -d${duration}s, $rounds rounds; $(nproc) cores shared by wrk and servers"
echo "bare: pid $bare_pid port $bare_port   memory daemon: pid $memory_pid port $memory_port" \
    "  durable daemon (fsync always): pid $durable_pid port $durable_port"

if [[ $warmup != 0 ]]; then
    for side in $sides; do
        port_var=${side}_port
        run_wrk "$side" "${!port_var}" "$warmup" >/dev/null
        pid_var=${side}_pid
        wait_idle "${!pid_var}"
    done
fi

results=$work/results.txt
: >"$results"
steals=$work/steal.txt
: >"$steals"
print_row() {  # label side rss_kib json steal_percent
    python3 - "$@" "$events_per_request" <<'PY'
import json, sys
r = json.loads(sys.argv[4])
print(f'{sys.argv[1]:<6} {sys.argv[2]:<8} {r["requests_per_s"]:12.0f} '
      f'{r["requests_per_s"] * int(sys.argv[6]):12.0f} {r["p50_ms"]:9.2f} {r["p99_ms"]:9.2f} '
      f'{r["non_2xx"]:8d} {r["socket_errors"]:8d} {int(sys.argv[3]) / 1024:9.1f} {int(sys.argv[5]):7d}')
PY
}
printf '%-6s %-8s %12s %12s %9s %9s %8s %8s %9s %7s\n' \
    round server requests/s events/s p50_ms p99_ms non2xx sockerr rss_MiB steal%
for round in $(seq "$rounds"); do
    for side in $sides; do
        port_var=${side}_port
        pid_var=${side}_pid
        cpu_before=$(cpu_steal_and_total)
        line=$(run_wrk "$side" "${!port_var}" "$duration")
        steal=$(steal_percent "$cpu_before" "$(cpu_steal_and_total)")
        kill -0 "${!pid_var}" 2>/dev/null || { loud "$side died during round $round"; tail -n 20 "$work/$side.err" >&2; exit 1; }
        rss=$(rss_kib "${!pid_var}")
        wait_idle "${!pid_var}"
        echo "$round $side $rss $line" >>"$results"
        echo "$round $side $steal" >>"$steals"
        print_row "$round" "$side" "$rss" "$line" "$steal"
        line_errors=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["non_2xx"] + r["socket_errors"])' "$line")
        if [[ $line_errors != 0 ]]; then
            loud "$side round $round: non-2xx or socket errors (see columns non2xx / sockerr)"
        fi
    done
done

# Peak resident memory after all the saturating rounds (rounds x duration s each, plus warm-up).
memory_hwm=$(hwm_kib "$memory_pid")
durable_hwm=$(hwm_kib "$durable_pid")

# p99 at half the saturating load: wrk with PG_BENCH_PACED_CONNECTIONS connections, each
# waiting connections/target s after every answer before its next request (wrk's delay()).
# The latency wrk reports starts when a request is written, so it excludes that wait. The
# achieved rate is printed next to the target: pacing after each answer lands a little below it.
paced_connections=${PG_BENCH_PACED_CONNECTIONS:-16}
paced=$work/paced.txt
: >"$paced"
for side in memory durable; do
    port_var=${side}_port
    target=$(python3 -c '
import json, statistics, sys
rates = [json.loads(l.split(" ", 3)[3])["requests_per_s"] for l in open(sys.argv[1]) if l.split(" ")[1] == sys.argv[2]]
print(statistics.median(rates) / 2)' "$results" "$side")
    delay_ms=$(python3 -c 'import sys; print(max(1, round(1000 * int(sys.argv[1]) / float(sys.argv[2]))))' "$paced_connections" "$target")
    # One 3 s calibration run: each connection's cycle is the pause plus the answer time
    # plus wrk's own overhead, so the pause is shortened by what the cycle took beyond it.
    probe=$(run_wrk "$side" "${!port_var}" 3 "$paced_connections" "$delay_ms")
    delay_ms=$(python3 -c '
import json, sys
c, target, delay = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
achieved = max(json.loads(sys.argv[4])["requests_per_s"], 1.0)
overhead_ms = 1000 * c / achieved - delay
print(max(1, round(1000 * c / target - overhead_ms)))' "$paced_connections" "$target" "$delay_ms" "$probe")
    cpu_before=$(cpu_steal_and_total)
    line=$(run_wrk "$side" "${!port_var}" "$duration" "$paced_connections" "$delay_ms")
    steal=$(steal_percent "$cpu_before" "$(cpu_steal_and_total)")  # a p99 is the first number a busy host spoils
    pid_var=${side}_pid
    wait_idle "${!pid_var}"
    echo "$side $target $delay_ms $steal $line" >>"$paced"
done

python3 - "$results" "$paced" "$events_per_request" "$memory_hwm" "$durable_hwm" "$paced_connections" \
    "$queue_bytes_per_request" "$steals" <<'PY'
import json, statistics, sys
rows = {"bare": [], "memory": [], "durable": []}
by_round = {}
for text in open(sys.argv[1]):
    rnd, side, _, line = text.split(" ", 3)
    r = json.loads(line)
    rows[side].append(r)
    by_round.setdefault(rnd, {})[side] = r["requests_per_s"]
per = int(sys.argv[3])
med = {}
for side, runs in rows.items():
    med[side] = {k: statistics.median(r[k] for r in runs) for k in ("requests_per_s", "p50_ms", "p99_ms")}
    med[side]["events_per_s"] = med[side]["requests_per_s"] * per
    med[side]["non_2xx_total"] = sum(r["non_2xx"] for r in runs)
    med[side]["socket_errors_total"] = sum(r["socket_errors"] for r in runs)
mem_ratio = med["memory"]["requests_per_s"] / med["bare"]["requests_per_s"]
dur_ratio = med["durable"]["requests_per_s"] / med["memory"]["requests_per_s"]
# Per-round ratios (same round, neighbouring runs): their spread is the noise of the medians.
mem_rounds = [r["memory"] / r["bare"] for r in by_round.values()]
dur_rounds = [r["durable"] / r["memory"] for r in by_round.values()]
print()
print(f"MEDIANS over {len(rows['bare'])} rounds")
print(f'{"server":<8} {"requests/s":>12} {"events/s":>12} {"p50_ms":>9} {"p99_ms":>9} {"non2xx":>8} {"sockerr":>8}')
for side in ("bare", "memory", "durable"):
    m = med[side]
    print(f'{side:<8} {m["requests_per_s"]:12.0f} {m["events_per_s"]:12.0f} {m["p50_ms"]:9.2f} '
          f'{m["p99_ms"]:9.2f} {m["non_2xx_total"]:8d} {m["socket_errors_total"]:8d}')
print(f"ratio memory/bare requests/s:    {mem_ratio:.3f}  (per round {min(mem_rounds):.3f}..{max(mem_rounds):.3f}; goal >= 0.60)")
print(f"ratio durable/memory requests/s: {dur_ratio:.3f}  (per round {min(dur_rounds):.3f}..{max(dur_rounds):.3f}; goal >= 0.80)")
steal = {}
for text in open(sys.argv[8]):
    rnd, side, percent = text.split()
    steal.setdefault(side, []).append(int(percent))
print("steal time per round (% of this VM's CPU the host gave elsewhere): " +
      ", ".join(f"{side} {'/'.join(map(str, v))}" for side, v in steal.items()))
paced = {}
for text in open(sys.argv[2]):
    side, target, delay_ms, steal_percent, line = text.split(" ", 4)
    r = json.loads(line)
    paced[side] = {"target_rps": round(float(target), 1), "achieved_rps": round(r["requests_per_s"], 1),
                   "delay_ms": int(delay_ms), "steal_percent": int(steal_percent),
                   "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
                   "non_2xx": r["non_2xx"], "socket_errors": r["socket_errors"]}
    print(f"half load, {side}: target {float(target):.0f} req/s, achieved {r['requests_per_s']:.0f} req/s "
          f"({sys.argv[6]} connections, {delay_ms} ms between requests): p50 {r['p50_ms']:.2f} ms, "
          f"p99 {r['p99_ms']:.2f} ms, steal {steal_percent}%" + ("  (goal p99 <= 10 ms)" if side == "durable" else ""))
hwm = {"memory": int(sys.argv[4]), "durable": int(sys.argv[5])}
print(f"VmHWM after the saturating rounds: memory {hwm['memory'] / 1024:.1f} MiB, durable {hwm['durable'] / 1024:.1f} MiB")
# Disk bandwidth: what the durable daemon wrote, and what the in-memory daemon's rate
# would need.
per_request = int(sys.argv[7])
durable_mb_s = med["durable"]["requests_per_s"] * per_request / 1e6
memory_rate_mb_s = med["memory"]["requests_per_s"] * per_request / 1e6
print(f"disk: the durable daemon wrote {durable_mb_s:.0f} MB/s to its queue ({per_request} bytes per request); "
      f"the in-memory daemon's rate would need {memory_rate_mb_s:.0f} MB/s")
rounded = {side: {k: round(v, 3) for k, v in m.items()} for side, m in med.items()}
print(json.dumps({**rounded, "ratio_memory_over_bare": round(mem_ratio, 4),
                  "ratio_durable_over_memory": round(dur_ratio, 4),
                  "round_ratios_memory_over_bare": [round(x, 3) for x in mem_rounds],
                  "round_ratios_durable_over_memory": [round(x, 3) for x in dur_rounds],
                  "round_steal_percent": steal,
                  "half_load": paced, "vmhwm_kib": hwm, "queue_bytes_per_request": per_request,
                  "durable_queue_mb_s": round(durable_mb_s, 1)},
                 separators=(",", ":")))
PY

# The rounds' steal is field 3 of their lines, the half-load runs' field 4 of theirs.
max_steal=$(awk 'BEGIN {m = 0} {v = (FILENAME == ARGV[1] ? $3 : $4); if (v > m) m = v} END {print m}' "$steals" "$paced")
if (( max_steal > 10 )); then
    loud "the host stole up to $max_steal% of this VM's CPU in a round or a half-load run: these numbers measure the host, not the daemons"
fi

daemon_bad=$(python3 -c '
import json, sys
print(sum(json.loads(l.split(" ", 3)[3])["non_2xx"] for l in open(sys.argv[1]) if l.split(" ")[1] != "bare"))' "$results")
if [[ $daemon_bad != 0 ]]; then
    loud "the daemons answered $daemon_bad requests with status >= 400: their numbers are not ingest throughput"
fi

# Forwarding, split from ingest: the durable queue is filled with the plugin disabled,
# then drained into the mock Amplitude server (forwarding_drain_bench.cpp).
drain_bin=$build_dir/bench/pg_bench_forwarding_drain
if [[ ${PG_BENCH_DRAIN_REQUESTS:-100} != 0 && -x $drain_bin ]]; then
    echo "forwarding drain (${PG_BENCH_DRAIN_REQUESTS:-100} x 1,000 events, queue -> mock Amplitude):"
    "$drain_bin" "${PG_BENCH_DRAIN_REQUESTS:-100}" 2>"$work/drain.err" || { loud "forwarding drain failed"; tail -n 20 "$work/drain.err" >&2; }
elif [[ ${PG_BENCH_DRAIN_REQUESTS:-100} != 0 ]]; then
    echo "forwarding drain skipped: $drain_bin not built (needs PG_BUILD_TESTS)"
fi
