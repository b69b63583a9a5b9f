"""The pytest plugin itself, tested with pytester: option resolution, what a
failing scenario tells its reader, tag markers and --junitxml."""
import xml.etree.ElementTree as ET
from pathlib import Path

from closepath_plugin import ROOT

PLUGIN = "pytest_plugins = ['closepath_plugin']"


def test_options_resolve_command_line_over_environment_over_ini(pytester, monkeypatch):
    pytester.makeconftest(PLUGIN)
    pytester.makeini("[pytest]\nclosepath_out = from-ini\n")
    pytester.makepyfile("""
        from closepath_plugin import resolve
        def test_show(pytestconfig):
            print("OUT=" + resolve(pytestconfig, "closepath_out"))
    """)
    monkeypatch.delenv("CLOSEPATH_OUT", raising=False)
    pytester.runpytest_inprocess("-s").stdout.fnmatch_lines(["*OUT=from-ini*"])
    monkeypatch.setenv("CLOSEPATH_OUT", "from-env")
    pytester.runpytest_inprocess("-s").stdout.fnmatch_lines(["*OUT=from-env*"])
    pytester.runpytest_inprocess("-s", "--closepath-out", "from-cli").stdout.fnmatch_lines(["*OUT=from-cli*"])


def test_a_failing_scenario_explains_itself(pytester, closepath, tmp_path):
    """The pytest output alone says what was expected, what happened, and where the capture is."""
    variant = tmp_path / "linger_zero.yaml"
    variant.write_text((ROOT / "scenarios" / "linger_zero.yaml").read_text().replace("  - client: set linger 0\n", ""))
    pytester.makeconftest(PLUGIN)
    pytester.makepyfile(f"""
        def test_variant(closepath, tmp_path):
            run = closepath("run", r"{variant}", "--out", tmp_path)
            assert run.returncode == 0, run.stdout
    """)
    xml = tmp_path / "junit.xml"
    # "--opt=value": pytest reads its arguments once before plugins load, and would take a separate value for a path
    result = pytester.runpytest_inprocess(f"--closepath={closepath.binary}", f"--junitxml={xml}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*FAIL  linger_zero*capture.pcapng*",
        "*linger_zero.yaml:*: step 8 (server recv -> ECONNRESET): expected ECONNRESET vs actual eof (0 bytes)*",
        "*t ms  No. client*server*",
        "*F. 1001:1*",
    ])
    # --junitxml carries the same message for CI to show.
    failure = ET.parse(xml).getroot().find(".//testcase/failure")
    assert failure is not None and "expected ECONNRESET vs actual eof" in failure.get("message", "") + (failure.text or "")


def test_scenario_tags_are_markers(pytester):
    pytester.makeconftest(PLUGIN)
    pytester.makepyfile("""
        import pytest
        from closepath_plugin import catalogue_params
        @pytest.mark.parametrize("name", catalogue_params())
        def test_name(name):
            pass
    """)
    result = pytester.runpytest_inprocess("-m", "tls", "--strict-markers", "-v")
    result.stdout.fnmatch_lines(["*test_name?tls_handshake_stall? PASSED*"])
    assert "graceful_fin" not in result.stdout.str()


def user_directory(tmp_path):
    """A user's own scenario directory: one that passes, one that fails."""
    mine = tmp_path / "mine"
    mine.mkdir()
    good = (ROOT / "scenarios" / "graceful_fin.yaml").read_text()
    (mine / "my_close.yaml").write_text(good.replace("name: graceful_fin", "name: my_close"))
    linger = (ROOT / "scenarios" / "linger_zero.yaml").read_text()
    (mine / "my_abort.yaml").write_text(linger.replace("name: linger_zero", "name: my_abort")
                                        .replace("  - client: set linger 0\n", ""))
    return mine


def test_a_users_scenario_directory_runs_as_tests(pytester, closepath, tmp_path, monkeypatch):
    """--closepath-scenarios=DIR: each file is a test, its failure told in closepath's words."""
    mine = user_directory(tmp_path)
    pytester.makeconftest(PLUGIN)
    monkeypatch.delenv("CLOSEPATH_SCENARIOS", raising=False)
    xml = tmp_path / "junit.xml"
    result = pytester.runpytest_inprocess(f"--closepath={closepath.binary}", f"--closepath-scenarios={mine}",
                                          f"--closepath-out={tmp_path / 'out'}", "-m", "fin or rst", f"--junitxml={xml}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*my_abort.yaml:*: step 8 (server recv -> ECONNRESET): expected ECONNRESET vs actual eof*",
                                 "*report: *my_abort*report.html*"])
    # The JUnit XML names the failing run's page, for a CI to link.
    pages = [p.get("value") for p in ET.parse(xml).getroot().iter("property") if p.get("name") == "report_html"]
    assert len(pages) == 1 and pages[0].endswith("report.html") and Path(pages[0]).is_file(), pages
    # The same directory from the environment, as CI would set it.
    monkeypatch.setenv("CLOSEPATH_SCENARIOS", str(mine))
    result = pytester.runpytest_inprocess(f"--closepath={closepath.binary}", f"--closepath-out={tmp_path / 'out'}",
                                          "-k", "my_close")
    result.assert_outcomes(passed=1)


