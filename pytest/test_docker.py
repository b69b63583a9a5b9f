"""The container path, where a Docker daemon is present: the image builds
and runs one scenario with least privilege, leaving its capture on the host.
Skipped, with the reason, where no daemon answers (tools/docker-local.sh
makes one on a machine with none). A machine may have no docker at all, a
client without a daemon (any client, anywhere on PATH), or both: the suite
passes on each (see test_docker_detection_*)."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest

from closepath_plugin import ROOT

# Debian's client first: it matches Debian's daemon (a newer client on PATH may speak an API it refuses).
DEBIAN_CLIENT = "/usr/bin/docker"


def docker_clients():
    """The docker clients this machine has, without duplicates; none is fine."""
    clients = []
    for candidate in (DEBIAN_CLIENT, shutil.which("docker")):
        if candidate and os.access(candidate, os.X_OK) and os.path.realpath(candidate) not in map(os.path.realpath, clients):
            clients.append(candidate)
    return clients


def docker():
    """A client whose daemon answers `docker info`, or None."""
    for client in docker_clients():
        try:
            if subprocess.run([client, "info"], capture_output=True, timeout=30).returncode == 0:
                return client
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def test_image_runs_a_scenario_and_leaves_the_capture_on_the_host():
    client = docker()
    if not client:
        pytest.skip("no Docker daemon answers `docker info` (tools/docker-local.sh starts one)")
    if subprocess.run([client, "image", "inspect", "debian:bookworm"], capture_output=True).returncode != 0:
        pytest.skip("no local debian:bookworm image and no registry (tools/docker-local.sh makes one)")
    build = subprocess.run([client, "build", "--network", "host", "-t", "closepath:test", str(ROOT)],
                           capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    out = pathlib.Path(tempfile.mkdtemp(prefix="closepath-docker-"))
    try:
        run = subprocess.run([client, "run", "--rm", "--network", "none", "--cap-add", "NET_ADMIN", "--cap-add",
                              "SYS_ADMIN", "-v", f"{out}:/out", "closepath:test", "run", "linger_zero", "--out", "/out"],
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
        assert (out / "linger_zero" / "capture.pcapng").stat().st_size > 0
    finally:
        shutil.rmtree(out, ignore_errors=True)


def fake_client(directory, exit_code):
    """A `docker` on PATH whose `docker info` exits with `exit_code` (a client with or without a daemon)."""
    directory.mkdir(exist_ok=True)
    client = directory / "docker"
    client.write_text(f"#!/bin/sh\nexit {exit_code}\n")
    client.chmod(0o755)
    return client


@pytest.mark.parametrize("machine", ["no docker", "client without daemon", "client whose daemon answers"])
def test_docker_detection_on_any_machine(monkeypatch, tmp_path, machine):
    """Before: a machine without /usr/bin/docker raised FileNotFoundError instead of skipping."""
    monkeypatch.setattr(sys.modules[__name__], "DEBIAN_CLIENT", str(tmp_path / "absent" / "docker"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if machine != "no docker":
        fake_client(bin_dir, 0 if machine == "client whose daemon answers" else 1)
    monkeypatch.setenv("PATH", str(bin_dir))
    found = docker()
    if machine == "client whose daemon answers":
        assert found == str(bin_dir / "docker")
    else:
        assert found is None
