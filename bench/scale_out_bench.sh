#!/usr/bin/env bash
# Scale-out bench: events/s through nginx to 1 and to 3 productgraphd replicas (each
# with its own durable queue, memory plugin only), plus 1 replica without nginx as the
# same-run baseline. wrk POSTs the 50-event batch of run_ingest_bench.sh.
#
# Usage: bench/scale_out_bench.sh <build-dir> [duration_s=10] [rounds=2]
# Environment: PG_BENCH_THREADS / PG_BENCH_CONNECTIONS (wrk -t / -c, default 2 / 64);
# anything the daemons read (PRODUCTGRAPH_FSYNC, ...) is inherited.
set -euo pipefail

[[ $# -ge 1 && $# -le 3 ]] || { echo "usage: $0 <build-dir> [duration_s=10] [rounds=2]" >&2; exit 2; }
build_dir=$(cd "$1" && pwd)
duration=${2:-10}
rounds=${3:-2}
threads=${PG_BENCH_THREADS:-2}
connections=${PG_BENCH_CONNECTIONS:-64}
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
events_per_request=50
daemon_bin=$build_dir/core/daemon/productgraphd
for tool in wrk /usr/sbin/nginx curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool not installed" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-scale-bench.XXXXXX")
# nginx's workers drop to `nobody` when started as root: they must reach its temp folders.
chmod 0755 "$work"
pids=()
nginx_pid=""
stop_all() {
    [[ -n $nginx_pid ]] && { kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; }
    nginx_pid=""
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # url: polls until it answers 200, 10 s at most
    for _ in $(seq 200); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]] && return 0
        sleep 0.05
    done
    echo "error: $1 did not answer" >&2
    exit 1
}

start_replicas() {  # count -> sets ports=()
    ports=()
    for i in $(seq "$1"); do
        local port
        port=$(free_port)
        mkdir -p "$work/queue$i"
        PORT=$port PRODUCTGRAPH_ADMIN_ADDRESS=127.0.0.1:0 PRODUCTGRAPH_PLUGIN_DIR=$build_dir/plugins \
            PRODUCTGRAPH_QUEUE_DIR=$work/queue$i "$daemon_bin" 2>"$work/daemon$i.log" &
        pids+=($!)
        ports+=("$port")
    done
    for port in "${ports[@]}"; do wait_for "http://127.0.0.1:$port/health"; done
}

start_nginx() {  # upstream ports... -> sets nginx_port
    nginx_port=$(free_port)
    mkdir -p "$work/nginx"
    {
        echo "worker_processes 1; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;"
        echo "events { worker_connections 4096; }"
        echo "http { access_log off;"
        for temp in client_body proxy fastcgi uwsgi scgi; do echo "  ${temp}_temp_path $work/nginx/$temp;"; done
        echo "  upstream ingestion {"
        for port in "$@"; do echo "    server 127.0.0.1:$port;"; done
        echo "    keepalive 64; }"
        echo "  server { listen 127.0.0.1:$nginx_port; client_max_body_size 10m; client_body_buffer_size 1m;"
        echo "    location / { proxy_pass http://ingestion; proxy_http_version 1.1;"
        echo "      proxy_set_header Connection \"keep-alive\"; } } }"
    } >"$work/nginx/nginx.conf"
    /usr/sbin/nginx -p "$work/nginx/" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    wait_for "http://127.0.0.1:$nginx_port/health"
}

python3 "$bench_dir/make_batch.py" -n "$events_per_request" -o "$work/batch.json" 2>/dev/null
run_wrk() {  # port -> events/s (exits on any non-2xx or socket error)
    local line
    line=$(wrk -t"$threads" -c"$connections" -d"${duration}s" -s "$bench_dir/post_events.lua" \
        "http://127.0.0.1:$1" -- "$work/batch.json" | grep '^{"requests":' | tail -n1)
    python3 - "$line" "$events_per_request" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
if r["non_2xx"] or r["socket_errors"]:
    sys.exit(f"error: {r['non_2xx']} non-2xx answers, {r['socket_errors']} socket errors")
print(f'{r["requests_per_s"] * int(sys.argv[2]):.0f} {r["p99_ms"]:.1f}')
PY
}

echo "wrk -t$threads -c$connections -d${duration}s, $rounds rounds, 50-event batches, FSYNC=${PRODUCTGRAPH_FSYNC:-always};" \
    "$(nproc) cores shared by wrk, nginx and the replicas"
printf '%-5s %-22s %10s %8s\n' round setup events/s p99_ms
for round in $(seq "$rounds"); do
    start_replicas 1
    read -r eps p99 < <(run_wrk "${ports[0]}")
    printf '%-5s %-22s %10s %8s\n' "$round" "1 replica, direct" "$eps" "$p99"
    start_nginx "${ports[@]}"
    read -r eps p99 < <(run_wrk "$nginx_port")
    printf '%-5s %-22s %10s %8s\n' "$round" "1 replica, nginx" "$eps" "$p99"
    stop_all
    start_replicas 3
    start_nginx "${ports[@]}"
    read -r eps p99 < <(run_wrk "$nginx_port")
    printf '%-5s %-22s %10s %8s\n' "$round" "3 replicas, nginx" "$eps" "$p99"
    stop_all
    rm -rf "$work"/queue*
done
