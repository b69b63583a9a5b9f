"""Run modes over many runs: --shard splits the catalogue across machines,
--repeat runs each scenario N times and summarises."""
import re

import pytest

from closepath_plugin import ROOT

GOOD = (ROOT / "scenarios" / "linger_zero.yaml").read_text()


def test_shards_split_the_catalogue_into_parts_that_cover_it_once(closepath):
    """--shard K/N (a CI matrix): the N parts together are the catalogue, each scenario in one part."""
    names = sorted(s["name"] for s in closepath.scenarios())
    parts = []
    for k in (1, 2, 3):
        done = closepath("run", "--all", "--scenarios", closepath.catalogue, "--shard", f"{k}/3", "--dry-run")
        assert done.returncode == 0, done.stderr
        parts.append([line.split()[1] for line in done.stdout.splitlines()])
    assert sorted(n for part in parts for n in part) == names
    assert all(len(part) >= len(names) // 6 for part in parts), parts


@pytest.mark.parametrize("bad", ["3", "0/3", "4/3", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(closepath, bad):
    done = closepath("run", "--all", "--scenarios", closepath.catalogue, "--shard", bad, "--dry-run")
    assert done.returncode == 2
    assert done.stderr.startswith("closepath run: --shard ") and len(done.stderr.splitlines()) == 1


def test_repeat_mode_gives_each_run_a_directory_and_summarises(closepath, tmp_path):
    keepalive = closepath.catalogue / "keepalive_timeout.yaml"
    linger = closepath.catalogue / "linger_zero.yaml"
    done = closepath("run", "--repeat", "3", "-j", "2", linger, keepalive, "--out", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("linger_zero", "keepalive_timeout"):
        assert sorted(p.parent.name for p in tmp_path.glob(f"{name}/*/report.json")) == ["1", "2", "3"]
    assert re.search(r"^linger_zero +3/3 passed$", done.stdout, re.M), done.stdout
    assert re.search(r"^keepalive_timeout +3/3 passed$", done.stdout, re.M)
    # the spread of every timing window checked: min / median / max
    assert re.search(r"^    line \d+ 'c>s R\. seq 1 ack 1 gap 800ms\.\.1500ms': [\d.]+ / [\d.]+ / [\d.]+ ms$", done.stdout, re.M)


def test_repeat_mode_groups_failures_by_kind(closepath, tmp_path):
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text(GOOD.replace("  - client: set linger 0\n", ""))
    done = closepath("run", "--repeat", "2", variant, "--out", tmp_path / "out")
    assert done.returncode == 1
    assert re.search(r"^linger_zero +0/2 passed$", done.stdout, re.M), done.stdout
    assert re.search(r"^    2x  .*linger_zero\.yaml:\d+: step 8 \(server recv -> ECONNRESET\)", done.stdout, re.M), done.stdout
