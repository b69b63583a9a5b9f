#!/usr/bin/env bash
# Prints what runs cost (per-run overhead, the catalogue against its floor,
# peak RSS, offline speed against tshark): see tools/bench.py.
exec /usr/bin/python3 "$(dirname "$0")/bench.py" "$@"
