"""Bring your own endpoint: the user's program on one side (examples/)."""
import json
import os
import pathlib
import re
import shutil

import pytest

from test_catalogue import tshark_fields

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run(closepath, tmp_path, scenario):
    done = closepath("run", scenario, "--out", tmp_path)
    name = pathlib.Path(scenario).stem
    report = json.loads((tmp_path / name / "report.json").read_text())
    return done, report


def run_all(closepath, out, directory, *extra):
    """Every example of a directory in one run of closepath (-j: they wait on their programs' timers)."""
    done = closepath("run", *sorted(directory.glob("*.yaml")), "--out", out, "-j", closepath.jobs, *extra, timeout=900)
    return done, {path.parent.name: json.loads(path.read_text()) for path in out.glob("*/report.json")}


@pytest.fixture(scope="module")
def examples(closepath, tmp_path_factory):
    """The examples that must pass."""
    return run_all(closepath, tmp_path_factory.mktemp("examples"), EXAMPLES)


@pytest.fixture(scope="module")
def broken(closepath, tmp_path_factory):
    """Their broken twins, each of which must fail at the user's program."""
    return run_all(closepath, tmp_path_factory.mktemp("broken"), EXAMPLES / "broken")


@pytest.fixture(scope="module")
def examples_ipv6(closepath, tmp_path_factory):
    """The examples again with --ipv6: those that pin no family run over IPv6."""
    return run_all(closepath, tmp_path_factory.mktemp("examples6"), EXAMPLES, "--ipv6")


def program(report, side):
    """The last program a side ran."""
    return [p for p in report["programs"] if p["side"] == side][-1]


def needs(tool):
    return pytest.mark.skipif(not shutil.which(tool), reason=f"needs {tool} (tools/bootstrap.sh installs it)")


@needs("curl")
def test_curl_reports_a_reset_as_exit_56(examples):
    done, reports = examples
    report = reports["curl_reset_mid_response"]
    assert report["verdict"] == "pass", report.get("first_mismatch")
    client = program(report, "client")
    assert client["ended"] == "exit 56"
    assert any("Connection reset by peer" in line["text"] for line in client["output"])
    assert client["argv"][-1] == "http://10.0.0.2:47000/"  # placeholders substituted
    # The program's connection is traced: the client port range was narrowed to the run's port.
    assert report["states"]["client"]["judged_by"] == "kernel"


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_a_dual_stack_server_is_judged_as_its_connection(examples, examples_ipv6, family):
    """One listener on [::] without IPV6_V6ONLY: over IPv4 its connection is an IPv4-mapped socket,
    which the kernel trace and the audit must see as the IPv4 connection it is."""
    report = (examples if family == "ipv4" else examples_ipv6)[1]["python_dual_stack_server"]
    assert report["verdict"] == "pass", report.get("first_mismatch")
    assert report["family"] == family
    server = report["states"]["server"]
    if os.geteuid() == 0:
        assert server["judged_by"] == "kernel" and server["agree"], server
        assert server["kernel"] == ["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"]
    # The signal step ended it: it would have slept on.
    assert program(report, "server")["ended"] == "signal TERM"


def test_exit_waits_for_the_program_and_fails_when_no_signal_ends_it(closepath, tmp_path):
    """Without its signal step the example's server sleeps on: the exit step says so at its line."""
    text = (EXAMPLES / "python_dual_stack_server.yaml").read_text()
    assert "  - server: signal TERM\n" in text
    variant = tmp_path / "no_signal.yaml"
    variant.write_text(text.replace("  - server: signal TERM\n", ""))
    done = closepath("run", variant, "--out", tmp_path / "out")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"no_signal\.yaml:\d+: step \d+ \(server exit -> TERM within 2s\): expected the server program to end "
                     r"within 2000 ms vs still running", done.stdout), done.stdout


