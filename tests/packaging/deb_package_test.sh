#!/bin/sh
# The Debian packages, built by CPack from this build tree (configured with
# CMAKE_INSTALL_PREFIX=/usr, as packaging/deb/build.sh does): their contents and
# control fields, lintian with no error, and the maintainer scripts run for real by
# dpkg against a scratch root (install, an edited conffile kept on reinstall, `remove`
# keeps the queue, `purge` deletes it).
# Usage: deb_package_test.sh BUILD_DIR   (exit 77 = skipped: prefix is not /usr)
set -eu
build="$1"
. "$(dirname "$0")/test_support.sh"

if ! grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$build/CMakeCache.txt"; then
    echo "skipped: configure with -DCMAKE_INSTALL_PREFIX=/usr to build the .deb from this tree"
    exit 77
fi

out="$scratch/out"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log"; fail "cpack"; }
daemon_deb="$(ls "$out"/productgraphd_*_*.deb)"
sdk_deb="$(ls "$out"/productgraph-sdk-dev_*_*.deb)"
pass "cpack: $(basename "$daemon_deb") $(du -k "$daemon_deb" | cut -f1) KiB, $(basename "$sdk_deb") $(du -k "$sdk_deb" | cut -f1) KiB"

# Contents.
dpkg-deb -c "$daemon_deb" | awk '{ print $1, $2, $6 }' >"$scratch/daemon.list"
has() { grep -q "$2" "$1" || { cat "$1"; fail "$(basename "$1") lacks $2"; }; }
has "$scratch/daemon.list" ' \./usr/sbin/productgraphd$'
for plugin in memory amplitude mixpanel; do
    has "$scratch/daemon.list" " \./usr/lib/.*productgraph/plugins/$plugin\.so$"
done
has "$scratch/daemon.list" '^-rw-r--r-- root/root \./lib/systemd/system/productgraphd\.service$'
has "$scratch/daemon.list" '^-rw-r----- root/root \./etc/productgraph/productgraphd\.env$'
has "$scratch/daemon.list" ' \./usr/share/man/man8/productgraphd\.8\.gz$'
has "$scratch/daemon.list" ' \./usr/share/doc/productgraphd/copyright$'
! grep -q 'include/\|\.pc$\|cmake/' "$scratch/daemon.list" || fail "SDK files in productgraphd"
dpkg-deb -c "$sdk_deb" | awk '{ print $6 }' >"$scratch/sdk.list"
has "$scratch/sdk.list" '^\./usr/include/productgraph/publisher\.h$'
has "$scratch/sdk.list" '/pkgconfig/productgraph-sdk\.pc$'
has "$scratch/sdk.list" '/cmake/productgraph-sdk/productgraph-sdkConfig\.cmake$'
! grep -q 'sbin\|plugins/' "$scratch/sdk.list" || fail "daemon files in productgraph-sdk-dev"
has "$scratch/sdk.list" '^\./usr/bin/productgraph-plugin-check$'
has "$scratch/sdk.list" '^\./usr/include/productgraph/fake_host\.hpp$'
has "$scratch/sdk.list" '^\./usr/share/doc/productgraph-sdk/writing-a-plugin\.md$'
has "$scratch/sdk.list" '^\./usr/share/doc/productgraph-sdk/examples/webhook/webhook\.c$'
# Relocatable: the prefix comes from the .pc file's own folder (checked after install).
dpkg-deb --fsys-tarfile "$sdk_deb" | tar -xO --wildcards '*/productgraph-sdk.pc' | grep -q '^prefix=${pcfiledir}/' ||
    fail "the SDK's pkg-config file does not derive its prefix from its folder"
pass "package contents"

# Control fields.
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$daemon_deb" Package)" = productgraphd ] || fail "Package"
[ "$(field "$sdk_deb" Package)" = productgraph-sdk-dev ] || fail "SDK Package"
for dependency in libc6 libcurl4 passwd ca-certificates; do
    field "$daemon_deb" Depends | grep -q "$dependency" || fail "Depends lacks $dependency: $(field "$daemon_deb" Depends)"
