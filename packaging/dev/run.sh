#!/bin/sh
# Quick start: install, build, and run productgraphd in the foreground on port 8080
# (override with PORT) with every in-tree plugin from the build tree: memory is on by
# default; Amplitude and Mixpanel turn on with their variables (README "Quick start").
set -eu
cd "$(dirname "$0")/../.."
sh packaging/dev/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPG_BUILD_TESTS=OFF -DPG_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$(nproc)" --target productgraphd plugin_memory plugin_amplitude plugin_mixpanel
exec ./build/core/daemon/productgraphd
