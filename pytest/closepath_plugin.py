"""The closepath pytest plugin: options, the `closepath` fixture, scenario files as tests.

Options, resolved in one place (command line > environment > ini, the ini
carrying the default):
  --closepath PATH            CLOSEPATH_BIN        closepath_bin        the closepath binary
  --closepath-out DIR         CLOSEPATH_OUT        closepath_out        where runs write
  --closepath-jobs N          CLOSEPATH_JOBS       closepath_jobs       parallel runs for whole-catalogue tests
  --closepath-scenarios DIR   CLOSEPATH_SCENARIOS  closepath_scenarios  a directory of scenario files to run as tests
  --closepath-repeat N        CLOSEPATH_REPEAT     closepath_repeat     runs per scenario test (a flake shows)
  --closepath-ipv6            CLOSEPATH_IPV6=1     closepath_ipv6=yes   run scenarios over IPv6 (those that pin no family)
  --closepath-peer RUNTIME    CLOSEPATH_PEER       closepath_peer       the peers' runtime: asio, go, python, or
                                                                        client=RUNTIME,server=RUNTIME (closepath run --peer)

With a scenario directory, every *.yaml in it is one test (id = its file
name, markers = its tags), so `python3 -m pytest --closepath-scenarios=mine/`
runs a user's own scenarios with no Python of their own: a failing test shows
the first mismatch, the ladder and the capture's path.

Under pytest-xdist (`-n auto --dist loadgroup`, as tools/test.sh runs it)
every worker is apart: its runs write under DIR/gwN, and each run holds its
own client port and namespaces.

Fixtures: `closepath` (the binary, to run any subcommand) and `closepath_run`
(run one scenario, a file or its text, and get its report and capture back).
"""
import json
import os
import pathlib
import shutil
import subprocess
import textwrap

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent  # the checkout (pytest/..), or share/closepath in an installed tree


