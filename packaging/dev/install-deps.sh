#!/bin/sh
# Installs everything needed to build and test productgraphd on Debian 12, from
# Debian's own packages only. Safe to run again. Needs root (no sudo assumed).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  cmake make g++ pkg-config binutils \
  libpistache-dev rapidjson-dev libcurl4-openssl-dev \
  libboost-dev libboost-filesystem-dev libexpected-dev doctest-dev zlib1g-dev \
  curl ca-certificates \
  clang-14 libclang-rt-14-dev >/dev/null
# clang-14 and libclang-rt-14-dev (libFuzzer, ASan and UBSan runtimes) build
# tests/fuzz; the daemon itself is built with g++.
