"""What a program run by the scenario is: its user, and everything it starts (a daemon belongs to the run)."""
import json
import os
import pathlib
import pwd
import re
import subprocess
import uuid

import pytest

from test_programs import program, run

DAEMON = pathlib.Path(__file__).parent / "data" / "programs" / "daemon.yaml"


def daemon_scenario(directory, extra=""):
    """daemon.yaml with a sleep of its own length, so that a test finds its own daemon and not
    another test's (xdist runs them side by side); returns the file and a function listing the
    daemon's processes still running."""
    token = f"300.{uuid.uuid4().int % 10**9:09d}"
    scenario = pathlib.Path(directory) / "daemon.yaml"
    text = DAEMON.read_text()
    assert "time.sleep(300)" in text
    scenario.write_text(text.replace("time.sleep(300)", f"time.sleep({token})") + extra)
    return scenario, lambda: subprocess.run(["pgrep", "-f", f"time.sleep.{token}"], capture_output=True,
                                            text=True).stdout.split()


@pytest.mark.parametrize("expected", [False, True])
def test_a_daemon_belongs_to_the_run(closepath, tmp_path, expected):
    """A program that forks, calls setsid and exits leaves a process outside its group: the run finds it,
    fails unless the scenario expects it, and ends it either way."""
    scenario, daemons_running = daemon_scenario(tmp_path, "  left_running: [server]\n" if expected else "")
    done = closepath("run", scenario, "--out", tmp_path / "out")
    assert done.returncode == (0 if expected else 1), done.stdout + done.stderr
    if not expected:
        assert re.search(r"daemon\.yaml:\d+: step 1 \(server exec python3 .*\): the server's program left \d+ process(es)? running "
                         r"after it ended \(exit 0\); closepath ended (it|them)", done.stdout), done.stdout
    program_record = json.loads((tmp_path / "out" / "daemon" / "report.json").read_text())["programs"][0]
    assert program_record["left_running"] >= 1
    assert not daemons_running()


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
    assert [l["text"] for l in program(report, "server")["output"]] == ["nobody", f"HOME={home}"]


def test_an_unknown_user_is_the_scenarios_error(closepath, tmp_path):
    scenario = tmp_path / "as_user.yaml"
    scenario.write_text(USER_SCENARIO.format(user="no-such-user-xyz"))
    done = closepath("run", scenario, "--out", tmp_path)
    assert done.returncode == 2
    assert "as_user.yaml:2: user 'no-such-user-xyz': this machine has no such user" in done.stderr
