"""The container path, where a Docker daemon is present: the image builds
and runs one scenario with least privilege, leaving its capture on the host.
Skipped, with the reason, where no daemon answers (tools/docker-local.sh
makes one on a machine with none)."""
import shutil
import subprocess
import tempfile
import pathlib

import pytest

from closepath_plugin import ROOT


def docker():
    for candidate in ("/usr/bin/docker", shutil.which("docker")):
        if candidate and subprocess.run([candidate, "info"], capture_output=True).returncode == 0:
            return candidate
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
