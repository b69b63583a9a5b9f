"""In a chroot, as Debian's sbuild and pbuilder build and test packages, and
with tracefs not mounted there: closepath finds its peer and its scenarios
and runs, one at a time and in -j lanes. The chroot binds this machine's
root; every mount lives in a private mount namespace that ends with the
test, so nothing of it can stay behind."""
import json
import os
import shlex
import shutil
import subprocess

import pytest

from closepath_plugin import ROOT


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("chroot"),
                    reason="needs root, unshare and chroot")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_runs_in_a_chroot_without_tracefs(closepath, tmp_path, jobs):
    root, out = tmp_path / "root", tmp_path / "out"
    root.mkdir()
    for d in ("/tmp", str(ROOT), str(closepath.binary.parent)):
        if subprocess.run(["findmnt", "-n", "--target", d, "-o", "TARGET"], capture_output=True, text=True).stdout.strip() != "/":
            pytest.skip(f"{d} is on a filesystem of its own: a bind of / would not hold it")
    inside = (f"cd {shlex.quote(str(ROOT))} && {shlex.quote(str(closepath.binary))} run graceful_fin linger_zero "
              f"-j {jobs} --out {shlex.quote(str(out))}")
    script = "\n".join([
        "set -e",
        f"mount --bind / {root}",  # this filesystem alone: none of the mounts on it (tracefs under /sys)
        f"mount -t proc proc {root}/proc",
        f"mount --rbind /dev {root}/dev",
        f"mount -t sysfs sysfs {root}/sys",  # a fresh sysfs: no tracefs mounted under it
        f"test ! -e {root}/sys/kernel/tracing/trace",
        f"exec chroot {root} /bin/sh -c {shlex.quote(inside)}",
    ])
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("graceful_fin", "linger_zero"):
        report = json.loads((out / name / "report.json").read_text())
        assert report["verdict"] == "pass", report.get("first_mismatch")
        assert report["states"]["client"]["judged_by"] == "kernel"  # it mounted tracefs for itself, privately
