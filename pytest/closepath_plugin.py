"""The closepath pytest plugin: options, the `closepath` fixture, scenario markers.

Options, resolved in one place (command line > environment > ini, the ini
carrying the default):
  --closepath PATH       CLOSEPATH_BIN    closepath_bin    the closepath binary
  --closepath-out DIR    CLOSEPATH_OUT    closepath_out    where runs write
  --closepath-jobs N     CLOSEPATH_JOBS   closepath_jobs   parallel runs for whole-catalogue tests
Scenario tags become markers: `pytest -m tls` runs the TLS scenarios.
"""
import json
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

OPTIONS = {
    # dest: (flag, environment variable, ini key, default, help)
    "closepath": ("--closepath", "CLOSEPATH_BIN", "closepath_bin", str(ROOT / "build" / "closepath"),
                  "path of the closepath binary"),
    "closepath_out": ("--closepath-out", "CLOSEPATH_OUT", "closepath_out", str(ROOT / "out" / "pytest"),
                      "directory runs write into"),
    "closepath_jobs": ("--closepath-jobs", "CLOSEPATH_JOBS", "closepath_jobs", "2",
                       "parallel runs for whole-catalogue tests"),
}


def pytest_addoption(parser):
    group = parser.getgroup("closepath")
    for dest, (flag, env, ini, default, text) in OPTIONS.items():
        group.addoption(flag, dest=dest, help=f"{text} (env {env}, ini {ini}; default {default})")
        parser.addini(ini, text, default=default)


def resolve(config, dest):
    """Command line, then environment, then ini (which carries the default)."""
    flag, env, ini, _, _ = OPTIONS[dest]
    return config.getoption(dest) or os.environ.get(env) or config.getini(ini)


def scenario_tags():
    """name -> tags, read from the catalogue files without running anything."""
    tags = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        match = re.search(r"^tags:\s*\[(.*)\]\s*$", path.read_text(), re.M)
        tags[path.stem] = [t.strip() for t in match.group(1).split(",")] if match else []
    return tags


def marker_name(tag):
    return tag.replace("-", "_")


def pytest_configure(config):
    for tag in sorted({t for ts in scenario_tags().values() for t in ts}):
        config.addinivalue_line("markers", f"{marker_name(tag)}: scenarios tagged {tag}")


def catalogue_params():
    """One pytest param per scenario, id = its name, marked with its tags."""
    return [pytest.param(name, id=name, marks=[getattr(pytest.mark, marker_name(t)) for t in tags])
            for name, tags in scenario_tags().items()]


def catalogue_names():
    return list(scenario_tags())


class Closepath:
    def __init__(self, binary, out, jobs):
        self.binary = pathlib.Path(binary)
        self.out = pathlib.Path(out)
        self.jobs = int(jobs)

    def __call__(self, *args, timeout=300):
        return subprocess.run([str(self.binary), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def scenarios(self):
        listed = self("list", "--json")
        assert listed.returncode == 0, listed.stderr
        return json.loads(listed.stdout)


@pytest.fixture(scope="session")
def closepath(pytestconfig):
    tool = Closepath(resolve(pytestconfig, "closepath"), resolve(pytestconfig, "closepath_out"),
                     resolve(pytestconfig, "closepath_jobs"))
    if not tool.binary.exists():
        pytest.exit(f"{tool.binary} not found: build first (tools/test.sh does)", returncode=3)
    return tool
