#!/usr/bin/env bash
# Installs what closepath needs (Debian 12 packages, when run as root and
# something is missing) and builds it into build/. Safe to run again.
# CLOSEPATH_PRESET picks the CMake preset (default: "default"; CI uses "dev",
# which makes warnings errors).
#   tools/bootstrap.sh --packages-only [EXTRA-PACKAGE...]   installs, builds nothing
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(cmake g++ make pkg-config libboost1.81-dev libboost-test1.81-dev libpcap-dev zlib1g-dev libyaml-dev
          nlohmann-json3-dev libcli11-dev libssl-dev libnl-route-3-dev iproute2 nftables tshark python3-pytest python3-pytest-xdist util-linux curl
          golang-go)
packages_only=false
if [[ ${1:-} == --packages-only ]]; then
  packages_only=true
  shift
  PACKAGES+=("$@")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "closepath needs these Debian packages: ${missing[*]}" >&2
    echo "install them as root: apt-get install ${missing[*]}" >&2
    exit 3
  fi
  echo "installing: ${missing[*]}"
  # A server package (nginx, redis) would start its service on the host:
  # closepath runs them in its namespaces only. Debian's policy-rc.d (exit
  # 101) forbids the start while this installs, unless the machine has one.
  policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [[ -n $policy ]] && rm -f "$policy"
  trap - EXIT
fi

$packages_only && exit 0
cmake --preset "${CLOSEPATH_PRESET:-default}" >/dev/null
cmake --build build -j"$(nproc)"