def test_ready_counts_only_a_listener_of_the_runs_family(closepath, tmp_path):
    """An IPv4-only listener in an IPv6 run is not ready, and the failure says which socket is there."""
    done = closepath("run", pathlib.Path(__file__).parent / "data" / "programs" / "ready_wrong_family.yaml", "--out", tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"ready_wrong_family\.yaml:\d+: step 2 \(server ready within 2s\): expected a socket listening on port "
                     r"\d+ for IPv6 in the server's namespace within 2000 ms vs one on 0\.0\.0\.0:\d+, which takes IPv4 only",
                     done.stdout), done.stdout


def test_python_server_that_closes_on_eof_passes(examples):
    report = examples[1]["python_close_on_eof"]
    assert report["verdict"] == "pass", report.get("first_mismatch")
    assert [l["text"] for l in program(report, "server")["output"]] == ["listening", "peer closed"]


def test_the_scripted_client_speaks_http_and_the_report_shows_the_answer(examples, closepath, tmp_path):
    """Chosen bytes to a real server, its answer checked by text and shown in report.json as it came."""
    report = examples[1]["python_http_server_closes"]
    assert report["verdict"] == "pass", report.get("first_mismatch")
    header = next(s for s in report["steps"] if s["text"].startswith("client recv until"))
    assert header["outcome"]["received"].startswith('"HTTP/1.0 404 ') and header["outcome"]["received"].endswith('\\r\\n\\r\\n"')
    assert header["expect"]["texts"] == ['"HTTP/1.0 404 "', '"Connection: close\\r\\n"']
    # A text the answer does not hold fails the step, naming what came; check of the capture says the same.
    source = (EXAMPLES / "python_http_server_closes.yaml").read_text()
    variant = tmp_path / "python_http_server_closes.yaml"
    variant.write_text(source.replace('"HTTP/1.0 404 "', '"HTTP/1.0 200 "', 1).replace("{dir}", str(EXAMPLES)))
    run = closepath("run", variant, "--out", tmp_path / "out")
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r'step 5 \(client recv until .*\): expected the bytes read to hold "HTTP/1\.0 200 " vs actual '
                     r'"HTTP/1\.0 404 File not found\\r\\n.*" \(\d+ bytes\)', run.stdout), run.stdout
    checked = closepath("check", tmp_path / "out" / "python_http_server_closes" / "capture.pcapng", "--scenario", variant, "--json")
    live = json.loads((tmp_path / "out" / "python_http_server_closes" / "report.json").read_text())["first_mismatch"]
    assert json.loads(checked.stdout)["first_mismatch"] == live


@pytest.mark.parametrize("old, new, message", [
    # when a line came is judged like a packet's time
    ("at 0ms..2s after step 4", "at 1s..2s after step 4",
     r"step 7 \(server output code 404, message File not found at 1s\.\.2s after step 4\): expected the server program's "
     r"line at 1s\.\.2s after step 4 vs actual at [\d.]+m?s"),
    # `running` fails once the program has ended
    ("  - server: running\n", "  - server: signal KILL\n  - server: exit -> KILL\n  - server: running\n",
     r"step 12 \(server running\): expected the server program to be running vs it had ended \(signal KILL\)"),
])
def test_program_steps_are_timed_and_running_is_checked(closepath, tmp_path, old, new, message):
    source = (EXAMPLES / "python_http_server_closes.yaml").read_text()
    assert old in source
    variant = tmp_path / "python_http_server_closes.yaml"
    variant.write_text(source.replace(old, new, 1).replace("{dir}", str(EXAMPLES)))
    run = closepath("run", variant, "--out", tmp_path / "out")
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(message, run.stdout), run.stdout
    checked = closepath("check", tmp_path / "out" / "python_http_server_closes" / "capture.pcapng", "--scenario", variant, "--json")
    live = json.loads((tmp_path / "out" / "python_http_server_closes" / "report.json").read_text())["first_mismatch"]
    assert json.loads(checked.stdout)["first_mismatch"] == live


EMPTY_WIRE = """\
# Claim: a client that never connects puts nothing on the wire.
name: no_wire
summary: a program that never connects
steps:
  - server: listen
  - client: {client}
  - client: exit -> 0 within 2s
expect:
  wire: []
"""


