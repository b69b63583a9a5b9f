"""Choosing the peers' runtime: `closepath run --peer`, a scenario's `peer:`
pin and its `differs:` (docs/protocol.md)."""
import json

import pytest

from closepath_plugin import ROOT

GOOD = (ROOT / "scenarios" / "linger_zero.yaml").read_text()


@pytest.mark.parametrize("peer,said", [
    ("rust", "--peer: 'rust' is not a runtime (known: asio, go, python, asyncio)"),
    ("client=go,client=asio", "--peer: client is given twice"),
    ("middle=go", "--peer: 'middle=go': give RUNTIME, or client=RUNTIME,server=RUNTIME"),
])
def test_a_bad_peer_choice_is_a_usage_error(closepath, tmp_path, peer, said):
    done = closepath("run", "graceful_fin", "--scenarios", closepath.catalogue, "--peer", peer, "--out", tmp_path)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert not (tmp_path / "graceful_fin").exists()


@pytest.mark.parametrize("choice,pinned,peers", [
    ("client=python", "", {"client": "python", "server": "asio"}),
    ("go", "", {"client": "go", "server": "go"}),
    ("go", "peer: {server: python}", {"client": "go", "server": "python"}),  # the scenario's pin wins, side by side
])
def test_each_side_runs_the_runtime_chosen_and_a_pin_wins(closepath, tmp_path, choice, pinned, peers):
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("tags: [rst]\n", f"tags: [rst]\n{pinned}\n"))
    done = closepath("run", variant, "--out", tmp_path, "--peer", choice, "-j", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((tmp_path / "linger_zero" / "report.json").read_text())["peers"] == peers


def test_a_runtime_that_differs_is_skipped_saying_why(closepath, tmp_path):
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("tags: [rst]\n", 'tags: [rst]\ndiffers: {python: "its close means another thing"}\n'))
    done = closepath("run", variant, "--out", tmp_path, "--peer", "server=python")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "linger_zero" / "report.json").read_text())
    assert report["verdict"] == "skipped"
    assert report["first_mismatch"] == "the server is a python peer, which meets another close path here: its close means another thing"
