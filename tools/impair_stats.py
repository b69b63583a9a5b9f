#!/usr/bin/env python3
"""What `wire: impair` gives against the kernel's netem, and what it costs.

Runs the scenarios in tools/impair-stats/ (a UDP probe through each backend:
2000 datagrams through delay 20ms 5ms loss 10%; 1000 through a fixed 10 ms;
1000 through the bare wire) on this machine's kernel, or with --kernel PKG
on a Debian kernel under qemu (tools/kernel-matrix.sh), and prints, dated:

  - per backend: the loss seen with its 95% interval, the one-way delay's
    mean, standard deviation and percentiles, datagrams out of order;
  - what each backend adds to a fixed 10 ms beyond the bare wire (its own
    jitter, in microseconds).

netem runs only where the kernel has sch_netem (not on this host: its
columns are then "skipped"). With --check the exit code says whether the
two backends agree: each loss within the 99.9% interval of 10%, the two
losses within a two-proportion test of each other, each median delay
within 1 ms of 20 ms once the backend's own cost is taken out (its
fixed-delay run's median beyond 10 ms and the bare wire), and each
interquartile range within 20% of 5 ms (uniform jitter of 5 ms). Under
emulation (qemu TCG) a backend's own jitter is milliseconds with a long
tail: medians and quartiles, not means and deviations, say what it was
asked to do. The guest runs one scenario at a time.

  tools/impair_stats.py [--kernel linux-image-6.1.0-56-amd64] [--check]
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "tools" / "impair-stats"
SCENARIOS = ["impair_statistics", "netem_statistics", "impair_fixed", "netem_fixed", "baseline"]
LOSS, MEAN_MS, JITTER_MS = 0.10, 20.0, 5.0


def run_here(out):
    files = [str(DIR / f"{name}.yaml") for name in SCENARIOS]
    subprocess.run([str(ROOT / "build" / "closepath"), "run", *files, "-j", "1", "--out", str(out)],
                   check=False, stdout=subprocess.DEVNULL)
    return out, platform.release() + " (this machine)"


def run_in_guest(kernel):
    files = [str((DIR / f"{name}.yaml").relative_to(ROOT)) for name in SCENARIOS]
    env = dict(os.environ, CLOSEPATH_MATRIX_HOST="0", CLOSEPATH_MATRIX_JOBS="1")  # one at a time: runs disturb each other
    subprocess.run([str(ROOT / "tools" / "kernel-matrix.sh"), kernel, "--", *files],
                   check=False, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
    return ROOT / "build-kernels" / f"{kernel}-results" / "out", kernel + " (qemu)"


def figures(out, name):
    """The receiver's summary of one run; None when it was skipped or failed (with why)."""
    try:
        report = json.loads((out / name / "report.json").read_text())
    except (OSError, ValueError):
        return None, "no report"
    if report.get("verdict") != "pass":
        return None, report.get("verdict", "?") + ": " + report.get("first_mismatch", "")
    for program in report.get("programs", []):
        if program["side"] == "server" and program["output"]:
            return json.loads(program["output"][-1]["text"]), ""
    return None, "no summary from the receiver"


def row(label, f, base_ms=0.0):
    d = f["delay_ms"]
    lo, hi = f["loss_95"]
    return (f"  {label:<8} loss {100 * f['loss']:5.2f}% [{100 * lo:5.2f}, {100 * hi:5.2f}]  delay mean {d['mean'] - base_ms:7.3f} ms"
            f"  sd {d['sd']:6.3f}  p50 {d['p50'] - base_ms:7.3f}  p99 {d['p99'] - base_ms:7.3f}  out of order {f['out_of_order']}")


def cost_row(label, f, base):
    d, b = f["delay_ms"], base["delay_ms"]
    us = lambda ms: f"{1000 * ms:8.1f}"
    return (f"  {label:<8} beyond 10 ms and the bare wire: mean {us(d['mean'] - 10 - b['mean'])} us  "
            f"p50 {us(d['p50'] - 10 - b['p50'])} us  p99 {us(d['p99'] - 10 - b['p99'])} us  sd {us(d['sd'])} us")


