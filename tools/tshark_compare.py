#!/usr/bin/python3
"""Compares `closepath show --json` with tshark, packet by packet, on captures.

    tools/tshark_compare.py [--closepath PATH] [--verbose] CAPTURE...

For every TCP segment tshark decodes (not the TCP headers quoted inside ICMP
errors), by Wireshark's frame number: does closepath have it, with the same
flags, relative seq, relative ack (when the ACK flag is set) and payload
length? Prints one line per capture with a difference, then totals; exits 1
if any packet differs or is missing.
"""
import argparse
import json
import pathlib
import subprocess
import sys

FIELDS = ["frame.number", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.len", "tcp.srcport", "tcp.dstport"]


def tshark_packets(capture):
    args = ["tshark", "-n", "-r", str(capture), "-Y", "tcp and not icmp and not icmpv6", "-T", "fields",
            "-E", "separator=/t", "-E", "occurrence=l"]
    for f in FIELDS:
        args += ["-e", f]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    packets = {}
    for line in done.stdout.splitlines():
        number, flags, seq, ack, length, sport, dport = (line.split("\t") + [""] * 7)[:7]
        if not number or not flags or not seq:
            continue
        packets[int(number)] = {"flags": int(flags, 16), "seq": int(seq), "ack": int(ack) if ack else None,
                                "len": int(length) if length else 0}
    return packets


LETTERS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "U": 0x20, "E": 0x40, "W": 0x80, ".": 0x10}


def closepath_packets(closepath, capture):
    done = subprocess.run([closepath, "show", "--json", str(capture)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return {}, done.stderr.strip()
    packets = {}
    for c in json.loads(done.stdout)["connections"]:
        for p in c["packets"]:
            flags = 0 if p["flags"] == "none" else sum(LETTERS[ch] for ch in p["flags"])
            packets[p["frame"]] = {"flags": flags, "seq": p["seq"], "ack": p["ack"], "len": p["len"]}
    return packets, done.stderr.strip()


def compare(closepath, capture):
    """(tshark packet count, [differences])"""
    theirs = tshark_packets(capture)
    ours, note = closepath_packets(closepath, capture)
    differences = []
    for number, t in sorted(theirs.items()):
        o = ours.get(number)
        if o is None:
            differences.append(f"frame {number}: missing ({note or 'no note'})")
            continue
        for key in ("flags", "seq", "len"):
            if (t[key] & 0xff if key == "flags" else t[key]) != o[key]:
                differences.append(f"frame {number}: {key} tshark {t[key]} closepath {o[key]}")
        if t["flags"] & 0x10 and t["ack"] != o["ack"]:
            differences.append(f"frame {number}: ack tshark {t['ack']} closepath {o['ack']}")
    return len(theirs), differences


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closepath", default=str(pathlib.Path(__file__).resolve().parent.parent / "build" / "closepath"))
    parser.add_argument("--verbose", action="store_true", help="list every difference, not just the first")
    parser.add_argument("captures", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    total = differing = files_with_tcp = 0
    for capture in args.captures:
        count, differences = compare(args.closepath, capture)
        if count == 0:
            continue
        files_with_tcp += 1
        total += count
        differing += len({d.split(":")[0] for d in differences})
        if differences:
            shown = differences if args.verbose else differences[:1]
            print(f"{capture.name}: {len(differences)} of {count} differ: " + "; ".join(shown))
    agree = total - differing
    print(f"{files_with_tcp} captures with TCP, {total} TCP packets (tshark): {agree} agree "
          f"({100.0 * agree / total if total else 100:.2f}%), {differing} differ or are missing")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
