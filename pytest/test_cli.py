"""The command line: bad input, listing, doctor, and that no run leaves
anything behind on the host, whether it passes, fails or is interrupted."""
import json
import os
import pathlib
import re
import shutil
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
    ("bad_family", "tags: [rst]", "tags: [rst]\nfamily: ipx", r"^{f}:\d+: family is ipv4 or ipv6, not 'ipx'"),
    ("bad_outcome_time", "-> ECONNRESET", "-> ECONNRESET at 1s..2s",
     r"^{f}:\d+: an outcome's time reads 'at LOW\.\.HIGH after step N'"),
    ("bad_outcome_window", "-> ECONNRESET", "-> ECONNRESET at 1s after step 2",
     r"^{f}:\d+: a time window reads LOW\.\.HIGH, e\.g\. 0\.8s\.\.1\.5s, got '1s'"),
    ("outcome_time_no_step", "-> ECONNRESET", "-> ECONNRESET at 1s..2s after step 99",
     r"^{f}:\d+: 'after step 99' names a step the scenario does not have"),
    ("destroy_in_background", "  - client: close", "  - client: destroy &", r"^{f}:\d+: 'destroy' is immediate"),
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
    done = closepath("run", "no_such_scenario", "--scenarios", closepath.catalogue)
    assert done.returncode == 2 and "no scenario named 'no_such_scenario'" in done.stderr


def test_usage_errors_exit_2(closepath):
    assert closepath("run").returncode == 2
    assert closepath("frobnicate").returncode == 2
    assert closepath("run", "linger_zero", "-j", "0", "--scenarios", closepath.catalogue).returncode == 2


def test_list_json_names_the_catalogue(closepath):
    names = {s["name"] for s in closepath.scenarios()}
    assert {"graceful_fin", "half_close", "linger_zero", "rst_on_unread_close", "write_after_peer_close",
            "connection_refused"} <= names
    assert all(s["claim"] for s in closepath.scenarios())


def test_doctor_reports_each_capability(closepath):
    done = closepath("doctor", "--json")
    caps = {c["name"]: c for c in json.loads(done.stdout)}
    assert {"privileges", "network namespaces", "veth", "libpcap", "nftables", "tracefs", "netem",
            "peer go", "peer python", "peer asyncio"} <= caps.keys()
    assert done.returncode == (0 if all(c["present"] for c in caps.values() if c["required"]) else 3)
    for c in caps.values():
        assert c["needed_for"] and (c["present"] or c["how_to_get"])


# --- nothing left behind -------------------------------------------------
#
# Worker-aware (pytest-xdist): other workers' runs come and go meanwhile, so
# these tests do not compare host-wide counts. The harness under test is
# started with a tag in its environment, which everything it starts inherits
# (peers, -j children); what it leaves is then: a process carrying the tag
# (and so any namespace such a process holds), a tracefs instance whose
# harness is gone, a link in the host's own namespace. They run on one worker,
# one after another (xdist_group), as only they kill harnesses outright.

LEAVES_NOTHING = pytest.mark.xdist_group("leaves-nothing")


def tagged():
    """An environment carrying a tag of its own, and the tag."""
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    return {**os.environ, "CLOSEPATH_TEST_TAG": tag}, tag


def processes_tagged(tag):
    marker = f"CLOSEPATH_TEST_TAG={tag}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    found.append(f"{pid} ({pathlib.Path(f'/proc/{pid}/cmdline').read_bytes().split(bytes(1))[0].decode()})")
        except OSError:
            pass  # gone meanwhile, or a kernel thread
    return found


def host_links():
    return subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout.count("\n")


def stale_tracefs_instances():
    """closepath's tracefs instances (global kernel objects) whose harness is gone, seen through a private mount."""
    listing = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         "mount -t tracefs nodev /sys/kernel/tracing && ls /sys/kernel/tracing/instances"],
        capture_output=True, text=True)
    names = [name for name in listing.stdout.split() if name.startswith("closepath-")]
    return sorted(n for n in names if not pathlib.Path(f"/proc/{n.split('-')[1]}").exists())


def assert_nothing_left(tag, links_before, within=5):
    deadline = time.time() + within
    while True:
        left = processes_tagged(tag), host_links(), stale_tracefs_instances()
        if not left[0] and left[1] == links_before and not left[2]:
            return
        if time.time() > deadline:
            raise AssertionError(f"left behind: processes {left[0]} (and the namespaces they hold), "
                                 f"host links {links_before} -> {left[1]}, tracefs instances {left[2]}")
        time.sleep(0.1)


def test_the_leftover_check_sees_what_a_harness_leaves(tmp_path):
    """Not vacuous: a process started under the tag is seen until it ends."""
    env, tag = tagged()
    sleeper = subprocess.Popen(["sleep", "30"], env=env)
    try:
        # Until it execs, the child's /proc environ is still its parent's copy.
        deadline = time.time() + 5
        while not processes_tagged(tag) and time.time() < deadline:
            time.sleep(0.01)
        assert processes_tagged(tag)
        with pytest.raises(AssertionError, match="left behind: processes"):
            assert_nothing_left(tag, host_links(), within=0.3)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert_nothing_left(tag, host_links())


