"""A run never waits forever: the watchdog ends a run that outlives its limit
and says what it was waiting for; under `run -j` the parent is the backstop
for a child that stops answering altogether."""
import json
import os
import re
import signal
import subprocess
import time

SLOW = """\
name: slow
steps:
  - server: listen
  - client: connect
  - server: accept
  - client: recv within 20s -> operation_aborted
expect:
  wire:
    - c>s S
    - ...
"""

WAITING = r"step 4 \(client recv within 20s -> operation_aborted\): waiting for the client peer's answer"


def test_stuck_run_is_ended_and_names_what_it_waited_for(closepath, tmp_path):
    (tmp_path / "slow.yaml").write_text(SLOW)
    run = closepath("run", tmp_path / "slow.yaml", "--out", tmp_path / "out", "--stuck-after", "2s")
    assert run.returncode == 3, run.stdout + run.stderr
    assert re.search(r"ERROR slow .*\n\s+stuck: no verdict after 2 s \(the run's limit; --stuck-after sets it\) while "
                     + WAITING + "; the run was stopped and torn down", run.stdout), run.stdout
    report = json.loads((tmp_path / "out" / "slow" / "report.json").read_text())
    assert report["verdict"] == "error" and report["first_mismatch"].startswith("stuck:")
    assert not (tmp_path / "out" / "slow" / "activity").exists()  # the activity file lives only as long as the run


def test_parent_stops_a_child_that_stopped_answering(closepath, tmp_path):
    """A SIGSTOPped child cannot run its own watchdog: the parent stops it, reports it, and leaves nothing."""
    (tmp_path / "slow.yaml").write_text(SLOW)
    parent = subprocess.Popen([str(closepath.binary), "run", tmp_path / "slow.yaml", tmp_path / "slow.yaml", "-j", "2",
                               "--out", tmp_path / "out", "--stuck-after", "2s"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children = []
    for _ in range(100):
        children = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True).stdout.split()
        if children:
            break
        time.sleep(0.05)
    assert children, "no child started"
    stopped = int(children[0])
    os.kill(stopped, signal.SIGSTOP)
    out, err = parent.communicate(timeout=120)
    assert parent.returncode == 3, out + err
    assert re.search(rf"stuck: the run \(pid {stopped}\) gave no verdict within 17 s, nor did its own watchdog end it; "
                     # where the stop caught it depends on how far it got: any of these is right
                     r"last seen (before it published anything|starting|setting up|step \d \(.*\): waiting for the \w+ peer's answer)"
                     r".*; it was stopped",
                     out), out
    # Exactly one report says the parent stopped it; the other run's own watchdog ended it.
    reports = [json.loads(p.read_text()) for p in sorted((tmp_path / "out" / "slow").glob("*/report.json"))]
    assert sorted(r["first_mismatch"].split(":")[0] for r in reports) == ["stuck", "stuck"]
    assert sum(f"(pid {stopped})" in r["first_mismatch"] for r in reports) == 1
    # Nothing of it is left: no process of its run.
    assert subprocess.run(["pgrep", "-f", str(tmp_path / "out")], capture_output=True).returncode == 1
