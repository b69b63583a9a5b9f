#!/usr/bin/env python3
"""One-way UDP probe for the impairment statistics (tools/impair_stats.py).

send: COUNT datagrams, one every INTERVAL seconds, each carrying its number
and the time it left (CLOCK_REALTIME: the namespaces share the clock).
The receiver takes each one's arrival time from the kernel (SO_TIMESTAMPNS),
so a slow interpreter (a guest under emulation) does not add to the delay.
receive: takes them until WAIT seconds pass with none, then prints one JSON
line: how many came, the loss and its 95% interval, the one-way delay's
mean, standard deviation and percentiles (ms), how many came out of order
and how many twice.
"""
import argparse
import json
import math
import socket
import struct
import sys
import time

HEADER = struct.Struct("!QQ")  # number, send time (ns, CLOCK_REALTIME)
TIMESPEC = struct.Struct("@qq")
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's number, where Python does not name it


def family_of(text):
    return socket.AF_INET6 if text == "6" else socket.AF_INET


def send(args):
    s = socket.socket(family_of(args.family), socket.SOCK_DGRAM)
    padding = bytes(max(0, args.size - HEADER.size))
    start = time.monotonic_ns()
    for n in range(args.count):
        due = start + int(n * args.interval * 1e9)
        while (now := time.monotonic_ns()) < due:
            time.sleep(min(0.001, (due - now) / 1e9))
        s.sendto(HEADER.pack(n, time.time_ns()) + padding, (args.to, args.port))
    print(f"sent {args.count}", flush=True)


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def summary(count, delays_ns, order, seen_twice):
    received = len(delays_ns)
    loss = 1 - received / count
    half = 1.96 * math.sqrt(max(loss * (1 - loss), 1e-12) / count)
    ms = sorted(d / 1e6 for d in delays_ns)
    mean = sum(ms) / received if received else None
    sd = math.sqrt(sum((x - mean) ** 2 for x in ms) / (received - 1)) if received > 1 else None
    late = sum(1 for a, b in zip(order, order[1:]) if b < a)
    return {"sent": count, "received": received, "loss": loss, "loss_95": [max(0.0, loss - half), loss + half],
            "delay_ms": {"mean": mean, "sd": sd, "min": ms[0] if ms else None,
                         **{f"p{q}": percentile(ms, q / 100) for q in (10, 25, 50, 75, 90, 99)},
                         "max": ms[-1] if ms else None},
            "out_of_order": late, "duplicates": seen_twice}


def receive(args):
    s = socket.socket(family_of(args.family), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((args.bind, args.port))
    print("receiving", flush=True)
    delays, order, seen, twice = [], [], set(), 0
    s.settimeout(args.first_wait)
    while True:
        try:
            data, ancillary, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(TIMESPEC.size))
        except socket.timeout:
            break
        arrived = time.time_ns()
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = TIMESPEC.unpack_from(value)
                arrived = seconds * 1_000_000_000 + nanoseconds
        s.settimeout(args.wait)
        number, sent = HEADER.unpack_from(data)
        if number in seen:
            twice += 1
            continue
        seen.add(number)
        order.append(number)
        delays.append(arrived - sent)
    print(json.dumps(summary(args.count, delays, order, twice)), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("send")
    s.add_argument("--to", required=True)
    s.add_argument("--interval", type=float, default=0.002)
    s.add_argument("--size", type=int, default=100)
    r = sub.add_parser("receive")
    r.add_argument("--bind", required=True)
    r.add_argument("--wait", type=float, default=2.0, help="seconds of silence that end the count")
    r.add_argument("--first-wait", type=float, default=60.0, help="seconds to wait for the first datagram")
    for q in (s, r):
        q.add_argument("--port", type=int, required=True)
        q.add_argument("--count", type=int, required=True)
        q.add_argument("--family", default="4")
    args = p.parse_args()
    (send if args.mode == "send" else receive)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
