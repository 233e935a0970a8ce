#!/usr/bin/env bash
# Installs every Debian package Sundial needs to build, test and benchmark.
# Idempotent: when everything is present it does nothing (no apt-get update either).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache g++ clang clang-format libclang-rt-14-dev pkg-config
  # libraries
  libboost-dev libssl-dev libcrypt-dev libprotobuf-dev protobuf-compiler libsnappy-dev libyaml-cpp-dev
  libre2-dev libabsl-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
  # tools used by tests
  openssl curl python3
  # real peers for differential tests and benchmarks
  prometheus prometheus-alertmanager prometheus-node-exporter victoria-metrics
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# The peers are services: do not let their packages start daemons on this machine.
printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