done
dpkg-deb --ctrl-tarfile "$daemon_deb" | tar -xO ./conffiles | grep -qx /etc/productgraph/productgraphd.env ||
    fail "the env file is not a conffile"
pass "control fields"

# lintian: no error (warnings are listed in the README's Install section).
lintian --tag-display-limit 0 "$daemon_deb" "$sdk_deb" >"$scratch/lintian.log" 2>&1 || true
cat "$scratch/lintian.log"
! grep -q '^E:' "$scratch/lintian.log" || fail "lintian reports errors"
pass "lintian: no error"

# The maintainer scripts, run by dpkg itself against a scratch root
# (--force-script-chrootless runs them here with DPKG_ROOT set).
root="$scratch/root"
mkdir -p "$root/etc" "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/usr/sbin"
: >"$root/var/lib/dpkg/status"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
printf 'root:*::\n' >"$root/etc/gshadow"
chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
dpkg_root() { dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@" >>"$scratch/dpkg.log" 2>&1 ||
    { cat "$scratch/dpkg.log"; fail "dpkg $*"; }; }

dpkg_root -i "$daemon_deb"
grep -q '^productgraph:x:[0-9]*:[0-9]*:productgraphd:/var/lib/productgraph:/usr/sbin/nologin$' "$root/etc/passwd" ||
    fail "no productgraph system user"
gid="$(awk -F: '$1 == "productgraph" { print $3 }' "$root/etc/group")"
uid="$(awk -F: '$1 == "productgraph" { print $3 }' "$root/etc/passwd")"
[ "$uid" -lt 1000 ] || fail "productgraph is not a system user (uid $uid)"
[ "$(file_mode "$root/etc/productgraph/productgraphd.env")" = "640 0 $gid" ] || fail "env file: $(file_mode "$root/etc/productgraph/productgraphd.env")"
[ "$(file_mode "$root/etc/productgraph")" = "750 0 $gid" ] || fail "config folder: $(file_mode "$root/etc/productgraph")"
[ "$(file_mode "$root/var/lib/productgraph")" = "750 $uid $gid" ] || fail "state folder: $(file_mode "$root/var/lib/productgraph")"
pass "install: system user, 0640 root:productgraph env file, 0750 state folder"

echo 'ANALYTICS_ENABLED=true # edited by the admin' >>"$root/etc/productgraph/productgraphd.env"
mkdir -p "$root/var/lib/productgraph/queue" && echo undelivered >"$root/var/lib/productgraph/queue/segment"
dpkg_root -i "$daemon_deb"
grep -q 'edited by the admin' "$root/etc/productgraph/productgraphd.env" || fail "reinstall overwrote the edited env file"
[ "$(grep -c '^productgraph:' "$root/etc/passwd")" = 1 ] || fail "reinstall added the user twice"
pass "reinstall keeps the edited env file"

dpkg_root -r productgraphd
[ -f "$root/var/lib/productgraph/queue/segment" ] || fail "remove deleted the queue"
[ -f "$root/etc/productgraph/productgraphd.env" ] || fail "remove deleted the conffile"
[ ! -e "$root/usr/sbin/productgraphd" ] || fail "remove kept the binary"
pass "remove keeps the queue and the env file"

dpkg_root -P productgraphd
[ ! -e "$root/var/lib/productgraph" ] || fail "purge kept the queue"
[ ! -e "$root/etc/productgraph" ] || fail "purge kept /etc/productgraph"
pass "purge removes the queue and the config"

dpkg_root -i "$sdk_deb"
[ -f "$root/usr/include/productgraph/publisher.h" ] || fail "the SDK package did not install its header"
pc_dir="$(dirname "$(find "$root/usr/lib" -name productgraph-sdk.pc | head -n 1)")"
[ "$(PKG_CONFIG_PATH="$pc_dir" pkg-config --variable=includedir productgraph-sdk | xargs realpath)" = "$root/usr/include" ] ||
    fail "pkg-config does not find the installed headers through the relocatable prefix"
pass "productgraph-sdk-dev installs"