def asked_for(f, fixed, base):
    """The delay's median and interquartile range a backend was asked for, its own cost taken out (its
    fixed run's median beyond 10 ms and the bare wire's). Robust figures: a backend's own jitter under
    emulation is mostly small with a long tail, which a standard deviation would count in full."""
    own = fixed["delay_ms"]["p50"] - 10 - base["delay_ms"]["p50"]
    d = f["delay_ms"]
    return d["p50"] - base["delay_ms"]["p50"] - own, d["p75"] - d["p25"]


def agree(results, fixed, base):
    """The --check: what disagrees, as sentences (empty: all agree)."""
    problems, present = [], {k: v for k, v in results.items() if v}
    n = next(iter(present.values()))["sent"] if present else 0
    for name, f in present.items():
        half = 3.29 * math.sqrt(LOSS * (1 - LOSS) / f["sent"])
        if abs(f["loss"] - LOSS) > half:
            problems.append(f"{name}: loss {f['loss']:.4f} outside 10% +- {half:.4f}")
        if not fixed.get(name):
            problems.append(f"{name}: no fixed-delay run to take its own cost from")
            continue
        median, iqr = asked_for(f, fixed[name], base)
        if abs(median - MEAN_MS) > 1:
            problems.append(f"{name}: median delay {median:.3f} ms (its own cost out), not within 1 ms of {MEAN_MS}")
        if abs(iqr - JITTER_MS) > 0.2 * JITTER_MS:  # uniform +- 5 ms: the middle half spans 5 ms
            problems.append(f"{name}: delay's interquartile range {iqr:.3f} ms, not within 20% of {JITTER_MS}")
    if len(present) == 2:
        a, b = present.values()
        pooled = (a["loss"] + b["loss"]) / 2
        z = (a["loss"] - b["loss"]) / math.sqrt(max(pooled * (1 - pooled) * 2 / n, 1e-12))
        if abs(z) > 3.29:
            problems.append(f"the two losses differ: z = {z:.2f}")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", help="a Debian kernel package to boot under qemu (default: this machine's kernel)")
    p.add_argument("--check", action="store_true", help="exit 1 unless the backends agree (see above)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="closepath-impair-stats-") as tmp:
        out, where = run_in_guest(args.kernel) if args.kernel else run_here(Path(tmp))
        got = {name: figures(out, name) for name in SCENARIOS}
    print(f"impairment statistics, {datetime.date.today()}, kernel {where}")
    base, why = got["baseline"]
    if not base:
        print(f"  the bare wire's run gave nothing: {why}")
        return 1
    print(f"  bare wire: one-way delay mean {1000 * base['delay_ms']['mean']:.1f} us, p99 {1000 * base['delay_ms']['p99']:.1f} us")
    print("delay 20ms 5ms loss 10%, c>s, 2000 datagrams 2 ms apart:")
    results = {}
    for backend in ("impair", "netem"):
        f, why = got[f"{backend}_statistics"]
        results[backend] = f
        print(row(backend, f, base["delay_ms"]["mean"]) if f else f"  {backend:<8} {why}")
    print("delay 10ms, c>s, 1000 datagrams: what the backend adds")
    fixed = {}
    for backend in ("impair", "netem"):
        f, why = got[f"{backend}_fixed"]
        fixed[backend] = f
        print(cost_row(backend, f, base) if f else f"  {backend:<8} {why}")
    print("delay 20ms 5ms, each backend's own cost taken out (asked: median 20 ms, interquartile range 5 ms):")
    for backend in ("impair", "netem"):
        if results[backend] and fixed[backend]:
            median, iqr = asked_for(results[backend], fixed[backend], base)
            print(f"  {backend:<8} median {median:7.3f} ms  interquartile range {iqr:6.3f} ms")
    if not args.check:
        return 0
    if not results["impair"] or (args.kernel and not results["netem"]):
        print("check: a backend gave no figures")
        return 1
    problems = agree(results, fixed, base)
    for problem in problems:
        print("check: " + problem)
    print("check: " + ("the backends disagree" if problems else "the backends agree"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
