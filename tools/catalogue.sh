#!/usr/bin/env bash
# Sets up, builds and runs the whole scenario catalogue; extra arguments go
# to `closepath run` (e.g. -j 2, --out DIR). Captures land in out/<scenario>/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh
exec build/closepath run --all "$@"
