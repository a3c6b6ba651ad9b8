#!/bin/sh
# Installs everything needed to build and test productgraphd on Debian 12, from
# Debian's own packages only. Safe to run again. Needs root (no sudo assumed).
set -eu
export DEBIAN_FRONTEND=noninteractive
prometheus_was_installed=0
dpkg -s prometheus >/dev/null 2>&1 && prometheus_was_installed=1
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  cmake make g++ pkg-config binutils \
  libpistache-dev rapidjson-dev libcurl4-openssl-dev \
  libboost-dev libboost-filesystem-dev libexpected-dev doctest-dev zlib1g-dev \
  curl ca-certificates \
  clang-14 libclang-rt-14-dev \
  prometheus >/dev/null
# clang-14 and libclang-rt-14-dev (libFuzzer, ASan and UBSan runtimes) build
# tests/fuzz; the daemon itself is built with g++.
# prometheus is there for promtool only (tests lint /metrics scrapes with it): a 19 MB
# download, 96 MB installed. Under systemd the package starts a Prometheus server on
# :9090; one we just installed is stopped and disabled again.
if [ "$prometheus_was_installed" = 0 ] && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
