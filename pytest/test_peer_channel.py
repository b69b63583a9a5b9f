"""The peer's control channel: a run starts its timeline only once both
peers have said hello, and a peer that cannot is an error that says why."""
import json
import shutil

import pytest

from closepath_plugin import ROOT


def with_peer(closepath, tmp_path, script):
    """A copy of closepath whose closepath-peer is `script` (a shell script of the test's own)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shutil.copy(closepath.binary, bin_dir / "closepath")
    peer = bin_dir / "closepath-peer"
    peer.write_text("#!/bin/sh\n" + script)
    peer.chmod(0o755)
    return bin_dir / "closepath"


@pytest.mark.parametrize("script,said", [
    ("exit 7\n", r"peer: ended before it said hello \(the (client|server) peer exited with status 7\)"),
    ("echo '{\"id\": 1, \"end\": \"ok\"}' >&3\nexec sleep 30\n", r"peer: its first line is not a hello"),
], ids=["exits_at_once", "answers_before_hello"])
def test_a_peer_that_does_not_say_hello_is_an_error_naming_it(closepath, tmp_path, script, said):
    import re
    import subprocess
    binary = with_peer(closepath, tmp_path, script)
    done = subprocess.run([str(binary), "run", ROOT / "scenarios" / "graceful_fin.yaml", "--out", tmp_path / "out"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 3, done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "graceful_fin" / "report.json").read_text())
    assert report["verdict"] == "error"
    assert re.search(said, report["first_mismatch"]), report["first_mismatch"]
    # No step ran: the timeline never started.
    assert not any(step["ran"] for step in report["steps"])