@pytest.mark.parametrize("client, code, said", [
    ("exec true", 0, r"PASS .*no TCP packet"),
    # a client that connects breaks the expectation at its first frame
    ("exec python3 -c \"import socket; socket.create_connection(('{server}', {port})).close()\"", 1,
     r"no_wire\.yaml:\d+: wire: frame 1 \(c>s S seq 0 len 0\): not expected \(the pattern list ends before it"),
])
def test_an_empty_wire_list_expects_no_packet_at_all(closepath, tmp_path, client, code, said):
    scenario = tmp_path / "no_wire.yaml"
    scenario.write_text(EMPTY_WIRE.replace("{client}", client))
    done = closepath("run", scenario, "--out", tmp_path / "out")
    assert done.returncode == code, done.stdout + done.stderr
    checked = closepath("check", tmp_path / "out" / "no_wire" / "capture.pcapng", "--scenario", scenario)
    assert checked.returncode == code, checked.stdout + checked.stderr
    assert re.search(said, done.stdout + checked.stdout), done.stdout + checked.stdout


WORLD = r"""
# Claim: a side's programs start with the environment, directory, stdin and files programs: gives them.
name: world
summary: env, cwd, stdin, a rendered file and the run's credentials
programs:
  client:
    env: {GREETING: "hello {family}", LANG: C}
    cwd: "{out}"
    stdin: "{dir}/input.txt"
    render: ["{dir}/site.conf"]
steps:
  - client: exec printenv GREETING
  - client: output ^hello [46]$
  - client: exit -> 0 within 2s
  - client: exec pwd
  - client: output /world$
  - client: exit -> 0
  - client: exec cat
  - client: output ^from stdin$
  - client: exit -> 0
  - client: exec cat site.conf
  - client: output ^listen (10\.0\.0\.2|\[fd00::2\]):47000;$
  - client: output ^server \{ root /srv; \}$
  - client: exit -> 0
  - client: exec openssl verify -CAfile {ca} {cert}
  - client: output cert\.pem. OK$
  - client: exit -> 0
expect:
  wire: []
"""


@needs("openssl")
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_a_programs_world_is_what_the_scenario_says(closepath, tmp_path, family):
    (tmp_path / "world.yaml").write_text(WORLD)
    (tmp_path / "input.txt").write_text("from stdin\n")
    (tmp_path / "site.conf").write_text("listen {server_host}:{port};\nserver { root /srv; }\n")
    done = closepath("run", tmp_path / "world.yaml", "--out", tmp_path / "out", *(["--ipv6"] if family == "ipv6" else []))
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "out" / "world"
    assert (out / "site.conf").read_text().startswith("listen 10.0.0.2:47000;" if family == "ipv4" else "listen [fd00::2]:47000;")
    assert (out / "key.pem").stat().st_mode & 0o077 == 0, "the run's private key is its owner's alone"
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "pass"


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("name", [pytest.param("heartbeat_go_blackholed_client", marks=needs("go")),
                                  "heartbeat_py_blackholed_client"])
def test_a_heartbeat_notices_a_blackholed_client_within_its_interval(examples, examples_ipv6, name, family):
    report = (examples if family == "ipv4" else examples_ipv6)[1][name]
    assert report["verdict"] == "pass", report.get("first_mismatch")
    server = program(report, "server")
    assert server["ended"] == "exit 3"
    said = [l for l in server["output"] if l["text"].startswith("no heartbeat")]
    last_beat = [l for l in server["output"] if l["text"].startswith("heartbeat")][-1]
    # two 500 ms intervals of silence, not the kernel's minutes: a generous window
    assert 900 <= said[0]["ms"] - last_beat["ms"] <= 3000
    # Its FIN went into the blackhole: the server is left in FIN_WAIT1.
    assert report["states"]["server"]["inferred"][-1] == "FIN_WAIT1"
    if os.geteuid() == 0:
        assert report["states"]["server"]["kernel"][-1] == "FIN_WAIT1"
    if name.startswith("heartbeat_go"):
        # Go's usual ":port" is one dual-stack socket on [::]: over IPv4 its connection is IPv4-mapped,
        # and the kernel's trace and audit follow it as the IPv4 connection it is.
        assert server["argv"][server["argv"].index("-listen") + 1] == ":47000"
        if os.geteuid() == 0:
            assert report["states"]["server"]["judged_by"] == "kernel" and report["states"]["server"]["agree"]