@LEAVES_NOTHING
def test_passing_run_leaves_nothing(closepath, tmp_path):
    env, tag = tagged()
    links = host_links()
    assert closepath("run", "graceful_fin", "--scenarios", closepath.catalogue, "--out", tmp_path, env=env).returncode == 0
    assert_nothing_left(tag, links)


@LEAVES_NOTHING
def test_failing_run_leaves_nothing(closepath, tmp_path):
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("  - client: set linger 0\n", ""))
    env, tag = tagged()
    links = host_links()
    assert closepath("run", variant, "--out", tmp_path, env=env).returncode == 1
    assert_nothing_left(tag, links)


@LEAVES_NOTHING
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_run_leaves_nothing(closepath, tmp_path, sig, jobs):
    env, tag = tagged()
    links = host_links()
    proc = subprocess.Popen([str(closepath.binary), "run", "--all", "--scenarios", str(closepath.catalogue), "-j", jobs,
                             "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(0.6)  # mid-run: namespaces built, peers started
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig != signal.SIGKILL:
        assert proc.returncode == 130, err
        assert "interrupted" in err
    else:
        # A SIGKILLed harness cannot tear down its tracefs instance; the next
        # run removes instances whose harness is gone.
        assert closepath("run", "connection_refused", "--scenarios", closepath.catalogue, "--out", tmp_path).returncode == 0
    assert_nothing_left(tag, links)


def test_whole_catalogue_twice_in_parallel(closepath, tmp_path):
    for _ in range(2):
        done = closepath("run", "--all", "--scenarios", closepath.catalogue, "-j", closepath.jobs, "--out", tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"^(\d+) passed, 0 failed(, \d+ skipped)?$", done.stdout, re.M)


def test_netem_scenario_is_skipped_with_the_reason_where_netem_is_missing(closepath, tmp_path):
    caps = {c["name"]: c for c in json.loads(closepath("doctor", "--json").stdout)}
    done = closepath("run", "netem_delay", "--scenarios", closepath.catalogue, "--out", tmp_path)
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
    runs = [subprocess.Popen([str(closepath.binary), "run", "--all", "--scenarios", str(closepath.catalogue), "-j", "2",
                              "--out", str(tmp_path / str(i))],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(2)]
    for proc in runs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out


# --- a new user's first hour ----------------------------------------------

def test_every_run_gets_its_own_directory(closepath, tmp_path):
    """Named three times at -j 2: three runs, three directories, none written twice."""
    linger = closepath.catalogue / "linger_zero.yaml"
    done = closepath("run", "-j", "2", linger, linger, linger, "--out", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    reports = sorted(tmp_path.glob("linger_zero/*/report.json"))
    assert [r.parent.name for r in reports] == ["1", "2", "3"]
    assert len({json.loads(r.read_text())["client_port"] for r in reports}) == 3
    captures = [line.split()[-1] for line in done.stdout.splitlines() if line.startswith("PASS")]
    assert len(set(captures)) == 3, done.stdout


def test_a_misspelt_sysctl_is_a_scenario_error(closepath, tmp_path):
    text = (closepath.catalogue / "fin_wait2_close_wait_leak.yaml").read_text()
    bad = tmp_path / "typo.yaml"
    bad.write_text(text.replace("tcp_fin_timeout", "tcp_fin_timout"))
    line = next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if "net.ipv4.tcp_fin_timout:" in l)
    done = closepath("run", bad, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip() == (f"{bad}:{line}: unknown sysctl 'net.ipv4.tcp_fin_timout': this kernel has no "
                                   "/proc/sys/net/ipv4/tcp_fin_timout (did you mean net.ipv4.tcp_fin_timeout?)")
    assert not (tmp_path / "out").exists(), "nothing may run, or even be created"


def test_check_names_the_connection_and_refuses_a_client_it_cannot_find(closepath, tmp_path):
    assert closepath("run", closepath.catalogue / "graceful_fin.yaml", "--out", tmp_path).returncode == 0
    capture = tmp_path / "graceful_fin" / "capture.pcapng"
    scenario = closepath.catalogue / "graceful_fin.yaml"
    ok = closepath("check", capture, "--scenario", scenario, "--client", "10.0.0.1")
    assert ok.returncode == 0 and re.search(r"client 10\.0\.0\.1:\d+ -> server 10\.0\.0\.2:47000", ok.stdout), ok.stdout
    missing = closepath("check", capture, "--scenario", scenario, "--client", "10.9.9.9")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith(f"{capture}: --client 10.9.9.9 matches no connection in the capture; it holds:")
    assert re.search(r"^  client 10\.0\.0\.1:\d+ -> server 10\.0\.0\.2:47000 \(11 packets\)$", missing.stderr, re.M)
    garbage = closepath("check", capture, "--scenario", scenario, "--client", "garbage")
    assert garbage.returncode == 2 and "'garbage' is not an address" in garbage.stderr
    shown = closepath("show", capture, "--client", "10.0.0.9:1")
    assert shown.returncode == 2 and "matches no connection" in shown.stderr


def run_on_a_terminal(closepath, args, env):
    """closepath's stdout on a pseudo-terminal, as a user at a shell sees it."""
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(closepath.binary), *map(str, args)], stdout=slave, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    os.close(master)
    return output.decode(errors="replace")


@pytest.mark.parametrize("no_color,coloured", [(None, True), ("", True), ("1", False)],
                         ids=["unset", "empty", "set"])
def test_no_color_only_when_set_and_not_empty(closepath, tmp_path, no_color, coloured):
    """no-color.org: NO_COLOR turns colour off when present and not empty."""
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("  - client: set linger 0\n", ""))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    output = run_on_a_terminal(closepath, ["run", variant, "--out", tmp_path / "out"], env)
    assert "FAIL  linger_zero" in output
    assert ("\x1b[31m" in output) == coloured, repr(output[-500:])


@pytest.mark.parametrize("pinned,flag,family", [("", [], "ipv4"), ("", ["--ipv6"], "ipv6"),
                                                 ("family: ipv6", [], "ipv6"), ("family: ipv4", ["--ipv6"], "ipv4")])
def test_a_pinned_family_wins_over_the_run_s(closepath, tmp_path, pinned, flag, family):
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("tags: [rst]\n", f"tags: [rst]\n{pinned}\n"))
    done = closepath("run", variant, "--out", tmp_path, *flag)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "linger_zero" / "report.json").read_text())
    assert report["family"] == family
    assert report["addresses"]["client"] == ("fd00::1" if family == "ipv6" else "10.0.0.1")


