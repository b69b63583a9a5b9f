#!/usr/bin/env bash
# For a developer machine with no Docker engine and no image registry (as
# root): installs Debian's docker.io and docker-compose, starts dockerd
# without bridge or iptables changes, makes a debian:bookworm base image
# with debootstrap, then runs `docker-compose run --rm closepath` (extra
# arguments replace the command, e.g. `run linger_zero --out /out`).
# Slow the first time (debootstrap, image build); kept out of the test run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "run as root: it installs packages and starts dockerd" >&2; exit 3; }

need=()
for p in docker.io docker-compose debootstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
DOCKER=/usr/bin/docker  # Debian's client, matching Debian's daemon

if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "starting dockerd (no bridge, no iptables: the host's network is left alone)"
  nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/closepath-dockerd.log 2>&1 &
  for _ in $(seq 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 1; done
fi

if ! "$DOCKER" image inspect debian:bookworm >/dev/null 2>&1; then
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}"
  tar -C "$root" -c . | "$DOCKER" import - debian:bookworm
fi

mkdir -p out
if (($#)); then
  exec docker-compose run --rm closepath "$@"
fi
exec docker-compose run --rm closepath