def test_every_example_passes(examples):
    done, reports = examples
    failed = {n: r.get("first_mismatch") for n, r in reports.items()
              if r["verdict"] != "pass" and all(shutil.which(t) for t in programs_of(n))}
    assert not failed and len(reports) == len(list(EXAMPLES.glob("*.yaml"))), done.stdout + done.stderr


BROKEN = {
    "curl_no_reset": ("client: exit -> 56", "expected the client program to end with 56 vs exit 52"),
    "python_close_wait_leak": ("leftovers", "the server left a CLOSE_WAIT socket 10.0.0.2:47000"),
    "heartbeat_go_no_deadline": ("server: output no heartbeat",
                                 "expected the server program to print a line matching /no heartbeat for 1s/"),
    "heartbeat_py_no_deadline": ("server: output no heartbeat",
                                 "expected the server program to print a line matching /no heartbeat for 1s/"),
    "python_http_server_keep_alive": ("client: recv within 1s -> operation_aborted",
                                      "expected operation_aborted vs actual eof (0 bytes)"),
    "openssl_s_client_bare_fin_is_clean": ("client: exit -> 0", "expected the client program to end with 0 vs exit 1"),
    "openssl_s_client_stdin_eof": ("client: output ^hello$", "vs the program ended (exit 0) before printing one"),
    "openssl_s_server_one_accept": ("server: exit -> 1", "expected the server program to end with 1 vs exit 0"),
    "nginx_default_keep_alive": ("client: recv within 2500ms -> eof", "expected eof vs actual operation_aborted"),
    "redis_server_no_timeout": ("client: recv within 3500ms -> eof", "expected eof vs actual operation_aborted"),
    "redis_cli_fin_mid_command": ("client: output Error. Connection reset by peer",
                                  "its last line 'Error: Server closed the connection'"),
    "socat_reset_is_an_error": ("client: exit -> 1", "expected the client program to end with 1 vs exit 0"),
}


# The Debian programs an example runs, by the words of its name (python3 is closepath's own need).
PROGRAMS = {"_go_": "go", "curl": "curl", "openssl": "openssl", "redis_server": "redis-server", "redis_cli": "redis-cli",
            "nginx": "nginx", "socat": "socat"}


def programs_of(name):
    return [tool for word, tool in PROGRAMS.items() if word in name]


def with_its_program(name):
    """The twin, skipped with the reason where this machine lacks the program it runs."""
    tools = programs_of(name)
    return pytest.param(name, marks=[needs(t) for t in tools]) if tools else name


@pytest.mark.parametrize("name", [with_its_program(n) for n in BROKEN])
def test_each_broken_twin_fails_at_the_users_program(broken, name):
    """The first mismatch names the program's step (or its leftover socket), nothing else."""
    done, reports = broken
    assert sorted(BROKEN) == sorted(p.stem for p in (EXAMPLES / "broken").glob("*.yaml"))
    report = reports[name]
    step_text, message = BROKEN[name]
    assert report["verdict"] == "fail", report.get("first_mismatch")
    assert message in report["first_mismatch"]
    line = int(report["first_mismatch"].split(":")[1])
    source = (EXAMPLES / "broken" / f"{name}.yaml").read_text().splitlines()
    assert step_text in source[line - 1] or line == 1 and step_text == "leftovers"


@pytest.mark.parametrize("name", [with_its_program(n) for n in sorted(BROKEN)])
def test_check_of_a_broken_twins_capture_gives_its_live_verdict(closepath, broken, name):
    """The run facts carry every step's and program's outcome: check of the capture fails where the run did."""
    report = broken[1][name]
    checked = closepath("check", report["capture"], "--scenario", report["file"], "--json")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["first_mismatch"] == report["first_mismatch"]


