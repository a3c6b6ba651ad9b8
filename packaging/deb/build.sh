#!/bin/sh
# Builds the Debian packages productgraphd and productgraph-sdk-dev into OUTDIR from
# this checkout: installs the build dependencies from Debian, configures for /usr with
# Debian's hardening flags, builds without the tests, and runs CPack (deb/cpack.cmake).
# Usage: sh packaging/deb/build.sh OUTDIR
set -eu
out="${1:?usage: sh packaging/deb/build.sh OUTDIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$(dirname "$0")/../.."
sh packaging/dev/install-deps.sh build
build="${PG_DEB_BUILD_DIR:-build-deb}"

# Debian's hardening (stack protector, fortify, relro, bindnow, PIE); CMake reads
# CXXFLAGS/CFLAGS/LDFLAGS from the environment on the first configure.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
eval "$(dpkg-buildflags --export=sh)"
export CFLAGS="$CPPFLAGS $CFLAGS" CXXFLAGS="$CPPFLAGS $CXXFLAGS" LDFLAGS

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DPG_BUILD_TESTS=OFF -DPG_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >/dev/null
rm -rf "$out/_CPack_Packages"
ls -l "$out"/*.deb
