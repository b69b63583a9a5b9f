"""Bring your own endpoint: the user's program on one side (examples/)."""
import json
import os
import pathlib
import pwd
import shutil

import pytest

from test_catalogue import tshark_fields

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run(closepath, tmp_path, scenario):
    done = closepath("run", scenario, "--out", tmp_path)
    name = pathlib.Path(scenario).stem
    report = json.loads((tmp_path / name / "report.json").read_text())
    return done, report


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl (apt-get install curl)")
def test_curl_reports_a_reset_as_exit_56(closepath, tmp_path):
    done, report = run(closepath, tmp_path, EXAMPLES / "curl_reset_mid_response.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    program = report["programs"]["client"]
    assert program["ended"] == "exit 56"
    assert any("Connection reset by peer" in line["text"] for line in program["output"])
    assert program["argv"][-1] == "http://10.0.0.2:47000/"  # placeholders substituted
    # The program's connection is traced: the client port range was narrowed to the run's port.
    assert report["states"]["client"]["judged_by"] == "kernel"


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl (apt-get install curl)")
def test_curl_twin_without_the_reset_fails_at_the_programs_exit(closepath, tmp_path):
    twin = tmp_path / "curl_reset_mid_response.yaml"
    twin.write_text((EXAMPLES / "curl_reset_mid_response.yaml").read_text().replace("  - server: set linger 0\n", ""))
    done, report = run(closepath, tmp_path, twin)
    assert done.returncode == 1
    assert "expected the client program to end with 56 vs exit 52" in report["first_mismatch"]


def test_python_server_that_never_closes_fails_naming_its_close_wait(closepath, tmp_path):
    done, report = run(closepath, tmp_path, EXAMPLES / "python_close_wait_leak.yaml")
    assert done.returncode == 1
    assert "the server left a CLOSE_WAIT socket 10.0.0.2:47000" in report["first_mismatch"]
    assert report["programs"]["server"]["ended"] == "killed at teardown"


def test_python_server_that_closes_on_eof_passes(closepath, tmp_path):
    done, report = run(closepath, tmp_path, EXAMPLES / "python_close_on_eof.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [l["text"] for l in report["programs"]["server"]["output"]] == ["listening", "peer closed"]


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


USER_SCENARIO = """name: as_user
user: {user}
steps:
  - server: exec sh -c "id -un; echo HOME=$HOME"
  - server: output ^{user}$
  - server: exit -> 0
  - server: listen
  - client: connect
expect:
  wire: [c>s S, s>c S., c>s .]
"""


def test_user_runs_the_program_as_that_user(closepath, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("as root only: a rootless run maps only its own user")
    scenario = tmp_path / "as_user.yaml"
    scenario.write_text(USER_SCENARIO.format(user="nobody"))
    done, report = run(closepath, tmp_path, scenario)
    assert done.returncode == 0, done.stdout + done.stderr
    home = pwd.getpwnam("nobody").pw_dir
    assert [l["text"] for l in report["programs"]["server"]["output"]] == ["nobody", f"HOME={home}"]


def test_an_unknown_user_is_the_scenarios_error(closepath, tmp_path):
    scenario = tmp_path / "as_user.yaml"
    scenario.write_text(USER_SCENARIO.format(user="no-such-user-xyz"))
    done = closepath("run", scenario, "--out", tmp_path)
    assert done.returncode == 2
    assert "as_user.yaml:2: user 'no-such-user-xyz': this machine has no such user" in done.stderr


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