@pytest.mark.parametrize("step, message", [
    ("client: exec", "exec needs a program"),
    ("client: exec sh -c 'echo", "unterminated ' quote"),
    ("client: exit -> 300", "an exit code is 0 to 255"),
    ("client: signal STOP", "signal takes TERM, INT, HUP, KILL or USR1"),
    ("server: ready", "no program runs on this side yet"),
    ("client: output (", "bad regular expression"),
])
def test_bad_program_steps_name_file_and_line(closepath, tmp_path, step, message):
    scenario = tmp_path / "bad.yaml"
    prefix = "  - client: exec true\n" if not step.startswith("client: exec") else ""
    scenario.write_text(f"name: bad\nsteps:\n{prefix}  - {step}\nexpect:\n  wire: [c>s S]\n")
    done = closepath("run", scenario, "--out", tmp_path)
    assert done.returncode == 2
    line = 4 if prefix else 3
    assert f"bad.yaml:{line}:" in done.stderr and message in done.stderr, done.stderr


def test_a_program_that_cannot_start_is_an_error_naming_it(closepath, tmp_path):
    scenario = tmp_path / "missing.yaml"
    scenario.write_text("name: missing\nsteps:\n  - client: exec no-such-program-xyz\nexpect:\n  wire: [c>s S]\n")
    done = closepath("run", scenario, "--out", tmp_path)
    assert done.returncode != 0
    assert "cannot run 'no-such-program-xyz'" in done.stdout + done.stderr


def test_program_output_is_in_the_ladder_and_the_capture(closepath, tmp_path):
    if not shutil.which("curl"):
        pytest.skip("needs curl (apt-get install curl)")
    done = closepath("run", EXAMPLES / "curl_reset_mid_response.yaml", "--out", tmp_path, "--ladder")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2> curl: (56) Recv failure: Connection reset by peer" in done.stdout
    capture = tmp_path / "curl_reset_mid_response" / "capture.pcapng"
    # The program's line is on a frame; `check` reads the comments back and
    # the line does not change what the wire is said to have done.
    comments = [row[0] for row in tshark_fields(capture, "frame.comment")]
    said = [c for c in comments if "the client program printed (stderr) 'curl: (56)" in c]
    assert len(said) == 1 and " this frame" in said[0]
    checked = closepath("check", capture, "--scenario", EXAMPLES / "curl_reset_mid_response.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_examples_pass_over_ipv6_unless_they_pin_ipv4(examples_ipv6):
    """{server_host} brackets an IPv6 address for URLs and host:port; a program that speaks IPv4 only says so (family: ipv4)."""
    done, reports = examples_ipv6
    for name, report in reports.items():
        if any(not shutil.which(tool) for tool in programs_of(name)):
            continue  # its program is missing here: its own tests say so, skipped
        assert report["verdict"] == "pass", f"{name}: {report.get('first_mismatch')}"
        pinned = "family: ipv4" in (EXAMPLES / f"{name}.yaml").read_text()
        assert report["family"] == ("ipv4" if pinned else "ipv6"), name
    if "curl_reset_mid_response" in reports and shutil.which("curl"):
        assert program(reports["curl_reset_mid_response"], "client")["argv"][-1] == "http://[fd00::2]:47000/"


def test_output_ends_when_the_program_has_ended(closepath, tmp_path):
    done = closepath("run", pathlib.Path(__file__).parent / "data" / "programs" / "output_after_exit.yaml", "--out", tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"output_after_exit\.yaml:\d+: step 2 \(server output goodbye within 30s\): expected the server program "
                     r"to print a line matching /goodbye/ vs the program ended \(exit 0\) before printing one, its last line "
                     r"'hello'", done.stdout), done.stdout
    step = json.loads((tmp_path / "output_after_exit" / "report.json").read_text())["steps"][1]["outcome"]
    assert step["end_ms"] - step["start_ms"] < 20_000  # not its 30 s: it ended with the program
