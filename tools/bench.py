#!/usr/bin/python3
"""What a run costs beyond its own steps, and what the catalogue costs
against its floor: prints figures, asserts nothing (tools/bench.sh).

    tools/bench.sh [--closepath PATH] [--runs N] [--skip-offline] [--peer RUNTIME]

1. Per-run overhead: N runs (default 20) of graceful_fin, one after another
   (-j 1) in one process; each report's phases (setup, steps, settle,
   teardown): the overhead is everything but the steps. Median and max; and
   by the wall clock, what the N runs took beyond their steps, per run.
2. The catalogue, serially and at -j nproc: wall time against its floor,
   the sum of every run's steps (which are the kernel timers and the peers'
   own waits the scenarios ask for).
3. Peak RSS of the harness over the serial catalogue.
4. Offline: tools/bench_offline.py (check and show against tshark).
With --peer, every run uses that runtime's peers (closepath run --peer):
what a Go or Python peer costs shows in the setup phase (its start).
Run as root on an otherwise idle machine.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def step_gaps(reports):
    """How long the harness took from a step's end to the next step's start, in ms: after a peer's close or
    shutdown (when the harness audits that side's socket) and after any other step."""
    after_close, other = [], []
    for r in reports:
        steps = r.get("steps", [])
        for step, following in zip(steps, steps[1:]):
            done, nxt = step.get("outcome") or {}, following.get("outcome") or {}
            if "end_ms" not in done or "start_ms" not in nxt or done.get("end") == "pending":
                continue
            words = step["text"].split()
            closing = len(words) > 1 and words[0] in ("client", "server") and words[1] in ("close", "shutdown")
            (after_close if closing else other).append(nxt["start_ms"] - done["end_ms"])
    return after_close or [0.0], other or [0.0]


def run(closepath, args, out):
    """(wall seconds, peak RSS MiB, reports) of one `closepath run --json`."""
    start = time.monotonic()
    with open(out / "stdout.json", "wb") as stdout:
        proc = subprocess.Popen([closepath, "run", "--json", "--out", str(out), *args], stdout=stdout,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"closepath run {' '.join(args)}: exit {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024, json.loads((out / "stdout.json").read_text())


def overhead_ms(report):
    p = report["phases_ms"]
    return p["setup"] + p["settle"] + p["teardown"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closepath", default=str(ROOT / "build" / "closepath"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument("--peer", default="", help="the peers' runtime for every run (closepath run --peer)")
    args = parser.parse_args()
    peer = ["--peer", args.peer] if args.peer else []
    jobs = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "one").mkdir()
        wall, _, reports = run(args.closepath, ["graceful_fin", "--repeat", str(args.runs), "-j", "1", *peer], tmp / "one")
        costs = sorted(overhead_ms(r) for r in reports)
        steps = sum(r["phases_ms"]["timeline"] for r in reports) / 1000
        phases = {k: statistics.median(r["phases_ms"][k] for r in reports)
                  for k in ("setup", "timeline", "settle", "teardown")}
        print(f"per-run overhead, graceful_fin x {len(costs)}{' with the ' + args.peer + ' peers' if peer else ''}: median {statistics.median(costs):.1f} ms, "
              f"max {costs[-1]:.1f} ms (goal: median <= 30 ms)")
        print("  median phases: " + ", ".join(f"{k} {v:.1f} ms" for k, v in phases.items()))
        print(f"  by the clock: {wall:.2f} s for {len(reports)} runs whose steps took {steps:.2f} s: "
              f"{(wall - steps) / len(reports) * 1000:.1f} ms a run beyond its steps (the process's start, "
              f"its first rig and its exit included)")
        for label, extra in (("serial", ["-j", "1"]), (f"-j {jobs}", ["-j", str(jobs)])):
            out = tmp / label.replace(" ", "")
            out.mkdir()
            wall, rss, reports = run(args.closepath, ["--all", *extra, *peer], out)
            ran = [r for r in reports if r.get("verdict") in ("pass", "fail")]
            floor = sum(r["phases_ms"]["timeline"] for r in ran) / 1000
            verdicts = {v: sum(r.get("verdict") == v for r in reports) for v in ("pass", "fail", "error", "skipped")}
            goal = "goal: <= 1.15x" if label == "serial" else f"floor/{jobs} = {floor / jobs:.1f} s"
            print(f"catalogue {label}: {wall:.1f} s for a floor of {floor:.1f} s (sum of the steps): "
                  f"{wall / floor:.2f}x ({goal}); peak RSS {rss:.1f} MiB; {verdicts}")
            pages = sorted(r["phases_ms"].get("report_html", 0) for r in reports if "phases_ms" in r)
            if pages:
                print(f"  report.html per run: median {statistics.median(pages):.2f} ms, max {pages[-1]:.2f} ms (goal: <= 5 ms)")
            if label == "serial":
                after_close, other = step_gaps(ran)
                print(f"  step to step, serial catalogue: after a close/shutdown median {statistics.median(after_close):.2f} ms, "
                      f"max {max(after_close):.2f} ms ({len(after_close)}); after other steps median "
                      f"{statistics.median(other):.2f} ms, max {max(other):.2f} ms (goal: after close <= 1 ms median)")
    if not args.skip_offline:
        print("offline (tools/bench_offline.py):")
        sys.stdout.flush()
        subprocess.run(["/usr/bin/python3", str(ROOT / "tools" / "bench_offline.py"), "--closepath", args.closepath,
                        "--big", "256"], check=True)


if __name__ == "__main__":
    main()
