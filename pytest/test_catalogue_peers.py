"""The whole catalogue with the Go, Python and asyncio peers, over both families:
every scenario passes as it is, states what that runtime is told (`go:
OUTCOME` beside a step), or says why that runtime's program meets another
close path (`differs:`) and is skipped. (`--closepath-peer go` runs
test_catalogue.py's per-scenario tests with a peer instead.)"""
import json

import pytest

from closepath_plugin import ROOT


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("runtime", ["go", "python", "asyncio"])
def test_the_catalogue_passes_with_each_runtime(closepath, runtime, family):
    program = f"closepath-peer-{runtime}"
    if not (closepath.binary.parent / program).exists():
        pytest.skip(f"{program} is not built here (tools/bootstrap.sh installs what it needs)")
    out = closepath.out / "peers" / runtime / family
    run = closepath("run", "--all", "--peer", runtime, "-j", closepath.jobs, "--out", out,
                    *(["--ipv6"] if family == "ipv6" else []), timeout=1200)
    assert run.returncode == 0, f"closepath run --all --peer {runtime} exited {run.returncode}\n{run.stdout}{run.stderr}"
    reports = [json.loads(p.read_text()) for p in sorted(out.glob("*/report.json"))]
    assert len(reports) == len(list((ROOT / "scenarios").glob("*.yaml")))
    for r in reports:
        if r["verdict"] == "skipped":
            # Only for a kernel without sch_netem, or where the scenario says this runtime differs.
            assert "needs netem" in r["first_mismatch"] or f"a {runtime} peer" in r["first_mismatch"], r["first_mismatch"]
            continue
        assert r["verdict"] == "pass", r.get("first_mismatch")
        # Each side ran the runtime asked for, unless the scenario pins its own (`peer:`).
        if "\npeer:" not in (ROOT / "scenarios" / f"{r['scenario']}.yaml").read_text():
            assert r["peers"] == {"client": runtime, "server": runtime}, r["peers"]
