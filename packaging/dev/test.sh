#!/bin/sh
# The whole test suite: install, build with warnings as errors, run every test with
# ctest; then the same suite again under AddressSanitizer and UBSan.
# Set PG_SKIP_SANITIZE=1 to skip the sanitizer pass while iterating.
set -eu
cd "$(dirname "$0")/../.."
sh packaging/dev/install-deps.sh
jobs="$(nproc)"

# Prefix /usr as packaging/deb/build.sh uses, so the packaging tests build the .deb
# from this tree with CPack instead of a second build.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPG_WERROR=ON -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure

if [ "${PG_SKIP_SANITIZE:-0}" != "1" ]; then
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DPG_WERROR=ON -DPG_SANITIZE=ON -DPG_BUILD_BENCH=OFF >/dev/null
  cmake --build build-sanitize -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-sanitize -j"$jobs" --output-on-failure
fi
