"""pytest driver for closepath.

Options (command line > environment > pytest.ini), resolved in one place:
  --closepath PATH   the closepath binary   (CLOSEPATH_BIN, ini closepath_bin)
  --closepath-out DIR  where runs write      (CLOSEPATH_OUT, ini closepath_out)
"""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

OPTIONS = {
    # option: (environment variable, ini key, default)
    "closepath": ("CLOSEPATH_BIN", "closepath_bin", str(ROOT / "build" / "closepath")),
    "closepath_out": ("CLOSEPATH_OUT", "closepath_out", str(ROOT / "out" / "pytest")),
}


def pytest_addoption(parser):
    group = parser.getgroup("closepath")
    group.addoption("--closepath", dest="closepath", help="path of the closepath binary")
    group.addoption("--closepath-out", dest="closepath_out", help="directory runs write into")
    for _, (env, ini, default) in OPTIONS.items():
        parser.addini(ini, f"default for ${env}", default=default)


def resolve(config, name):
    """Command line, then environment, then ini (which carries the default)."""
    env, ini, _ = OPTIONS[name]
    return config.getoption(name) or os.environ.get(env) or config.getini(ini)


class Closepath:
    def __init__(self, binary, out):
        self.binary = pathlib.Path(binary)
        self.out = pathlib.Path(out)

    def __call__(self, *args, timeout=120):
        return subprocess.run([str(self.binary), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def scenarios(self):
        listed = self("list", "--json")
        assert listed.returncode == 0, listed.stderr
        return json.loads(listed.stdout)


@pytest.fixture(scope="session")
def closepath(pytestconfig):
    tool = Closepath(resolve(pytestconfig, "closepath"), resolve(pytestconfig, "closepath_out"))
    if not tool.binary.exists():
        pytest.exit(f"{tool.binary} not found: build first (tools/test.sh does)", returncode=3)
    return tool


def catalogue_names():
    """Scenario names, read from the catalogue directory at collection time."""
    return sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
