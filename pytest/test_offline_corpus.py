"""`closepath show` and `check` on captures closepath did not make
(pcap/tests/data/corpus/, see SOURCES.md there): the same packets as tshark,
and what cannot be decoded named, never dropped in silence."""
import json
import os
import pathlib
import shutil
import struct
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "pcap" / "tests" / "data" / "corpus"


@pytest.mark.skipif(not shutil.which("tshark"), reason="needs tshark")
def test_show_json_agrees_with_tshark_on_every_tcp_packet(closepath):
    captures = sorted(p for p in CORPUS.iterdir() if p.suffix in (".pcap", ".pcapng", ".gz"))
    assert len(captures) >= 35
    done = subprocess.run(["/usr/bin/python3", ROOT / "tools" / "tshark_compare.py", "--verbose",
                           "--closepath", closepath.binary, *captures], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(100.00%)" in done.stdout.splitlines()[-1]


def show_json(closepath, capture, *args):
    done = closepath("show", "--json", capture, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_show_json_lists_every_connection_with_wireshark_numbers(closepath):
    data, _ = show_json(closepath, CORPUS / "port_reuse.pcap")
    first, second = data["connections"]
    assert first["client"] == second["client"] == "10.0.0.1:24025" and first["server"] == "10.0.0.2:47000"
    # the second connection starts at frame 12, numbered from its own SYN
    assert second["packets"][0] == {"frame": 12, "dir": "c>s", "flags": "S", "seq": 0, "ack": None, "len": 0}
    assert second["packets"][1]["flags"] == "S." and second["packets"][1]["ack"] == 1
    assert first["states"]["client"][-1] == "TIME_WAIT" and second["states"]["server"][-1] == "CLOSE"
    assert data["capture_notes"]["not_decoded"] == {}


def test_fragments_are_reassembled_on_the_frame_that_completes_them(closepath):
    data, _ = show_json(closepath, CORPUS / "ipv4_fragments.pcap")
    packets = data["connections"][0]["packets"]
    segment = [p for p in packets if p["len"] == 1000]
    assert len(segment) == 1 and segment[0]["frame"] == 6  # the fragments are frames 4-6, sent last first


def test_checksums_are_verified_over_ipv4_and_ipv6_and_a_bad_one_is_marked(closepath, tmp_path):
    for name in ("vlan.pcap", "ipv6_extension_headers.pcap", "ipv6_fragments.pcap", "ipv4_fragments.pcap"):
        data, _ = show_json(closepath, CORPUS / name)
        assert all("checksum_ok" not in p for c in data["connections"] for p in c["packets"]), name
    broken = bytearray((CORPUS / "ipv6_extension_headers.pcap").read_bytes())
    broken[-1] ^= 0xFF  # the last frame's last byte: its TCP checksum no longer holds
    (tmp_path / "broken.pcap").write_bytes(bytes(broken))
    data, _ = show_json(closepath, tmp_path / "broken.pcap")
    assert [p.get("checksum_ok", True) for p in data["connections"][0]["packets"]][-1] is False


def test_a_capture_begun_mid_connection_says_so_and_shows_the_changes_it_holds(closepath):
    data, _ = show_json(closepath, CORPUS / "mid_connection.pcap")
    states = data["connections"][0]["states"]
    assert states == {"client": ["FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"], "server": ["CLOSE_WAIT", "LAST_ACK", "CLOSE"],
                      "start": "unknown: the capture begins mid-connection"}
    assert data["connections"][0]["packets"][0]["seq"] == 1  # as Wireshark numbers a side it saw no SYN of


def test_a_snaplen_cut_keeps_its_headers(closepath):
    data, _ = show_json(closepath, CORPUS / "snaplen_96.pcap.gz")
    cut = [p for p in data["connections"][0]["packets"] if p.get("truncated")]
    assert [p["len"] for p in cut] == [1000]


def pcap_of(link_type, frames):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link_type) + b"".join(
        struct.pack("<IIII", 1, 0, len(f), len(f)) + f for f in frames)


def test_what_cannot_be_decoded_is_named_and_nothing_usable_exits_2(closepath, tmp_path):
    arcnet = tmp_path / "arcnet.pcap"
    arcnet.write_bytes(pcap_of(129, [b"\x01\x02\xd4" + b"\0" * 60] * 3))
    done = closepath("show", arcnet)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{arcnet}: no TCP connection in the capture (3 frames not decoded: 3 link type 129 not decoded)"


def test_frames_not_decoded_beside_a_connection_are_counted(closepath, tmp_path):
    frames = (CORPUS / "vlan.pcap").read_bytes()
    # an Ethernet frame with IPv4 protocol 50 (ESP): it may hold TCP, nobody can tell
    esp = bytes(12) + b"\x08\x00" + bytes([0x45, 0, 0, 40, 0, 0, 0, 0, 64, 50, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]) + bytes(20)
    mixed = tmp_path / "mixed.pcap"
    mixed.write_bytes(frames + struct.pack("<IIII", 9, 0, len(esp), len(esp)) + esp)
    data, stderr = show_json(closepath, mixed)
    assert data["capture_notes"]["not_decoded"] == {"ESP (encrypted)": 1}
    assert f"{mixed}: note: 1 frame not decoded: 1 ESP (encrypted)" in stderr
    text = closepath("show", mixed)
    assert text.returncode == 0 and "1 frame not decoded: 1 ESP (encrypted)" in text.stderr


def test_a_capture_cut_short_gives_what_it_holds_and_says_so(closepath, tmp_path):
    whole = (CORPUS / "tcpdump-bgp-role.pcapng").read_bytes()
    cut = tmp_path / "cut.pcapng"
    cut.write_bytes(whole[:len(whole) - 30])
    done = closepath("show", "--json", cut)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "cut short while being written" in data["capture_notes"]["cut_short"]
    assert "note: read up to where it stops" in done.stderr
    complete, _ = show_json(closepath, CORPUS / "tcpdump-bgp-role.pcapng")
    assert len(data["connections"][0]["packets"]) == len(complete["connections"][0]["packets"]) - 1


def test_check_json_gives_the_verdict_and_the_wireshark_frame(closepath, tmp_path):
    scenario = tmp_path / "expect_rst.yaml"
    scenario.write_text("name: expect_rst\nsteps:\n  - client: connect\nexpect:\n  wire:\n"
                        "    - c>s S\n    - s>c S.\n    - ...\n    - c>s R.\n")
    done = closepath("check", "--json", CORPUS / "vlan.pcap", "--scenario", scenario)
    assert done.returncode == 1
    verdict = json.loads(done.stdout)
    assert verdict["verdict"] == "fail" and verdict["client"] == "10.0.0.1:24025"
    assert "expected a packet but the capture ended" in verdict["first_mismatch"]
    assert verdict["capture_notes"] == {"not_decoded": {}}
    # A mismatch on a packet names its Wireshark frame number.
    scenario.write_text("name: expect_rst\nsteps:\n  - client: connect\nexpect:\n  wire:\n"
                        "    - c>s S\n    - s>c R.\n    - ...\n")
    verdict = json.loads(closepath("check", "--json", CORPUS / "port_reuse.pcap", "--scenario", scenario).stdout)
    assert verdict["frame"] == 2 and "expected R. vs actual S." in verdict["first_mismatch"]


def test_a_piped_capture_reads_as_the_file_does(closepath):
    """A pipe cannot be read twice: it is copied to a temporary file first."""
    for name in ("port_reuse.pcap", "snaplen_96.pcap.gz", "tcpdump-bgp-role.pcapng"):
        from_file, _ = show_json(closepath, CORPUS / name)
        with open(CORPUS / name, "rb") as capture:
            piped = subprocess.run(["sh", "-c", f'cat | "{closepath.binary}" show --json /dev/stdin'], stdin=capture,
                                   capture_output=True, text=True, timeout=60)
        assert piped.returncode == 0, piped.stderr
        assert json.loads(piped.stdout)["connections"] == from_file["connections"], name


def frames_of_pcap(data):
    """The frames of a little-endian classic pcap."""
    frames, at = [], 24
    while at < len(data):
        caplen = struct.unpack_from("<I", data, at + 8)[0]
        frames.append(data[at + 16:at + 16 + caplen])
        at += 16 + caplen
    return frames


def test_memory_is_bounded_by_the_connection_judged_not_the_file(closepath, tmp_path):
    """A small connection, then 256 MiB of another's transfer: check and show
    of the small one read the file without holding it (peak RSS < 64 MiB)."""
    small = frames_of_pcap((CORPUS / "port_reuse.pcap").read_bytes())[:11]
    bulk = bytearray(small[2])  # the handshake's ACK, made a 1400-byte segment from another port
    struct.pack_into("!H", bulk, 34, 20000)
    struct.pack_into("!H", bulk, 16, struct.unpack_from("!H", bulk, 16)[0] + 1400)
    bulk += bytes(1400)
    big = tmp_path / "big.pcap"
    with open(big, "wb") as out:
        out.write(pcap_of(1, small))
        record = struct.pack("<IIII", 2, 0, len(bulk), len(bulk))
        for i in range(256 * 2**20 // (16 + len(bulk))):
            struct.pack_into("!I", bulk, 38, i * 1400)
            out.write(record + bulk)
    scenario = tmp_path / "graceful.yaml"
    scenario.write_text("name: graceful\nsteps:\n  - client: connect\nexpect:\n  wire:\n"
                        "    - c>s S\n    - s>c S.\n    - ...\n    - c>s F.\n    - ...\n")
    output = tmp_path / "output"
    for command in (["check", big, "--scenario", scenario, "--client", "10.0.0.1"],
                    ["show", "--json", big, "--client", "10.0.0.1:24025"]):
        with open(output, "wb") as out:
            proc = subprocess.Popen([closepath.binary, *map(str, command)], stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the test process's
        assert os.waitstatus_to_exitcode(status) == 0, output.read_text()
        assert usage.ru_maxrss < 64 * 1024, f"{command[0]}: peak RSS {usage.ru_maxrss} KiB"
    assert json.loads(output.read_text())["connections"][0]["packets"][-1]["frame"] == 11
