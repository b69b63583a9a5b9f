#!/usr/bin/env bash
# Sets up, builds and runs every test: the Boost.Test unit tests (ctest) and
# the pytest suite (each catalogue scenario, its self-test variants, the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
# The examples' programs (examples/): Go, openssl, nginx, redis, socat; and
# chromium, which loads report.html in the browser test. Only the tests need
# them, and skip what is missing: installed as root only (bootstrap.sh keeps
# their services from starting).
if [[ $(id -u) -eq 0 ]]; then
  tools/bootstrap.sh --packages-only golang-go openssl nginx-light redis-server redis-tools socat chromium
fi
tools/bootstrap.sh
# The unit tests; the pytest suite (also registered with ctest, label
# "pytest") runs directly so its output streams.
(cd build && ctest --output-on-failure -LE pytest)
# Debian's pytest: /usr/bin/python3, not whichever python3 is first on PATH.
# Two xdist workers per core (CLOSEPATH_PYTEST_WORKERS overrides): the suite
# mostly waits on kernel timers and the wire (one per core kept the CPUs 20%
# busy: 300 s here, 171 s with four); tests that must not overlap share an
# xdist_group.
exec /usr/bin/python3 -m pytest -n "${CLOSEPATH_PYTEST_WORKERS:-$((2 * $(nproc)))}" --dist loadgroup pytest "$@"
