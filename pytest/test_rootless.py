"""An ordinary user runs scenarios without sudo: closepath enters a user
namespace of its own, and states come from the capture (the report says so)."""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from test_program_scope import daemon_scenario

NOBODY = 65534


def as_nobody(closepath, *args):
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           str(closepath.binary), *map(str, args)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture
def shared_dir():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to become an ordinary user (setpriv)")
    out = pathlib.Path(tempfile.mkdtemp(prefix="closepath-rootless-"))  # /tmp: reachable by nobody
    out.chmod(0o777)
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture
def userns(closepath, shared_dir):
    caps = {c["name"]: c for c in json.loads(as_nobody(closepath, "doctor", "--json").stdout)}
    if not caps["user namespaces"]["present"]:
        pytest.skip("this host refuses unprivileged user namespaces: " + caps["user namespaces"]["detail"])


def test_catalogue_runs_rootless(closepath, shared_dir, userns):
    done = as_nobody(closepath, "run", "--all", "--scenarios", closepath.catalogue, "-j", closepath.jobs, "--out", shared_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    for report in shared_dir.glob("*/report.json"):
        data = json.loads(report.read_text())
        if data["verdict"] == "skipped":
            continue
        assert data["verdict"] == "pass", report
        assert data["states"]["client"]["judged_by"] == "capture"
        assert "rootless" in data["states"]["kernel_unavailable"]


def test_doctor_as_an_ordinary_user(closepath, shared_dir, userns):
    caps = {c["name"]: c for c in json.loads(as_nobody(closepath, "doctor", "--json").stdout)}
    assert caps["privileges"]["present"] and "rootless" in caps["privileges"]["detail"]
    assert caps["network namespaces"]["present"] and caps["veth"]["present"]


@pytest.mark.parametrize("name", ["close_after_shutdown", "fin_behind_data", "rst_in_close_wait"])
def test_root_and_rootless_give_the_same_verdict(closepath, shared_dir, userns, name):
    """The state cases reconciled as root pass rootless too, with the same states."""
    scenario = shared_dir / f"{name}.yaml"
    scenario.write_text((pathlib.Path(__file__).parent / "data" / "states" / f"{name}.yaml").read_text())
    done = as_nobody(closepath, "run", scenario, "--out", shared_dir / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    client = json.loads((shared_dir / "out" / name / "report.json").read_text())["states"]["client"]
    assert client["judged_by"] == "capture"


def test_user_key_is_refused_rootless_with_the_reason(closepath, shared_dir, userns):
    """A rootless run maps only the invoking user: `user:` cannot be honoured. Refused when the file
    is read (exit 2, at its line), before anything runs."""
    scenario = shared_dir / "as_user.yaml"
    scenario.write_text("name: as_user\nuser: root\nsteps:\n  - server: exec true\n  - server: exit -> 0\n"
                        "  - server: listen\n  - client: connect\nexpect:\n  wire: [c>s S, s>c S., c>s .]\n")
    done = as_nobody(closepath, "run", scenario, "--out", shared_dir / "refused")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{scenario}:2: user 'root': " in done.stderr and "rootless" in done.stderr, done.stderr
    assert not (shared_dir / "refused" / "as_user").exists()  # nothing ran


def test_a_daemon_is_ended_rootless_too(closepath, shared_dir, userns):
    """Rootless, no cgroup is ours to make: the run ends every process left in the program's namespace."""
    scenario, daemons_running = daemon_scenario(shared_dir)
    done = as_nobody(closepath, "run", scenario, "--out", shared_dir / "daemon_out")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the server's program left" in done.stdout
    assert not daemons_running()


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_the_examples_run_rootless(closepath, shared_dir, userns, family):
    """The user's programs on either side, as an ordinary user: each example whose program this
    machine has (Go's build wants a cache of its own, so those run as root only)."""
    examples = pathlib.Path(__file__).resolve().parent.parent / "examples"
    shutil.copytree(examples, shared_dir / "examples")
    for path in (shared_dir / "examples").rglob("*"):
        path.chmod(0o777 if path.is_dir() else 0o644)
    tools = {"curl": "curl", "openssl": "openssl", "redis_server": "redis-server", "redis_cli": "redis-cli",
             "nginx": "nginx", "socat": "socat"}
    chosen = [p for p in sorted((shared_dir / "examples").glob("*.yaml")) if "_go_" not in p.name and
              all(shutil.which(tool) for word, tool in tools.items() if word in p.name)]
    done = as_nobody(closepath, "run", *chosen, "-j", closepath.jobs, "--out", shared_dir / "out",
                     *(["--ipv6"] if family == "ipv6" else []))
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list((shared_dir / "out").glob("*/report.json"))) == len(chosen) >= 8
