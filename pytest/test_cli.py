"""The command line: bad input, listing, doctor, and that no run leaves
anything behind on the host, whether it passes, fails or is interrupted."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from closepath_plugin import ROOT

GOOD = (ROOT / "scenarios" / "linger_zero.yaml").read_text()

# An edit to a good file, and the one-line error it must give.
MALFORMED = [
    ("bad_yaml", "  - client: connect", "  - client: [connect", r"^{f}:\d+: bad YAML: "),
    ("unknown_action", "  - client: close", "  - client: slam", r"^{f}:\d+: unknown action 'slam'"),
    ("unknown_peer", "  - server: accept", "  - proxy: accept", r"^{f}:\d+: unknown peer 'proxy'"),
    ("bad_pattern", "    - c>s S\n", "    - c>s SYN\n", r"^{f}:\d+: unknown TCP flag 'Y'"),
    ("bad_outcome", "-> ECONNRESET", "-> RESET", r"^{f}:\d+: unknown outcome 'RESET'"),
]


@pytest.mark.parametrize("case,old,new,pattern", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_is_one_line_with_file_and_line(closepath, tmp_path, case, old, new, pattern):
    bad = tmp_path / f"{case}.yaml"
    assert old in GOOD
    bad.write_text(GOOD.replace(old, new, 1))
    for command in (["run", bad], ["run", "--all", "--scenarios", tmp_path]):
        done = closepath(*command)
        assert done.returncode == 2, done
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and re.match(pattern.format(f=re.escape(str(bad))), lines[0]), done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_reported_line_is_the_bad_one(closepath, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("  - client: close", "  - client: slam", 1))
    line = next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if "slam" in l)
    assert closepath("run", bad).stderr.startswith(f"{bad}:{line}: ")


def test_unknown_scenario_name(closepath):
    done = closepath("run", "no_such_scenario")
    assert done.returncode == 2 and "no scenario named 'no_such_scenario'" in done.stderr


def test_usage_errors_exit_2(closepath):
    assert closepath("run").returncode == 2
    assert closepath("frobnicate").returncode == 2
    assert closepath("run", "linger_zero", "-j", "0").returncode == 2


def test_list_json_names_the_catalogue(closepath):
    names = {s["name"] for s in closepath.scenarios()}
    assert {"graceful_fin", "half_close", "linger_zero", "rst_on_unread_close", "write_after_peer_close",
            "connection_refused"} <= names
    assert all(s["claim"] for s in closepath.scenarios())


def test_doctor_reports_each_capability(closepath):
    done = closepath("doctor", "--json")
    caps = {c["name"]: c for c in json.loads(done.stdout)}
    assert {"privileges", "network namespaces", "veth", "libpcap", "nftables", "tracefs", "netem"} <= caps.keys()
    assert done.returncode == (0 if all(c["present"] for c in caps.values() if c["required"]) else 3)
    for c in caps.values():
        assert c["needed_for"] and (c["present"] or c["how_to_get"])


# --- nothing left behind -------------------------------------------------

def host_state():
    """Network namespaces alive on the host, and closepath processes."""
    namespaces = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                namespaces.add(os.readlink(f"/proc/{pid}/ns/net"))
            except OSError:
                pass
    peers = subprocess.run(["pgrep", "-f", "closepath-peer"], capture_output=True, text=True).stdout.split()
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout.count("\n")
    return namespaces, peers, links, tracefs_instances()


def tracefs_instances():
    """closepath's tracefs instances (global kernel objects), seen through a private mount."""
    listing = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         "mount -t tracefs nodev /sys/kernel/tracing && ls /sys/kernel/tracing/instances"],
        capture_output=True, text=True)
    return sorted(name for name in listing.stdout.split() if name.startswith("closepath-"))


def assert_nothing_left(before):
    deadline = time.time() + 5
    while True:
        now = host_state()
        if now[0] <= before[0] and not now[1] and now[2] == before[2] and not now[3]:
            return
        if time.time() > deadline:
            raise AssertionError(f"left behind: namespaces {now[0] - before[0]}, peers {now[1]}, "
                                 f"links {before[2]} -> {now[2]}, tracefs instances {now[3]}")
        time.sleep(0.1)


def test_passing_run_leaves_nothing(closepath, tmp_path):
    before = host_state()
    assert closepath("run", "graceful_fin", "--out", tmp_path).returncode == 0
    assert_nothing_left(before)


def test_failing_run_leaves_nothing(closepath, tmp_path):
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("  - client: set linger 0\n", ""))
    before = host_state()
    assert closepath("run", variant, "--out", tmp_path).returncode == 1
    assert_nothing_left(before)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_run_leaves_nothing(closepath, tmp_path, sig, jobs):
    before = host_state()
    proc = subprocess.Popen([str(closepath.binary), "run", "--all", "-j", jobs, "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.6)  # mid-run: namespaces built, peers started
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig != signal.SIGKILL:
        assert proc.returncode == 130, err
        assert "interrupted" in err
    else:
        # A SIGKILLed harness cannot tear down its tracefs instance; the next
        # run removes instances whose harness is gone.
        assert closepath("run", "connection_refused", "--out", tmp_path).returncode == 0
    assert_nothing_left(before)


def test_whole_catalogue_twice_in_parallel(closepath, tmp_path):
    for _ in range(2):
        done = closepath("run", "--all", "-j", closepath.jobs, "--out", tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"^(\d+) passed, 0 failed(, \d+ skipped)?$", done.stdout, re.M)


def test_netem_scenario_is_skipped_with_the_reason_where_netem_is_missing(closepath, tmp_path):
    caps = {c["name"]: c for c in json.loads(closepath("doctor", "--json").stdout)}
    done = closepath("run", "netem_delay", "--out", tmp_path)
    report = json.loads((tmp_path / "netem_delay" / "report.json").read_text())
    if caps["netem"]["present"]:
        assert report["verdict"] in ("pass", "fail")
    else:
        assert done.returncode == 0
        assert report["verdict"] == "skipped"
        assert "needs netem" in report["first_mismatch"] and "SKIP  netem_delay" in done.stdout
        assert re.search(r"^0 passed, 0 failed, 1 skipped$", done.stdout, re.M)


def test_two_harnesses_at_once_never_mix_their_runs(closepath, tmp_path):
    """Each run reserves a client port no other run holds, so kernel events never cross runs."""
    runs = [subprocess.Popen([str(closepath.binary), "run", "--all", "-j", "2", "--out", str(tmp_path / str(i))],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(2)]
    for proc in runs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
