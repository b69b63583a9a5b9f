#!/usr/bin/env bash
# Sets up, builds and runs every test: the Boost.Test unit tests (ctest) and
# the pytest suite (each catalogue scenario, its self-test variants, the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh
(cd build && ctest --output-on-failure)
# Debian's pytest: /usr/bin/python3, not whichever python3 is first on PATH.
exec /usr/bin/python3 -m pytest pytest "$@"