def test_the_checkout_root_runs_a_users_directory(closepath, tmp_path):
    """`python3 -m pytest --closepath-scenarios=mine/` from the checkout's root, exactly as written."""
    import subprocess
    import sys
    mine = user_directory(tmp_path)
    (mine / "my_abort.yaml").unlink()
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--closepath-scenarios={mine}",
                           f"--closepath={closepath.binary}", f"--closepath-out={tmp_path / 'out'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_closepath_run_in_a_users_own_suite(pytester, closepath):
    """What the README's "From your own pytest suite" shows: a scenario as text
    or as a file, its report and capture back, and a failure that explains itself."""
    good = (ROOT / "scenarios" / "linger_zero.yaml").read_text()
    pytester.makeconftest(PLUGIN)
    pytester.makefile(".yaml", mine=good.replace("  - client: set linger 0\n", ""))
    pytester.makepyfile(f'''
        import pathlib

        GOOD = {good!r}

        def test_text_passes(closepath_run):
            run = closepath_run(GOOD).assert_passed()
            assert run.verdict == "pass" and run.capture.is_file() and run.report["scenario"] == "linger_zero"
            assert "R." in run.ladder

        def test_file_fails_with_its_mismatch(closepath_run):
            run = closepath_run(pathlib.Path("mine.yaml"))
            assert not run.passed and run.returncode == 1
            assert "expected ECONNRESET vs actual eof" in run.first_mismatch
            run.assert_passed()

        def test_a_bad_scenario_fails_the_test_naming_file_and_line(closepath_run):
            closepath_run("name: bad\\nsteps:\\n  - client: jump\\nexpect:\\n  wire: [c>s S]\\n")
    ''')
    result = pytester.runpytest_inprocess(f"--closepath={closepath.binary}")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*test_file_fails_with_its_mismatch*",
        "*fail: *mine.yaml:*: step 8 (server recv -> ECONNRESET): expected ECONNRESET vs actual eof*",
        "*capture: *capture.pcapng*",
        "*closepath run *scenario1.yaml exited 2*",
        "*scenario1.yaml:3:*",
    ])


def test_names_and_tags_are_the_scenarios_own(pytester, closepath, tmp_path, monkeypatch):
    """Read by closepath, not by a regex: block-style tags are markers, and the test is named by `name:`."""
    mine = tmp_path / "mine"
    mine.mkdir()
    good = (ROOT / "scenarios" / "graceful_fin.yaml").read_text()
    block = good.replace("name: graceful_fin", "name: named_not_as_the_file")
    block = __import__("re").sub(r"^tags: \[.*\]$", "tags:\n  - blockstyle\n  - fin", block, flags=__import__("re").M)
    assert "  - blockstyle" in block
    (mine / "file_stem.yaml").write_text(block)
    pytester.makeconftest(PLUGIN)
    monkeypatch.delenv("CLOSEPATH_SCENARIOS", raising=False)
    result = pytester.runpytest_inprocess(f"--closepath={closepath.binary}", f"--closepath-scenarios={mine}",
                                          f"--closepath-out={tmp_path / 'out'}", "-m", "blockstyle",
                                          "--strict-markers", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*file_stem.yaml::named_not_as_the_file PASSED*"])


def test_a_bad_option_value_names_where_it_came_from(pytester, monkeypatch):
    pytester.makeconftest(PLUGIN)
    pytester.makepyfile("def test_nothing():\n    pass\n")
    monkeypatch.setenv("CLOSEPATH_JOBS", "many")
    result = pytester.runpytest_inprocess()
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--closepath-jobs: 'many' is not a whole number*the environment (CLOSEPATH_JOBS)*"])
    monkeypatch.delenv("CLOSEPATH_JOBS")
    pytester.makeini("[pytest]\nclosepath_repeat = 0\n")
    result = pytester.runpytest_inprocess()
    result.stderr.fnmatch_lines(["*--closepath-repeat: '0' is not a whole number of at least 1*the ini file*"])
    result = pytester.runpytest_inprocess("--closepath-repeat", "x")
    result.stderr.fnmatch_lines(["*--closepath-repeat: 'x'*the command line (--closepath-repeat)*"])
