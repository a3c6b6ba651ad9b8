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
daemon_pid=""

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
    stop_server "$daemon_pid"
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

# --- daemon: we choose the port and pass PORT -------------------------------------------
daemon_port=$(free_port)
daemon_cmd=${PG_BENCH_DAEMON_CMD:-"\"$daemon_bin\""}
# cwd is the scratch dir so anything the daemon writes relative to it is removed afterwards.
# The admin listener takes any free port, so two runs (or a running daemon) never clash on 8081.
(cd "$work" && PORT=$daemon_port PRODUCTGRAPH_ADMIN_ADDRESS=${PRODUCTGRAPH_ADMIN_ADDRESS:-127.0.0.1:0} PRODUCTGRAPH_PLUGIN_DIR=$build_dir/plugins \
    exec bash -c "exec $daemon_cmd") >"$work/daemon.out" 2>"$work/daemon.err" &
daemon_pid=$!
health=$(wait_until_answering "daemon" "$daemon_pid" "http://127.0.0.1:$daemon_port/health" "$work/daemon.err")
[[ $health == 2?? ]] || loud "daemon GET /health answered $health, expected 200"
logged_port=$(grep -o '"msg":"listening"[^}]*"port":[0-9]*' "$work/daemon.err" | grep -o '[0-9]*$' | head -n1 || true)
if [[ -n $logged_port && $logged_port != "$daemon_port" ]]; then
    loud "daemon logged listening on port $logged_port, but we passed PORT=$daemon_port"
fi

# One request each before the load: wrk only counts status >= 400 as errors, so the exact
# 202 and the accepted count are checked here.
for side in bare daemon; do
    port_var=${side}_port
    code=$(http_code POST "http://127.0.0.1:${!port_var}/v1/events" \
        -H 'Content-Type: application/json' --data-binary "@$work/batch.json")
    reply=$(tr -s "\r\n" "  " <"$work/last_body" | head -c 200)
    if [[ $code != 202 ]]; then
        loud "$side answered POST /v1/events with $code (expected 202): $reply"
    elif [[ $side == daemon && $reply != *"\"accepted\":$events_per_request"* ]]; then
        loud "daemon did not accept all $events_per_request events: $reply"
    fi
    echo "preflight $side: $code $reply"
done

run_wrk() {  # side port seconds -> prints the script's JSON summary line
    local side=$1 port=$2 seconds=$3 out
    out=$work/wrk_${side}.txt
    if ! wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$bench_dir/post_events.lua" \
        "http://127.0.0.1:$port" -- "$work/batch.json" "$body_mode" >"$out" 2>&1; then
        echo "error: wrk failed against $side:" >&2
        cat "$out" >&2
        exit 1
    fi
    grep '^{"requests":' "$out" | tail -n1
}

rss_kib() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || echo 0; }

echo "body: $body_bytes bytes, $events_per_request events ($body_mode event_ids);" \
    "wrk -t$threads -c$connections -d${duration}s, $rounds rounds; $(nproc) cores shared by wrk and server"
echo "bare: pid $bare_pid port $bare_port   daemon: pid $daemon_pid port $daemon_port"

if [[ $warmup != 0 ]]; then
    run_wrk bare "$bare_port" "$warmup" >/dev/null
    run_wrk daemon "$daemon_port" "$warmup" >/dev/null
fi

results=$work/results.txt
: >"$results"
printf '%-5s %-6s %12s %12s %9s %9s %8s %8s %9s\n' \
    round server requests/s events/s p50_ms p99_ms non2xx sockerr rss_MiB
for round in $(seq "$rounds"); do
    for side in bare daemon; do
        port_var=${side}_port
        pid_var=${side}_pid
        line=$(run_wrk "$side" "${!port_var}" "$duration")
        kill -0 "${!pid_var}" 2>/dev/null || { loud "$side died during round $round"; tail -n 20 "$work/$side.err" >&2; exit 1; }
        rss=$(rss_kib "${!pid_var}")
        echo "$round $side $rss $line" >>"$results"
        python3 - "$round" "$side" "$rss" "$line" "$events_per_request" <<'PY'
import json, sys
r = json.loads(sys.argv[4])
print(f'{sys.argv[1]:<5} {sys.argv[2]:<6} {r["requests_per_s"]:12.0f} '
      f'{r["requests_per_s"] * int(sys.argv[5]):12.0f} {r["p50_ms"]:9.2f} {r["p99_ms"]:9.2f} '
      f'{r["non_2xx"]:8d} {r["socket_errors"]:8d} {int(sys.argv[3]) / 1024:9.1f}')
PY
        line_errors=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["non_2xx"] + r["socket_errors"])' "$line")
        if [[ $line_errors != 0 ]]; then
            loud "$side round $round: non-2xx or socket errors (see columns non2xx / sockerr)"
        fi
    done
done

python3 - "$results" "$events_per_request" <<'PY'
import json, statistics, sys
rows = {"bare": [], "daemon": []}
for text in open(sys.argv[1]):
    _, side, _, line = text.split(" ", 3)
    rows[side].append(json.loads(line))
per = int(sys.argv[2])
med = {}
for side, runs in rows.items():
    med[side] = {k: statistics.median(r[k] for r in runs) for k in ("requests_per_s", "p50_ms", "p99_ms")}
    med[side]["events_per_s"] = med[side]["requests_per_s"] * per
    med[side]["non_2xx_total"] = sum(r["non_2xx"] for r in runs)
    med[side]["socket_errors_total"] = sum(r["socket_errors"] for r in runs)
ratio = med["daemon"]["requests_per_s"] / med["bare"]["requests_per_s"]
print()
print(f"MEDIANS over {len(rows['bare'])} rounds")
print(f'{"server":<7} {"requests/s":>12} {"events/s":>12} {"p50_ms":>9} {"p99_ms":>9} {"non2xx":>8} {"sockerr":>8}')
for side in ("bare", "daemon"):
    m = med[side]
    print(f'{side:<7} {m["requests_per_s"]:12.0f} {m["events_per_s"]:12.0f} {m["p50_ms"]:9.2f} '
          f'{m["p99_ms"]:9.2f} {m["non_2xx_total"]:8d} {m["socket_errors_total"]:8d}')
print(f"ratio daemon/bare requests/s: {ratio:.3f}")
rounded = {side: {k: round(v, 3) for k, v in m.items()} for side, m in med.items()}
print(json.dumps({**rounded, "ratio_daemon_over_bare": round(ratio, 4)},
                 separators=(",", ":")))
PY

daemon_bad=$(python3 -c '
import json, sys
print(sum(json.loads(l.split(" ", 3)[3])["non_2xx"] for l in open(sys.argv[1]) if l.split(" ")[1] == "daemon"))' "$results")
if [[ $daemon_bad != 0 ]]; then
    loud "the daemon answered $daemon_bad requests with status >= 400: its numbers are not ingest throughput"
fi
