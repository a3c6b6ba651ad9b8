#!/bin/sh
# The installed unit passes `systemd-analyze verify`, scores an exposure of at most 2.0
# with `systemd-analyze security --offline=yes`, and keeps the settings the daemon
# relies on. No running systemd is needed.
# Usage: systemd_unit_test.sh BUILD_DIR
set -eu
build="$1"
. "$(dirname "$0")/test_support.sh"
max_exposure=2.0

prefix="$scratch/prefix"
for component in daemon plugins; do cmake --install "$build" --prefix "$prefix" --component "$component" >/dev/null; done
unit="$prefix/lib/systemd/system/productgraphd.service"

# verify runs `man productgraphd(8)` for Documentation=, so the installed page is checked too.
MANPATH="$prefix/share/man" systemd-analyze verify "$unit" >"$scratch/verify.log" 2>&1 ||
    { cat "$scratch/verify.log"; fail "systemd-analyze verify"; }
[ ! -s "$scratch/verify.log" ] || { cat "$scratch/verify.log"; fail "systemd-analyze verify printed warnings"; }
pass "systemd-analyze verify"

systemd-analyze security --offline=yes "$unit" >"$scratch/security.log" 2>&1 || true
score="$(sed -n 's/.*Overall exposure level for productgraphd.service: \([0-9.]*\).*/\1/p' "$scratch/security.log")"
[ -n "$score" ] || { cat "$scratch/security.log"; fail "no exposure score"; }
awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }' || fail "exposure $score is above $max_exposure"
pass "exposure $score (at most $max_exposure)"

# What the daemon and the README rely on.
for line in Type=notify User=productgraph StateDirectory=productgraph Restart=on-failure \
    "ExecReload=/bin/kill -HUP \$MAINPID" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
    MemoryDenyWriteExecute=yes ProtectSystem=strict; do
    grep -qxF "$line" "$unit" || fail "the unit lacks $line"
done
! grep -q '^NoExecPaths=\|^ReadOnlyPaths=.*productgraph' "$unit" || fail "the state folder must stay writable and executable (plugin copies)"
# The stop timeout must leave room for the drain (PRODUCTGRAPH_SHUTDOWN_TIMEOUT, default 10 s).
stop="$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")"
[ -n "$stop" ] && [ "$stop" -gt 10 ] || fail "TimeoutStopSec must exceed the default shutdown timeout"
pass "the unit keeps the daemon's requirements"

# ExecStartPre=productgraphd --check must pass on the installed tree with the installed
# env file. (A daemon without --check starts instead of checking: that is reported and
# not failed here, and it runs on a scratch queue and any free port meanwhile.)
check_command="$(sed -n 's/^ExecStartPre=//p' "$unit")"
env_file="$(sed -n 's/^Environment=PRODUCTGRAPH_ENV_FILE=//p' "$unit")"
set +e
env -i PATH=/usr/bin:/bin PRODUCTGRAPH_ENV_FILE="$env_file" PORT=0 PRODUCTGRAPH_ADMIN_ADDRESS=127.0.0.1:0 \
    PRODUCTGRAPH_QUEUE_DIR="$scratch/queue" timeout 15 $check_command >"$scratch/check.log" 2>&1
code=$?
set -e
if [ "$code" = 124 ] && grep -q '"msg":"listening"' "$scratch/check.log"; then
    echo "note: this daemon has no --check yet (it started and was stopped); ExecStartPre not verified"
else
    [ "$code" = 0 ] || { cat "$scratch/check.log" >&2; fail "ExecStartPre ($check_command) exited $code"; }
    pass "ExecStartPre passes with the installed env file"
fi
