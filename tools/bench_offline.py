#!/usr/bin/python3
"""Offline speed and memory against tshark: prints figures, asserts nothing.

    tools/bench_offline.py [--closepath PATH] [--connections N] [--long N] [--big MIB]

Builds two captures in a temporary directory from closepath's own
graceful_fin capture: MANY (N copies of the connection, each on its own
client port: many short connections) and LONG (one connection of N
packets: a long data transfer's ACK stream). On each it times, and takes
the peak RSS of, `closepath show --json` (every connection), `closepath
check` of one connection, and tshark printing the same fields
(frame.number, tcp.stream, tcp.flags, tcp.seq, tcp.ack, tcp.len), and
prints the ratios. Then BIG (--big MiB, 1 GiB by default): the connection,
then another's long transfer filling the file; `check` and `show` of the
small connection with --client, whose peak RSS is bounded by that
connection, not the file.
"""
import argparse
import os
import pathlib
import struct
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def frames_of(capture):
    with tempfile.TemporaryDirectory() as tmp:
        pcap = pathlib.Path(tmp) / "x.pcap"
        subprocess.run(["editcap", "-F", "pcap", str(capture), str(pcap)], check=True)
        data = pcap.read_bytes()
    frames, at = [], 24
    while at < len(data):
        sec, usec, cap, _ = struct.unpack_from("<IIII", data, at)
        frames.append(bytearray(data[at + 16:at + 16 + cap]))
        at += 16 + cap
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for n, f in enumerate(frames):
            out.write(struct.pack("<IIII", 1_700_000_000 + n // 1000, (n % 1000) * 1000, len(f), len(f)))
            out.write(f)


def many(frames, copies):
    """copies x the connection, client port 10000 + i (checksums are not redone: nobody here verifies them)."""
    client_port = struct.unpack_from("!H", frames[0], 34)[0]
    for i in range(copies):
        port = 10000 + i
        for f in frames:
            g = bytearray(f)
            offset = 34 if struct.unpack_from("!H", g, 34)[0] == client_port else 36
            struct.pack_into("!H", g, offset, port)
            yield g


def long(frames, count):
    """The handshake, then `count` ACKs of 1000 more bytes each, client to server."""
    yield from frames[:3]
    ack = bytearray(frames[2])
    seq = struct.unpack_from("!I", ack, 38)[0]
    for i in range(count):
        g = bytearray(ack)
        struct.pack_into("!I", g, 38, (seq + 1000 * i) & 0xFFFFFFFF)
        yield g


def big(frames, size):
    """The connection, then another connection's data transfer (1400-byte
    segments, client port 20000) until the capture holds `size` bytes."""
    yield from frames
    data = bytearray(frames[2])
    struct.pack_into("!H", data, 34, 20000)
    struct.pack_into("!H", data, 16, struct.unpack_from("!H", data, 16)[0] + 1400)
    data += bytes(1400)
    seq = struct.unpack_from("!I", data, 38)[0]
    for i in range(size // (16 + len(data))):
        struct.pack_into("!I", data, 38, (seq + 1400 * i) & 0xFFFFFFFF)
        yield bytes(data)


def measure(args):
    """(seconds, peak RSS in MiB) of one command, its output thrown away."""
    start = time.monotonic()
    proc = subprocess.Popen([str(a) for a in args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{args[0]} failed: exit {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss / 1024


def bench(closepath, connections=5000, long_packets=200000, big_mib=1024):
    """Prints the figures; returns {(capture, command): times faster than tshark} for MANY and LONG."""
    base = frames_of(ROOT / "pcap" / "tests" / "data" / "graceful_fin.pcapng")
    fields = []
    for f in ("frame.number", "tcp.stream", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.len"):
        fields += ["-e", f]
    ratios = {}
    with tempfile.TemporaryDirectory() as tmp:
        scenario = pathlib.Path(tmp) / "any.yaml"
        scenario.write_text("name: any\nsteps:\n  - client: connect\nexpect:\n  wire: [c>s S, ...]\n")
        for name, frames, client in (("MANY", many(base, connections), "10.0.0.1:10000"),
                                     ("LONG", long(base, long_packets), None)):
            capture = pathlib.Path(tmp) / f"{name}.pcap"
            write_pcap(capture, frames)
            size = capture.stat().st_size / 2**20
            tshark = measure(["tshark", "-n", "-r", capture, "-T", "fields", *fields])
            show = measure([closepath, "show", "--json", capture])
            check = measure([closepath, "check", capture, "--scenario", scenario,
                             *(["--client", client] if client else [])])
            print(f"{name}: {size:.1f} MiB")
            print(f"  tshark -T fields        {tshark[0]:7.2f} s  {tshark[1]:7.1f} MiB")
            for label, (secs, rss) in (("closepath show --json", show), ("closepath check", check)):
                ratios[(name, label.split()[1])] = tshark[0] / secs
                print(f"  {label:23s} {secs:7.2f} s  {rss:7.1f} MiB   "
                      f"{tshark[0] / secs:5.1f}x faster, {rss / tshark[1]:4.2f}x tshark's memory")
        # Memory bounded by the connection judged, not the file: one small
        # connection picked out of a large capture.
        capture = pathlib.Path(tmp) / "BIG.pcap"
        write_pcap(capture, big(base, big_mib * 2**20))
        size = capture.stat().st_size / 2**20
        print(f"BIG: {size:.1f} MiB, the graceful_fin connection first, then one long transfer")
        for label, command in (("closepath check --client", ["check", capture, "--scenario", scenario,
                                                             "--client", "10.0.0.1"]),
                               ("closepath show --client", ["show", capture, "--client", "10.0.0.1"])):
            secs, rss = measure([closepath, *command])
            print(f"  {label:23s} {secs:7.2f} s  {rss:7.1f} MiB   ({size / secs:.0f} MiB/s; the goal: under 64 MiB)")
    return ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closepath", default=str(ROOT / "build" / "closepath"))
    parser.add_argument("--connections", type=int, default=5000, help="connections in MANY (default 5000)")
    parser.add_argument("--long", type=int, default=200000, help="packets in LONG (default 200000)")
    parser.add_argument("--big", type=int, default=1024, help="MiB of BIG (default 1024)")
    args = parser.parse_args()
    bench(args.closepath, args.connections, args.long, args.big)


if __name__ == "__main__":
    main()
