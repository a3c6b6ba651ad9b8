# Shared helpers for the packaging tests (sourced): failing with a message, a scratch
# folder removed on exit, and running the installed daemon until it listens.

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

scratch="$(mktemp -d)"
daemon_pid=""
cleanup() {
    if [ -n "$daemon_pid" ]; then kill -KILL "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT

# start_daemon LOG COMMAND...: runs COMMAND in the background with stderr to LOG.
start_daemon() {
    log="$1"; shift
    "$@" 2>"$log" &
    daemon_pid=$!
}

# wait_for_log LOG TEXT [SECONDS]: polls LOG until it holds TEXT, or fails.
wait_for_log() {
    deadline=$(( $(date +%s) + ${3:-20} ))
    while ! grep -q "$2" "$1" 2>/dev/null; do
        if [ -n "$daemon_pid" ] && ! kill -0 "$daemon_pid" 2>/dev/null; then
            cat "$1" >&2; fail "the daemon exited before logging $2"
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { cat "$1" >&2; fail "no '$2' in the log"; }
        sleep 0.05
    done
}

# stop_daemon: SIGTERM and wait.
stop_daemon() {
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || fail "the daemon exited with $? on SIGTERM"
    daemon_pid=""
}

# file_mode PATH: octal mode, owner and group ids, e.g. "640 0 998".
file_mode() { stat -c '%a %u %g' "$1"; }
