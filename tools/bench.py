#!/usr/bin/python3
"""What closepath costs on this machine, against its goals: prints figures
and one table of goals, asserts nothing (tools/bench.sh).

    tools/bench.sh [--closepath PATH] [--runs N] [--invocations N] [--skip-offline]
                   [--skip-catalogue] [--peer RUNTIME] [--packetdrill PATH] [--ci-log FILE]

1. Per-run overhead: N runs (default 20) of graceful_fin, one after another
   (-j 1) in one process; each report's phases (setup, steps, settle,
   teardown): the overhead is everything but the steps. Median and max.
2. One invocation: `closepath run graceful_fin`, each its own process (10
   by default): its wall time beyond the run's steps (the process's start,
   the first rig and the trace instance, the exit that removes them). With
   --packetdrill PATH (a packetdrill built from google/packetdrill), beside
   it the wall time of that checkout's close script
   gtests/net/tcp/close/close-local-close-then-remote-fin.pkt, run in a
   namespace of its own (`unshare -n`: its sysctls and its tun0 stay out
   of the host's).
3. The catalogue, serially and at -j nproc: wall time against two floors,
   the steps (the sum of every run's timeline) and the timers the
   scenarios declare they must wait for (`timers:`, report.json's timers_ms).
4. Peak RSS of the harness over the serial catalogue.
5. Offline: tools/bench_offline.py (check and show against tshark).
6. With --ci-log FILE (what `.ci/run` printed on stderr, on this machine):
   its phases and its total, against CI's 30-minute budget.
Then the table: each goal, this machine's figure, met or not, with the
machine and the date. With --peer, every run uses that runtime's peers.
Run as root on an otherwise idle machine.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import bench_offline  # noqa: E402

PACKETDRILL_SCRIPT = pathlib.Path("gtests/net/tcp/close/close-local-close-then-remote-fin.pkt")


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


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}; {cpu}, {os.cpu_count()} cores, {mem / 2**20:.0f} GiB, Linux {platform.release()}; closepath {commit or '?'}"


def per_run(args, peer, tmp, goals):
    (tmp / "one").mkdir()
    wall, _, reports = run(args.closepath, ["graceful_fin", "--repeat", str(args.runs), "-j", "1", *peer], tmp / "one")
    costs = sorted(overhead_ms(r) for r in reports)
    phases = {k: statistics.median(r["phases_ms"][k] for r in reports) for k in ("setup", "timeline", "settle", "teardown")}
    print(f"per-run overhead, graceful_fin x {len(costs)}{' with the ' + args.peer + ' peers' if peer else ''}: "
          f"median {statistics.median(costs):.1f} ms, max {costs[-1]:.1f} ms")
    print("  median phases: " + ", ".join(f"{k} {v:.1f} ms" for k, v in phases.items()))
    goals.append(("per-run overhead, median", statistics.median(costs), 15, "ms"))
    goals.append(("  its setup, median", phases["setup"], 5, "ms"))


def one_invocation(args, peer, tmp, goals):
    beyond, walls = [], []
    for i in range(args.invocations):
        out = tmp / f"single{i}"
        out.mkdir()
        wall, _, reports = run(args.closepath, ["graceful_fin", *peer], out)
        walls.append(wall)
        beyond.append(wall * 1000 - reports[0]["phases_ms"]["timeline"])
    print(f"one invocation, `closepath run graceful_fin` x {len(walls)}: wall median {statistics.median(walls) * 1000:.0f} ms, "
          f"beyond its steps median {statistics.median(beyond):.0f} ms, max {max(beyond):.0f} ms")
    goals.append(("one invocation beyond its steps, median", statistics.median(beyond), 100, "ms"))
    if not args.packetdrill:
        print("  packetdrill: not given (--packetdrill PATH, a packetdrill built from google/packetdrill)")
        return
    binary = pathlib.Path(args.packetdrill).resolve()
    script = binary.parent.parent / PACKETDRILL_SCRIPT.relative_to("gtests/net")
    pd = []
    for _ in range(args.invocations):
        start = time.monotonic()
        subprocess.run(["unshare", "-n", str(binary), script.name], cwd=script.parent, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pd.append(time.monotonic() - start)
    print(f"  beside it, packetdrill {PACKETDRILL_SCRIPT.name} x {len(pd)}: wall median {statistics.median(pd) * 1000:.0f} ms")


def catalogue(args, peer, tmp, goals):
    jobs = os.cpu_count() or 1
    for label, extra in (("serial", ["-j", "1"]), (f"-j {jobs}", ["-j", str(jobs)])):
        out = tmp / label.replace(" ", "")
        out.mkdir()
        wall, rss, reports = run(args.closepath, ["--all", *extra, *peer], out)
        ran = [r for r in reports if r.get("verdict") in ("pass", "fail")]
        steps = sum(r["phases_ms"]["timeline"] for r in ran) / 1000
        timers = sum(r.get("timers_ms", 0) for r in ran) / 1000
        verdicts = {v: sum(r.get("verdict") == v for r in reports) for v in ("pass", "fail", "error", "skipped")}
        print(f"catalogue {label}: {wall:.1f} s; its steps took {steps:.1f} s ({wall / steps:.2f}x), its declared timers "
              f"{timers:.1f} s ({wall / timers:.2f}x); peak RSS {rss:.1f} MiB; {verdicts}")
        pages = sorted(r["phases_ms"].get("report_html", 0) for r in reports if "phases_ms" in r)
        if pages:
            print(f"  report.html per run: median {statistics.median(pages):.2f} ms, max {pages[-1]:.2f} ms")
        if label == "serial":
            after_close, other = step_gaps(ran)
            print(f"  step to step: after a close/shutdown median {statistics.median(after_close):.2f} ms, "
                  f"max {max(after_close):.2f} ms ({len(after_close)}); after other steps median "
                  f"{statistics.median(other):.2f} ms, max {max(other):.2f} ms")
            goals.append(("serial catalogue / its declared timers", wall / timers, 1.1, "x"))
            goals.append(("serial catalogue / its steps", wall / steps, 1.1, "x"))
            goals.append(("report.html per run, median", statistics.median(pages), 5, "ms"))
        else:
            print(f"  (at best floor/{jobs}: {steps / jobs:.1f} s of steps, {timers / jobs:.1f} s of timers)")


def ci_time(path, goals):
    """The phases a .ci/run log names ('ci: NAME took N s (M s in all)') and its total."""
    phases = [line.strip()[4:] for line in open(path, errors="replace") if line.startswith("ci: ") and " took " in line]
    if not phases:
        raise SystemExit(f"{path}: no 'ci: ... took N s' line: not the stderr of .ci/run")
    print(f".ci/run ({path}):")
    for phase in phases:
        print(f"  {phase}")
    total = int(phases[-1].rsplit("(", 1)[1].split()[0])
    goals.append((".ci/run on this machine", total / 60, 30, "min"))


def print_goals(goals):
    print(f"\ngoals, {machine()}:")
    for name, figure, goal, unit in goals:
        at_least = unit == "x faster"
        met = figure >= goal if at_least else figure <= goal
        shown = f"{figure:.2f}{unit[0]}" if unit.startswith("x") else f"{figure:.1f} {unit}"
        wanted = f"{'>=' if at_least else '<='} {goal:g}{'x' if unit.startswith('x') else ' ' + unit}"
        print(f"  {name:44s} {shown:>10s}   goal {wanted:10s} {'met' if met else 'NOT MET'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closepath", default=str(ROOT / "build" / "closepath"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--invocations", type=int, default=10, help="single invocations timed (default 10)")
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument("--skip-catalogue", action="store_true")
    parser.add_argument("--peer", default="", help="the peers' runtime for every run (closepath run --peer)")
    parser.add_argument("--packetdrill", default="", help="a packetdrill binary, in its checkout, to time beside one invocation")
    parser.add_argument("--ci-log", default="", help="what .ci/run printed on stderr on this machine: its time in the table")
    args = parser.parse_args()
    peer = ["--peer", args.peer] if args.peer else []
    goals = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        per_run(args, peer, tmp, goals)
        one_invocation(args, peer, tmp, goals)
        if not args.skip_catalogue:
            catalogue(args, peer, tmp, goals)
    if not args.skip_offline:
        print("offline (tools/bench_offline.py):")
        sys.stdout.flush()
        ratios = bench_offline.bench(args.closepath, big_mib=256)
        for (capture, command), ratio in ratios.items():
            goals.append((f"offline {command} vs tshark, {capture}", ratio, 20, "x faster"))
    if args.ci_log:
        ci_time(args.ci_log, goals)
    print_goals(goals)


if __name__ == "__main__":
    main()
