"""One test per catalogue scenario: `pytest -k linger_zero` replays one."""
import json
import subprocess

import pytest

from closepath_plugin import catalogue_file, catalogue_params


def tshark_fields(capture, *fields):
    args = ["tshark", "-r", str(capture), "-T", "fields"]
    for f in fields:
        args += ["-e", f]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    # tshark warns about running as root; anything else on stderr is a problem with the file.
    complaints = [l for l in done.stderr.splitlines() if l and "Running as user" not in l]
    assert done.returncode == 0 and not complaints, f"tshark cannot read {capture}: {done.stderr}"
    return [line.split("\t") for line in done.stdout.splitlines()]


TSHARK_FLAGS = {"S": 0x02, "F": 0x01, "R": 0x04, "P": 0x08, ".": 0x10, "U": 0x20, "E": 0x40, "W": 0x80}


def flag_bits(letters):
    return sum(TSHARK_FLAGS[c] for c in letters)


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("name", catalogue_params())
def test_scenario(closepath, name, family):
    """Every scenario over both families (`-k linger_zero` replays both)."""
    out = closepath.out / family
    run = closepath("run", catalogue_file(name), "--out", out, *closepath.repeat_args(), *closepath.peer_args(),
                    *(["--ipv6"] if family == "ipv6" else []), timeout=300 * closepath.repeat)
    # On failure closepath prints the first mismatch, the ladder and the capture's path.
    assert run.returncode == 0, f"closepath run {name} exited {run.returncode}\n{run.stdout}{run.stderr}"
    reports = closepath.reports(out, name)
    assert len(reports) == closepath.repeat
    for report_path in reports:
        check_run(closepath, name, report_path.parent, family)


def check_run(closepath, name, out, family):
    report = json.loads((out / "report.json").read_text())
    if report["verdict"] == "skipped":
        pytest.skip(report["first_mismatch"])
    assert report["verdict"] == "pass"
    assert report["family"] == family
    assert all(step["ok"] for step in report["steps"])

    # Both state sources exist (the suite runs as root with tracefs) and agree.
    for side in ("client", "server"):
        states = report["states"][side]
        assert states["judged_by"] == "kernel", report["states"].get("kernel_unavailable")
        assert states["kernel"] == states["inferred"] and states["agree"]

    # Judged offline, the capture gives the live verdict.
    check = closepath("check", out / "capture.pcapng", "--scenario", catalogue_file(name), "--ladder")
    assert check.returncode == 0, check.stdout + check.stderr
    # Its ladder draws each frame as the live one did, what the wire did to it included (the run
    # facts' effects, not the comments' words): the arrows, past their time column.
    def arrows(text):
        return [line[9:] for line in text.splitlines() if "---" in line]
    assert arrows(check.stdout) == arrows((out / "ladder.txt").read_text())

    # The capture opens in tshark, and holds exactly the frames the report says the wire carried.
    rows = tshark_fields(out / "capture.pcapng", "frame.number", "frame.interface_name", "tcp.flags",
                         "tcp.seq", "tcp.ack", "tcp.len", "frame.comment")
    assert len(rows) == len(report["wire"]) > 0
    for row, frame in zip(rows, report["wire"]):
        number, leg, flags, seq, ack, length, comment = row
        assert int(number) == frame["frame"]
        assert leg == ("wc" if frame["leg"] == "client" else "ws")
        assert comment == frame["comment"]
        tcp = frame["tcp"]
        assert int(flags, 16) == flag_bits(tcp["flags"]), f"frame {number}"
        assert int(seq) == tcp["seq"] and int(length) == tcp["len"], f"frame {number}"
        if "ack" in tcp:
            assert int(ack) == tcp["ack"], f"frame {number}"
    # Every frame is of the run's family, between the run's two addresses: nothing else (no ARP, NDP, MLD).
    addresses = {report["addresses"]["client"], report["addresses"]["server"]}
    for src, dst in tshark_fields(out / "capture.pcapng", "ipv6.src" if family == "ipv6" else "ip.src",
                                  "ipv6.dst" if family == "ipv6" else "ip.dst"):
        assert {src, dst} == addresses


def test_tls_capture_shows_the_client_hello(closepath):
    """Wireshark dissects the TLS handshake: the stalled ClientHello is there, and no ServerHello."""
    run = closepath("run", catalogue_file("tls_handshake_stall"), "--out", closepath.out / "tls")
    assert run.returncode == 0, run.stdout
    types = [row[0] for row in tshark_fields(closepath.out / "tls" / "tls_handshake_stall" / "capture.pcapng",
                                             "tls.handshake.type") if row[0]]
    assert types == ["1"], types  # 1 = ClientHello