def test_a_step_an_earlier_failure_made_impossible_is_not_run(closepath, tmp_path):
    """The failed handshake is the first mismatch (exit 1, not a host error); the close_notify that
    needed its session is reported as not run, with why."""
    scenario = pathlib.Path(__file__).parent / "data" / "steps" / "close_notify_after_failed_handshake.yaml"
    done = closepath("run", scenario, "--out", tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"close_notify_after_failed_handshake\.yaml:\d+: step 5 \(client tls handshake within 500ms\): "
                     r"expected ok vs actual operation_aborted", done.stdout), done.stdout
    report = json.loads((tmp_path / "close_notify_after_failed_handshake" / "report.json").read_text())
    notify = report["steps"][5]
    assert notify["ran"] is False and notify["ok"] is False
    assert notify["mismatch"] == ("not run: step 5 (client tls handshake within 500ms) ended operation_aborted, "
                                  "so the client has no TLS session")


def test_connect_again_after_a_refused_connect(closepath, tmp_path):
    """No 'Already open' and no cascade: the second connect gets a new socket and succeeds."""
    scenario = pathlib.Path(__file__).parent / "data" / "steps" / "connect_again_after_refused.yaml"
    done = closepath("run", scenario, "--out", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_fault_that_touched_nothing_fails_at_its_line(closepath, tmp_path):
    """The client never sends data: a drop of its data drops nothing, and that fails the run."""
    done = closepath("run", pathlib.Path(__file__).parent / "data" / "steps" / "drop_touches_nothing.yaml", "--out", tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"drop_touches_nothing\.yaml:\d+: step 4 \(wire drop c>s P\. count 1\): expected to drop 1 packet vs "
                     r"dropped 0", done.stdout), done.stdout
    step = json.loads((tmp_path / "drop_touches_nothing" / "report.json").read_text())["steps"][3]
    assert step["outcome"]["touched"] == 0 and step["ok"] is False
    assert "(dropped 0 packets)" in (tmp_path / "drop_touches_nothing" / "ladder.txt").read_text()


def test_a_failed_run_keeps_the_timings_it_measured(closepath, tmp_path):
    """A 2 s keepalive interval fails the 1 s window: the report still holds what was measured."""
    text = (ROOT / "scenarios" / "keepalive_timeout.yaml").read_text()
    variant = tmp_path / "keepalive_timeout.yaml"
    variant.write_text(text.replace("  - client: set keepintvl 1\n", "  - client: set keepintvl 2\n"))
    done = closepath("run", variant, "--out", tmp_path / "out")
    assert done.returncode == 1, done.stdout + done.stderr
    timings = json.loads((tmp_path / "out" / "keepalive_timeout" / "report.json").read_text())["timings"]
    assert any(t["measured_ms"] > 1500 for t in timings), timings  # the window it missed, as measured


def test_an_out_of_tree_build_finds_the_checkout_it_runs_from(closepath, tmp_path):
    """A binary built outside the checkout (cmake -B ../elsewhere), run from the checkout's root."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("closepath", "closepath-peer"):
        shutil.copy2(closepath.binary.parent / name, elsewhere / name)
    done = subprocess.run([str(elsewhere / "closepath"), "list"], cwd=ROOT, capture_output=True, text=True, timeout=30,
                          env={k: v for k, v in os.environ.items() if k != "CLOSEPATH_SCENARIOS"})
    assert done.returncode == 0, done.stderr
    assert "linger_zero" in done.stdout

