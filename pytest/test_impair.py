"""`wire: impair`: every run's seed is recorded, --seed replays the wire's
decisions frame by frame, --repeat varies the seed and names the seeds of the
runs that failed, and a bad impair step is refused when the file is read."""
import json
import re

import pytest

# A transfer through a lossy path both ways: many frames, many decisions. The
# barrier before the impairment leaves the connection idle when it starts, so
# every frame after it is one the impairment decided on.
LOSSY = """name: impair_replay
summary: a transfer through 30% loss each way
rto_min: {client: 200ms, server: 200ms}
steps:
  - server: listen
  - client: connect
  - server: accept
  - wait: c>s . seq 1 ack 1 within 1s
  - wire: impair both loss 30%
  - client: send 30000
  - wait: s>c . ack 30001 within 20s
  - wire: impair both off
  - client: close
  - server: recv all -> 30000 eof
  - server: close
expect:
  wire:
    - c>s S
    - s>c S.
    - c>s . seq 1 ack 1
    - ...
"""
LOST = re.compile(r"lost by impair '[^']*' \(seed (\d+), (c>s|s>c) #(\d+), draw ")


def decisions(report):
    """Per direction: how many frames the impairment saw, and the numbers (1-based, in that direction) of those it lost."""
    started = next(s["outcome"]["end_ms"] for s in report["steps"] if s["text"] == "wire impair both loss 30%")
    ended = next(s["outcome"]["start_ms"] for s in report["steps"] if s["text"] == "wire impair both off")
    seen, lost = {"c>s": 0, "s>c": 0}, {"c>s": set(), "s>c": set()}
    for row in report["wire"]:
        if "tcp" not in row or row["injected"] or not started <= row["t_ms"] <= ended:
            continue
        direction = row["tcp"]["dir"]
        seen[direction] += 1
        if m := LOST.search(row["comment"]):
            assert m.group(2) == direction
            lost[direction].add(int(m.group(3)))
    return seen, lost


def run(closepath, tmp_path, name, *args):
    scenario = tmp_path / "impair_replay.yaml"
    scenario.write_text(LOSSY)
    done = closepath("run", scenario, "--out", tmp_path / name, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((tmp_path / name / "impair_replay" / "report.json").read_text())


def test_a_seed_replays_the_decisions(closepath, tmp_path):
    first, again, other = (run(closepath, tmp_path, n, "--seed", s) for n, s in (("a", "7"), ("b", "7"), ("c", "8")))
    assert first["seed"] == again["seed"] == 7 and other["seed"] == 8
    (seen_a, lost_a), (seen_b, lost_b), (seen_c, lost_c) = map(decisions, (first, again, other))
    for direction in ("c>s", "s>c"):
        common = min(seen_a[direction], seen_b[direction])
        assert common >= 10, (seen_a, seen_b)
        # The same seed: the same frames lost, counted in the direction's own order.
        assert {k for k in lost_a[direction] if k <= common} == {k for k in lost_b[direction] if k <= common}
    assert lost_a["c>s"], "30% loss over many frames lost none: the impairment did nothing"
    common = min(seen_a["c>s"], seen_c["c>s"])
    assert {k for k in lost_a["c>s"] if k <= common} != {k for k in lost_c["c>s"] if k <= common}


def test_each_run_records_its_seed_and_repeats_vary_it(closepath, tmp_path):
    scenario = tmp_path / "impair_replay.yaml"
    scenario.write_text(LOSSY)
    done = closepath("run", scenario, "--repeat", "3", "-j", "2", "--seed", "40", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    seeds = sorted(json.loads((tmp_path / "out" / "impair_replay" / n / "report.json").read_text())["seed"] for n in "123")
    assert seeds == [40, 41, 42]


def test_a_failed_run_and_the_repeat_summary_name_the_seed(closepath, tmp_path):
    scenario = tmp_path / "impair_replay.yaml"
    # Expecting nothing lost fails whenever the impairment loses a frame.
    scenario.write_text(LOSSY.replace("    - ...\n", "    - ...\n  forbid:\n    - c>s . wire dropped\n    - c>s P. wire dropped\n"))
    done = closepath("run", scenario, "--repeat", "2", "--seed", "7", "--out", tmp_path / "out")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^      seed 7: `closepath run impair_replay --seed 7` replays its impairments$", done.stdout, re.M), done.stdout
    assert re.search(r"^        seeds 7 8 \(replay one: closepath run impair_replay --seed N\)$", done.stdout, re.M), done.stdout


@pytest.mark.parametrize("step,reason", [
    ("impair c>s loss 0%", "loss 0% does nothing"),
    ("impair c>s reorder 10%", "reorder needs a delay"),
    ("impair both seed 3", "impair names no impairment"),
    ("impair c>s loss 5% jitter 3ms", "unknown impair word 'jitter'"),
])
def test_a_bad_impair_step_is_refused_with_its_line(closepath, tmp_path, step, reason):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(LOSSY.replace("impair both loss 30%", step))
    done = closepath("run", scenario, "--dry-run")
    assert done.returncode == 2
    assert re.search(rf"bad\.yaml:9: .*{re.escape(reason)}", done.stderr), done.stderr


def test_the_statistics_scenarios_read(closepath):
    """tools/impair_stats.py's scenarios (run on 6.1 by CI, where netem exists) are valid files."""
    from closepath_plugin import ROOT
    files = sorted((ROOT / "tools" / "impair-stats").glob("*.yaml"))
    assert len(files) == 5
    done = closepath("run", "--dry-run", *files)
    assert done.returncode == 0, done.stderr
