#!/bin/sh
# `cmake --install` honours --prefix and DESTDIR: every file lands under them, the unit
# points at the installed binary and env file, and the installed daemon finds its
# plugins relative to its own location (also with MemoryDenyWriteExecute's rule on).
# Usage: install_layout_test.sh BUILD_DIR
set -eu
build="$1"
. "$(dirname "$0")/test_support.sh"

# every_file_under LOG ROOT: each file `cmake --install` reported is under ROOT.
every_file_under() {
    count=0
    while IFS= read -r line; do
        case "$line" in "-- Installing: "*|"-- Up-to-date: "*) ;; *) continue ;; esac
        path="${line#-- *: }"
        case "$path" in "$2"/*) count=$((count + 1)) ;; *) fail "installed outside $2: $path" ;; esac
    done <"$1"
    [ "$count" -gt 10 ] || fail "only $count files installed"
}

# 1. --prefix: every file from every component is under the prefix.
prefix="$scratch/prefix"
: >"$scratch/install.log"
for component in daemon plugins sdk; do
    cmake --install "$build" --prefix "$prefix" --component "$component" >>"$scratch/install.log" ||
        { cat "$scratch/install.log"; fail "cmake --install --component $component"; }
done
every_file_under "$scratch/install.log" "$prefix"

libdir="$(cd "$prefix" && ls -d lib/*/productgraph/plugins lib/productgraph/plugins 2>/dev/null | head -n1)"
[ -n "$libdir" ] || fail "no <libdir>/productgraph/plugins under the prefix"
for file in sbin/productgraphd "$libdir/memory.so" "$libdir/amplitude.so" "$libdir/mixpanel.so" \
    lib/systemd/system/productgraphd.service etc/productgraph/productgraphd.env \
    share/man/man8/productgraphd.8.gz share/doc/productgraphd/README.md include/productgraph/publisher.h; do
    [ -f "$prefix/$file" ] || fail "missing $file"
done
[ "$(stat -c %a "$prefix/etc/productgraph/productgraphd.env")" = 640 ] || fail "the env file is not mode 0640"
unit="$prefix/lib/systemd/system/productgraphd.service"
grep -qx "ExecStart=$prefix/sbin/productgraphd" "$unit" || fail "ExecStart does not name the installed binary"
grep -qx "ExecStartPre=$prefix/sbin/productgraphd --check" "$unit" || fail "ExecStartPre does not name the installed binary"
grep -qx "EnvironmentFile=-$prefix/etc/productgraph/productgraphd.env" "$unit" || fail "EnvironmentFile is not under the prefix"
grep -qx "Environment=PRODUCTGRAPH_ENV_FILE=$prefix/etc/productgraph/productgraphd.env" "$unit" ||
    fail "PRODUCTGRAPH_ENV_FILE is not under the prefix"
zcat "$prefix/share/man/man8/productgraphd.8.gz" | grep -q '^\.TH PRODUCTGRAPHD 8' || fail "the man page is not a section 8 page"
pass "--prefix: every file under $prefix"

# 2. DESTDIR with prefix /usr: the Debian layout, all inside DESTDIR.
stage="$scratch/stage"
: >"$scratch/stage.log"
for component in daemon plugins sdk; do
    DESTDIR="$stage" cmake --install "$build" --prefix /usr --component "$component" >>"$scratch/stage.log"
done
every_file_under "$scratch/stage.log" "$stage"
for file in usr/sbin/productgraphd lib/systemd/system/productgraphd.service etc/productgraph/productgraphd.env; do
    [ -f "$stage/$file" ] || fail "DESTDIR: missing $file"
done
grep -qx "ExecStart=/usr/sbin/productgraphd" "$stage/lib/systemd/system/productgraphd.service" ||
    fail "DESTDIR: the unit must name /usr/sbin/productgraphd, without DESTDIR"
pass "DESTDIR: Debian layout under $stage"

# 3. The installed daemon loads the plugins next to it, not the build tree's: remove one
#    from the prefix and it must be missing from the log.
rm "$prefix/$libdir/mixpanel.so"
run_installed() {
    exec env -i PATH=/usr/bin:/bin PORT=0 PRODUCTGRAPH_ADMIN_ADDRESS=127.0.0.1:0 \
        PRODUCTGRAPH_QUEUE_DIR="$scratch/queue" PRODUCTGRAPH_SHUTDOWN_TIMEOUT=1 "$@"
}
start_daemon "$scratch/daemon.log" run_installed "$prefix/sbin/productgraphd"
wait_for_log "$scratch/daemon.log" '"msg":"listening"'
grep -q '"plugin loaded","file":"memory.so"' "$scratch/daemon.log" || fail "memory.so not loaded from the prefix"
grep -q '"plugin loaded","file":"amplitude.so"' "$scratch/daemon.log" || fail "amplitude.so not loaded from the prefix"
! grep -q 'mixpanel.so' "$scratch/daemon.log" || fail "mixpanel.so came from somewhere other than the prefix"
stop_daemon
pass "the installed daemon loads $prefix/$libdir"

# 4. MemoryDenyWriteExecute: no plugin may need writable+executable memory or an
#    executable stack, or dlopen fails under the unit. Checked on the ELF headers, and
#    live with the kernel's PR_SET_MDWE (what systemd applies where the kernel has it).
for elf in "$prefix/sbin/productgraphd" "$prefix/$libdir"/*.so; do
    readelf -lW "$elf" | awk '$1 == "GNU_STACK" && $7 ~ /E/ { bad = 1 } $1 == "LOAD" && $7 == "RWE" { bad = 1 } END { exit bad }' ||
        fail "$elf needs writable executable memory"
done
mdwe_log="$scratch/mdwe.log"
if python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0)' 2>/dev/null; then
    start_daemon "$mdwe_log" run_installed python3 -c '
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0: sys.exit("PR_SET_MDWE failed")
os.execv(sys.argv[1], sys.argv[1:])' "$prefix/sbin/productgraphd"
    wait_for_log "$mdwe_log" '"msg":"listening"'
    grep -q '"plugin loaded","file":"amplitude.so"' "$mdwe_log" || fail "amplitude.so did not load under PR_SET_MDWE"
    stop_daemon
    pass "plugins load with PR_SET_MDWE (MemoryDenyWriteExecute)"
else
    echo "note: this kernel has no PR_SET_MDWE; only the ELF headers were checked"
fi