def default_binary():
    """The checkout's build, the installed tree's bin/, or closepath on PATH."""
    for candidate in (ROOT / "build" / "closepath", ROOT.parent.parent / "bin" / "closepath"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which("closepath") or str(ROOT / "build" / "closepath")


OPTIONS = {
    # dest: (flag, environment variable, ini key, default, help)
    "closepath": ("--closepath", "CLOSEPATH_BIN", "closepath_bin", default_binary(), "path of the closepath binary"),
    "closepath_out": ("--closepath-out", "CLOSEPATH_OUT", "closepath_out", str(pathlib.Path("out") / "pytest"),
                      "directory runs write into"),
    "closepath_jobs": ("--closepath-jobs", "CLOSEPATH_JOBS", "closepath_jobs", "2",
                       "parallel runs for whole-catalogue tests"),
    "closepath_scenarios": ("--closepath-scenarios", "CLOSEPATH_SCENARIOS", "closepath_scenarios", "",
                            "a directory of scenario files, each run as a test"),
    "closepath_ipv6": ("--closepath-ipv6", "CLOSEPATH_IPV6", "closepath_ipv6", "",
                       "run scenario files and closepath_run over IPv6 (scenarios that pin no `family:`)"),
    "closepath_peer": ("--closepath-peer", "CLOSEPATH_PEER", "closepath_peer", "",
                       "the peers' runtime for scenario tests and closepath_run: asio (closepath's default), go, "
                       "python, or client=RUNTIME,server=RUNTIME"),
    "closepath_repeat": ("--closepath-repeat", "CLOSEPATH_REPEAT", "closepath_repeat", "1",
                         "run each scenario test N times; it passes only if every run does"),
}


def pytest_addoption(parser):
    group = parser.getgroup("closepath")
    for dest, (flag, env, ini, default, text) in OPTIONS.items():
        switch = dict(action="store_const", const="yes") if dest in SWITCHES else {}
        group.addoption(flag, dest=dest, help=f"{text} (env {env}, ini {ini}; default {default or 'none'})", **switch)
        parser.addini(ini, text, default=default)


SWITCHES = {"closepath_ipv6"}  # flags on the command line; 1/yes/true/on in the environment or ini


def switched_on(value):
    return str(value).strip().lower() in ("1", "yes", "true", "on")


def resolved(config, dest):
    """(value, where it came from): the command line, then the environment, then the ini (which carries the default)."""
    flag, env, ini, default, _ = OPTIONS[dest]
    if config.getoption(dest):
        return config.getoption(dest), f"the command line ({flag})"
    if os.environ.get(env):
        return os.environ[env], f"the environment ({env})"
    value = config.getini(ini)
    return value, (f"the ini file ({ini} in {config.inipath})" if config.inipath and value != default else "the default")


def resolve(config, dest):
    return resolved(config, dest)[0]


def whole_number(config, dest, lowest=1):
    """An option that must be a whole number, or a usage error naming where the bad value came from."""
    value, source = resolved(config, dest)
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or number < lowest:
        raise pytest.UsageError(f"{OPTIONS[dest][0]}: {value!r} is not a whole number of at least {lowest} "
                                f"(it came from {source})")
    return number


_LISTED = {}  # scenario directory -> {file path: entry of `closepath list --json`}


def listed_scenarios(config, directory):
    """What `closepath list --json` says of the files in `directory` (name, tags, summary), by path.

    closepath reads the files, as it does for a run, so names and tags are
    the scenario's own (block-style tags included); a file it refuses is
    absent here and its test fails with closepath's message. {} when the
    binary is not built yet (closepath_of says so when a test needs it)."""
    directory = pathlib.Path(directory).resolve()
    if directory not in _LISTED:
        binary = pathlib.Path(resolve(config, "closepath"))
        entries = {}
        if binary.is_file():
            done = subprocess.run([str(binary), "--scenarios", str(directory), "list", "--json"], capture_output=True,
                                  text=True, timeout=120, stdin=subprocess.DEVNULL)
            try:
                entries = {pathlib.Path(e["file"]).resolve(): e for e in json.loads(done.stdout or "[]")}
            except json.JSONDecodeError:
                entries = {}
        _LISTED[directory] = entries
    return _LISTED[directory]


def scenario_tags(config=None, directory=ROOT / "scenarios"):
    """name -> tags of the scenario files in `directory` (by default the repo's catalogue)."""
    config = config or _CONFIG
    return {e["name"]: e["tags"] for e in sorted(listed_scenarios(config, directory).values(), key=lambda e: e["name"])}


_CONFIG = None  # the session's, for the catalogue's parametrisation at import time


def marker_name(tag):
    return tag.replace("-", "_")


def user_scenarios(config):
    """The --closepath-scenarios directory, or None."""
    value = resolve(config, "closepath_scenarios")
    return pathlib.Path(value).resolve() if value else None


def pytest_configure(config):
    global _CONFIG
    _CONFIG = config
    for dest in ("closepath_jobs", "closepath_repeat"):
        whole_number(config, dest)
    directories = [ROOT / "scenarios"]
    mine = user_scenarios(config)
    if mine is not None:
        if not mine.is_dir():
            raise pytest.UsageError(f"--closepath-scenarios: {mine} is not a directory")
        directories.append(mine)
        # Given no paths of their own, run just the scenario files.
        if not config.option.file_or_dir:
            config.args[:] = [str(mine)]
    # pytest-xdist's own mark, known here too so runs without xdist do not warn.
    config.addinivalue_line("markers", "xdist_group(name): tests that run on one xdist worker, in turn")
    for tag in sorted({t for d in directories for ts in scenario_tags(config, d).values() for t in ts}):
        config.addinivalue_line("markers", f"{marker_name(tag)}: scenarios tagged {tag}")


def pytest_collect_file(file_path, parent):
    mine = user_scenarios(parent.config)
    if mine is not None and file_path.suffix == ".yaml" and file_path.parent == mine:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        # Named as its runs are (its `name:`); a file closepath refuses keeps its stem and fails with the reason.
        entry = listed_scenarios(self.config, self.path.parent).get(self.path.resolve())
        item = ScenarioItem.from_parent(self, name=entry["name"] if entry else self.path.stem)
        for tag in entry["tags"] if entry else []:
            item.add_marker(marker_name(tag))
        yield item


class ScenarioFailed(Exception):
    """closepath said the scenario failed: its own words are the report."""


class ScenarioItem(pytest.Item):
    def runtest(self):
        tool = closepath_of(self.config)
        run = tool("run", self.path, "--out", tool.out / "scenarios", *tool.repeat_args(), *tool.family_args(),
                   *tool.peer_args(), timeout=300 * tool.repeat)
        if run.returncode == 0:
            report = next(iter(sorted((tool.out / "scenarios").glob(f"{self.name}/**/report.json"))), None)
            if report and json.loads(report.read_text()).get("verdict") == "skipped":
                pytest.skip(json.loads(report.read_text()).get("first_mismatch", "skipped"))
            return
        pages = sorted((tool.out / "scenarios").glob(f"{self.name}/**/report.html"))
        for page in pages:  # the JUnit XML carries them: a CI's reader opens the failing run's page
            self.user_properties.append(("report_html", str(page)))
        where = "".join(f"report: {page}\n" for page in pages)
        raise ScenarioFailed(f"closepath run {self.path} exited {run.returncode}\n{run.stdout}{run.stderr}{where}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"scenario {self.path.name}"


def catalogue_params():
    """One pytest param per catalogue scenario, id = its name, marked with its tags."""
    return [pytest.param(name, id=name, marks=[getattr(pytest.mark, marker_name(t)) for t in tags])
            for name, tags in scenario_tags().items()]


def catalogue_names():
    return list(scenario_tags())


def catalogue_file(name):
    """The repo's own catalogue file: its tests never depend on CLOSEPATH_SCENARIOS."""
    return ROOT / "scenarios" / f"{name}.yaml"


class Closepath:
    def __init__(self, binary, out, jobs, repeat=1, ipv6=False, peer=""):
        self.binary = pathlib.Path(binary)
        self.peer = peer
        self.out = pathlib.Path(out).resolve()
        self.jobs = int(jobs)
        self.repeat = int(repeat)
        self.ipv6 = ipv6
        self.catalogue = ROOT / "scenarios"  # the repo's tests name it, whatever CLOSEPATH_SCENARIOS says

    def __call__(self, *args, timeout=300, env=None):
        return subprocess.run([str(self.binary), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, env=env)

    def family_args(self):
        """`--ipv6` when the tests are to run scenarios over IPv6."""
        return ["--ipv6"] if self.ipv6 else []

    def peer_args(self):
        """`--peer RUNTIME` when the tests are to run scenarios with another runtime's peers."""
        return ["--peer", self.peer] if self.peer else []

    def repeat_args(self):
        """`--repeat N` when the tests are to run each scenario more than once."""
        return ["--repeat", str(self.repeat)] if self.repeat > 1 else []

    def reports(self, out, name):
        """The report.json of each run of `name` under `out` (one, or one per repetition)."""
        single = out / name / "report.json"
        return [single] if self.repeat == 1 else sorted(out.glob(f"{name}/*/report.json"))

    def scenarios(self):
        listed = self("list", "--json", "--scenarios", ROOT / "scenarios")
        assert listed.returncode == 0, listed.stderr
        return json.loads(listed.stdout)


def closepath_of(config):
    out = pathlib.Path(resolve(config, "closepath_out"))
    # Under pytest-xdist each worker writes apart (gw0, gw1, ...); ports and
    # namespaces are each run's own already.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        out = out / os.environ["PYTEST_XDIST_WORKER"]
    tool = Closepath(resolve(config, "closepath"), out, whole_number(config, "closepath_jobs"),
                     whole_number(config, "closepath_repeat"), switched_on(resolve(config, "closepath_ipv6")),
                     resolve(config, "closepath_peer"))
    if not tool.binary.exists():
        pytest.exit(f"{tool.binary} not found (from {resolved(config, 'closepath')[1]}): build first "
                    "(tools/test.sh does), or give --closepath PATH", returncode=3)
    return tool


@pytest.fixture(scope="session")
def closepath(pytestconfig):
    return closepath_of(pytestconfig)


class ClosepathRun:
    """One run of one scenario, as `closepath_run` returns it.

    verdict         "pass", "fail", "error" or "skipped" (report.json's)
    passed          verdict == "pass"
    report          report.json as a dict (steps, wire, states, programs, ...)
    html            the run's report.html (the sequence diagram, the mismatch marked)
    first_mismatch  what failed first ("" when it passed)
    capture         path of the annotated capture.pcapng (opens in Wireshark)
    ladder          the run's ladder diagram (text)
    returncode, stdout, stderr: closepath's own
    """

    def __init__(self, done, run_dir):
        self.returncode, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.dir = run_dir
        self.report = json.loads((run_dir / "report.json").read_text())
        self.verdict = self.report["verdict"]
        self.passed = self.verdict == "pass"
        self.first_mismatch = self.report.get("first_mismatch", "")
        self.capture = run_dir / "capture.pcapng"
        self.html = run_dir / "report.html"
        ladder = run_dir / "ladder.txt"
        self.ladder = ladder.read_text() if ladder.is_file() else ""

    def assert_passed(self):
        """Fails the calling test with the first mismatch, the ladder, the capture's path and the report page's."""
        if not self.passed:
            pytest.fail(f"{self.verdict}: {self.first_mismatch}\n{self.ladder}\ncapture: {self.capture}\nreport: {self.html}",
                        pytrace=False)
        return self


@pytest.fixture
def closepath_run(closepath, tmp_path):
    """Runs a scenario and gives back a ClosepathRun (report, capture path, verdict).

        def test_my_server_closes_on_eof(closepath_run):
            run = closepath_run("scenarios/my_server.yaml")       # a file ...
            run = closepath_run('''name: inline                 # ... or the YAML itself
            steps: ...''')
            run.assert_passed()
            assert run.report["programs"][0]["ended"] == "exit 0"

    A scenario closepath refuses (exit 2, the file and line named) or a host
    that cannot run it (exit 3) fails the test with closepath's own message;
    a run that failed is returned, for the test to judge. Extra arguments go
    to `closepath run`. Each call writes under the
    test's tmp_path; text is saved there as <n>.yaml, so `{dir}` is tmp_path.
    """
    calls = []

    def run(scenario, *args, timeout=300):
        calls.append(scenario)
        text = str(scenario)
        if "\n" in text or not pathlib.Path(text).exists():
            if "\n" not in text:
                pytest.fail(f"closepath_run: no scenario file {text}", pytrace=False)
            path = tmp_path / f"scenario{len(calls)}.yaml"
            path.write_text(textwrap.dedent(text))
        else:
            path = pathlib.Path(text)
        out = tmp_path / f"closepath{len(calls)}"
        done = closepath("run", path, "--out", out, *closepath.family_args(), *closepath.peer_args(), *args, timeout=timeout)
        reports = sorted(out.glob("*/report.json"))
        if done.returncode not in (0, 1) or not reports:
            pytest.fail(f"closepath run {path} exited {done.returncode}\n{done.stdout}{done.stderr}", pytrace=False)
        return ClosepathRun(done, reports[0].parent)

    return run
