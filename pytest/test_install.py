"""Nothing is compiled in: a copied checkout runs its own scenario files, and
an installed tree (moved after installing, too) runs its catalogue from any
working directory. Every result names the file that ran."""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from closepath_plugin import ROOT


def clean_env():
    """The caller's environment without the variables that would pick the scenarios for it."""
    return {k: v for k, v in os.environ.items() if k not in ("CLOSEPATH_SCENARIOS", "CLOSEPATH_BIN")}


def run(binary, *args, cwd):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=clean_env(), stdin=subprocess.DEVNULL)


def test_a_copied_checkout_runs_its_own_scenarios(closepath, tmp_path):
    copy = tmp_path / "copy"
    (copy / "build").mkdir(parents=True)
    shutil.copy(ROOT / "CMakeLists.txt", copy)
    shutil.copytree(ROOT / "scenarios", copy / "scenarios")
    for program in ("closepath", "closepath-peer"):
        shutil.copy(closepath.binary.parent / program, copy / "build")
    mine = copy / "scenarios" / "graceful_fin.yaml"
    mine.write_text(mine.read_text().replace("summary: ", "summary: (the copy's) ", 1))

    listed = json.loads(run(copy / "build" / "closepath", "list", "--json", cwd=tmp_path).stdout)
    entry = next(s for s in listed if s["name"] == "graceful_fin")
    assert entry["summary"].startswith("(the copy's)") and entry["file"] == str(mine)

    done = run(copy / "build" / "closepath", "run", "graceful_fin", "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "copy/scenarios/graceful_fin.yaml" in done.stdout  # the PASS line names the file that ran
    report = json.loads((tmp_path / "out" / "graceful_fin" / "report.json").read_text())
    assert report["file"] == str(mine)


def test_an_installed_tree_runs_the_catalogue_from_anywhere(closepath, tmp_path):
    build = closepath.binary.parent
    if not (build / "CMakeCache.txt").exists():
        pytest.skip(f"{build} is not a CMake build tree")
    installed = subprocess.run(["cmake", "--install", str(build), "--prefix", str(tmp_path / "first")],
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    prefix = tmp_path / "moved"
    (tmp_path / "first").rename(prefix)  # relocatable: nothing points back to where it was installed
    binary = prefix / "bin" / "closepath"
    assert (prefix / "libexec" / "closepath" / "closepath-peer").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    listed = json.loads(run(binary, "list", "--json", cwd=elsewhere).stdout)
    assert {pathlib.Path(s["file"]).parent for s in listed} == {prefix / "share" / "closepath" / "scenarios"}
    assert len(listed) == len(list((ROOT / "scenarios").glob("*.yaml")))

    done = run(binary, "run", "--all", "-j", closepath.jobs, "--out", elsewhere / "out", cwd=elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\d+ passed, 0 failed", done.stdout, re.M)
    for report in (elsewhere / "out").glob("*/report.json"):
        assert json.loads(report.read_text())["file"].startswith(str(prefix / "share" / "closepath" / "scenarios"))
    # The other runtimes' peers are installed beside Asio's, the Python ones with their modules, and run from there.
    for runtime in ("go", "python", "asyncio"):
        if not (build / f"closepath-peer-{runtime}").exists():
            continue  # not built here (no Go)
        assert (prefix / "libexec" / "closepath" / f"closepath-peer-{runtime}").exists()
        done = run(binary, "run", "graceful_fin", "--peer", runtime, "--out", elsewhere / runtime, cwd=elsewhere)
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads((elsewhere / runtime / "graceful_fin" / "report.json").read_text())["peers"]["client"] == runtime
    assert not list((prefix / "libexec").rglob("__pycache__")), "a Python peer wrote into the installed tree"


def test_an_installed_tree_s_pytest_plugin_loads_by_its_entry_point(closepath, tmp_path):
    """PYTHONPATH=PREFIX/share/closepath/pytest is all a user's suite needs: no -p, no conftest."""
    import sys
    build = closepath.binary.parent
    if not (build / "CMakeCache.txt").exists():
        pytest.skip(f"{build} is not a CMake build tree")
    prefix = tmp_path / "prefix"
    installed = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)],
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_mine.py").write_text(
        "def test_graceful(closepath_run, closepath):\n"
        "    assert str(closepath.binary).startswith(%r)\n"
        "    closepath_run('graceful_fin.yaml').assert_passed()\n" % str(prefix))
    shutil.copy(ROOT / "scenarios" / "graceful_fin.yaml", suite)
    env = {**clean_env(), "PYTHONPATH": str(prefix / "share" / "closepath" / "pytest")}
    env.pop("CLOSEPATH_OUT", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(suite)], cwd=suite,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
