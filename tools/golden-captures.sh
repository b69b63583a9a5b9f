#!/usr/bin/env bash
# Remakes the unit tests' golden captures (pcap/tests/data/NAME.pcapng) from
# real runs of the catalogue, and each NAME.flow from what tshark (not
# closepath's own decoder) reads in it. Run as root after a scenario's wire
# changes; commit both files.
#   tools/golden-captures.sh [NAME...]   (default: the six the tests use)
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
((${#names[@]})) || names=(connection_refused graceful_fin half_close linger_zero rst_on_unread_close write_after_peer_close)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for name in "${names[@]}"; do
  build/closepath run "scenarios/$name.yaml" --out "$out" >/dev/null
  cp "$out/$name/capture.pcapng" "pcap/tests/data/$name.pcapng"
  tshark -r "pcap/tests/data/$name.pcapng" -T fields -e ip.src -e tcp.flags -e tcp.seq -e tcp.ack -e tcp.len 2>/dev/null |
    /usr/bin/python3 -c '
import sys
letters = [(0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x20, "U"), (0x40, "E"), (0x80, "W"), (0x10, ".")]
for line in sys.stdin:
    src, flags, seq, ack, length = line.rstrip("\n").split("\t")
    bits = int(flags, 16)
    text = "".join(l for b, l in letters if bits & b) or "none"
    row = ("c>s" if src == "10.0.0.1" else "s>c") + " " + text + " seq " + seq
    if bits & 0x10:
        row += " ack " + ack
    print(row + " len " + length)
' > "pcap/tests/data/$name.flow"
  echo "$name: $(wc -l < "pcap/tests/data/$name.flow") packets"
done
