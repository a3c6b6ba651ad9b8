#!/bin/sh
# Installs everything needed to build and test productgraphd on Debian 12, from
# Debian's own packages only. Safe to run again. Needs root (no sudo assumed).
# `install-deps.sh build` installs only what building the daemon, the plugins and the
# .deb needs (packaging/deb/build.sh, the container image's build stage).
set -eu
export DEBIAN_FRONTEND=noninteractive
build_packages="cmake make g++ pkg-config binutils
  libpistache-dev rapidjson-dev libcurl4-openssl-dev
  libboost-dev libboost-filesystem-dev libexpected-dev zlib1g-dev
  dpkg-dev file ca-certificates"
# Tests only: doctest; curl; nginx (scale-out test); lintian (the .deb); python3-yaml
# (compose and Kubernetes files); systemd and man-db (systemd-analyze verify on the
# unit, which opens its man page); debootstrap (the opt-in container root test);
# clang-14 and libclang-rt-14-dev (libFuzzer, ASan and UBSan runtimes) build
# tests/fuzz, the daemon itself is built with g++; prometheus for promtool only
# (tests lint /metrics scrapes with it: a 19 MB download, 96 MB installed).
test_packages="doctest-dev curl nginx lintian python3-yaml systemd man-db debootstrap
  clang-14 libclang-rt-14-dev prometheus"

packages="$build_packages"
[ "${1:-all}" = build ] || packages="$packages $test_packages"
prometheus_was_installed=0
dpkg -s prometheus >/dev/null 2>&1 && prometheus_was_installed=1
apt-get update -qq
# shellcheck disable=SC2086 # the lists are words on purpose
apt-get install -y -qq --no-install-recommends $packages >/dev/null
# Under systemd the prometheus package starts a server on :9090; one we just
# installed is stopped and disabled again.
if [ "$prometheus_was_installed" = 0 ] && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
