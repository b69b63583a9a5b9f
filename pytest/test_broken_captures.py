"""Captures come from anywhere: however broken, `show` and `check` answer with
exit 0, 1 or 2 and one line, never a crash, a hang or undefined behaviour
(the sanitizer build runs this file too). Each case is a capture built or
mutated here from a good one the harness made."""
import json
import re
import struct

import pytest

from closepath_plugin import ROOT

GOOD = (ROOT / "pcap" / "tests" / "data" / "graceful_fin.pcapng").read_bytes()
SCENARIO = ROOT / "scenarios" / "graceful_fin.yaml"
SHB, IDB, EPB = 0x0A0D0D0A, 1, 6


def blocks(data):
    """(offset, type, length) of each block of a little-endian pcapng file."""
    out, at = [], 0
    while at + 8 <= len(data):
        kind, total = struct.unpack_from("<II", data, at)
        out.append((at, kind, total))
        at += total
    return out


def first(kind):
    return next(b for b in blocks(GOOD) if b[1] == kind)


def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", kind, total) + body + struct.pack("<I", total)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def shb(comments=()):
    opts = b"".join(option(1, c.encode()) for c in comments) + (option(0, b"") if comments else b"")
    return block(SHB, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opts)


def idb(link_type=1, tsresol=None):
    opts = option(9, bytes([tsresol])) + option(0, b"") if tsresol is not None else b""
    return block(IDB, struct.pack("<HHI", link_type, 0, 262144) + opts)


def epb(frame, interface=0, ticks=0, captured=None, original=None):
    captured = len(frame) if captured is None else captured
    original = len(frame) if original is None else original
    return block(EPB, struct.pack("<IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF, captured, original) + frame)


def frames_of_good():
    """The good capture's frames, as bytes."""
    out = []
    for at, kind, total in blocks(GOOD):
        if kind == EPB:
            captured = struct.unpack_from("<I", GOOD, at + 20)[0]
            out.append(GOOD[at + 28:at + 28 + captured])
    return out


def with_facts(facts):
    """The good capture's frames under a section whose run-facts comment is `facts`."""
    comment = "closepath-run-facts " + (facts if isinstance(facts, str) else json.dumps(facts))
    return shb([comment]) + idb() + b"".join(epb(f, ticks=i * 1000) for i, f in enumerate(frames_of_good()))


def good_facts(**change):
    facts = {"version": 1, "scenario": "graceful_fin", "verdict": "pass", "client": "10.0.0.1", "client_port": 0,
             "server_port": 47000, "anchors": [], "kernel_states": {}, "leftovers": {}}
    facts.update(change)
    return facts


def swap_block_lengths(data):
    """The same file written big-endian: every 32/16-bit field of our known blocks swapped."""
    out = bytearray()
    for at, kind, total in blocks(data):
        body = data[at + 8:at + total - 4]
        if kind == SHB:
            new_body = struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1)
        elif kind == IDB:
            link, _, snap = struct.unpack_from("<HHI", body)
            new_body = struct.pack(">HHI", link, 0, snap)
        elif kind == EPB:
            iface, hi, lo, cap, orig = struct.unpack_from("<IIIII", body)
            new_body = struct.pack(">IIIII", iface, hi, lo, cap, orig) + body[20:20 + cap]
            new_body += b"\0" * (-len(new_body) % 4)
        else:
            continue
        t = 12 + len(new_body)
        out += struct.pack(">II", kind, t) + new_body + struct.pack(">I", t)
    return bytes(out)


_, _, epb_len = first(EPB)
epb_at = first(EPB)[0]

CASES = [
    # (id, bytes, allowed exit codes, what the one line says when refused)
    ("empty_file", b"", {2}, r""),
    ("garbage", b"this is not a capture at all\n" * 10, {2}, r""),
    ("truncated_header", GOOD[:epb_at + 6], {2}, r"the file ends inside a block header"),
    ("cut_mid_block", GOOD[:epb_at + 20], {2}, r"runs past the end of the file"),
    ("length_not_multiple_of_4", GOOD[:epb_at + 4] + struct.pack("<I", epb_len + 1) + GOOD[epb_at + 8:], {2}, r"not a multiple of 4"),
    ("length_below_12", GOOD[:epb_at + 4] + struct.pack("<I", 8) + GOOD[epb_at + 8:], {2}, r"not a multiple of 4 of at least 12"),
    ("length_past_end", GOOD[:epb_at + 4] + struct.pack("<I", 0x7FFFFFF0) + GOOD[epb_at + 8:], {2}, r"runs past the end"),
    ("trailing_length_lies", GOOD[:epb_at + epb_len - 4] + struct.pack("<I", epb_len + 4) + GOOD[epb_at + epb_len:], {2}, r"trailing length differs"),
    ("epb_12_bytes", shb() + idb() + block(EPB, b""), {2}, r"packet block too short"),
    ("epb_captured_overruns", shb() + idb() + epb(b"\0" * 60, captured=5000), {2}, r"overruns its block"),
    ("epb_undescribed_interface", shb() + idb() + epb(frames_of_good()[0], interface=7), {2}, r"names interface 7"),
    ("epb_before_any_interface", shb() + epb(frames_of_good()[0]), {2}, r"names interface 0"),
    ("no_section_header", idb() + epb(frames_of_good()[0]), {2}, r""),
    ("bad_byte_order_magic", block(SHB, struct.pack("<IHHq", 0x11223344, 1, 0, -1)) + idb(), {2}, r"unknown byte-order magic"),
    ("tsresol_decimal_extreme", shb() + idb(tsresol=0x7F) + epb(frames_of_good()[0]), {2}, r"beyond 64 bits"),
    ("tsresol_binary_extreme", shb() + idb(tsresol=0xFF) + epb(frames_of_good()[0]), {2}, r"beyond 64 bits"),
    ("tsresol_finest_decimal", shb() + idb(tsresol=19) + b"".join(epb(f, ticks=2**64 - 1) for f in frames_of_good()), {0, 1}, r""),
    ("timestamps_extreme", shb() + idb(tsresol=0) + b"".join(epb(f, ticks=(2**64 - 1) if i % 2 else 0)
                                                           for i, f in enumerate(frames_of_good())), {0, 1}, r""),
    ("timestamps_backwards", shb() + idb() + b"".join(epb(f, ticks=10**12 - i * 10**9) for i, f in enumerate(frames_of_good())), {0, 1}, r""),
    ("big_endian", swap_block_lengths(GOOD), {0, 1}, r""),
    ("only_non_tcp", shb() + idb() + epb(b"\xff" * 6 + b"\x02" * 6 + b"\x08\x06" + b"\0" * 28), {2}, r"no TCP connection in the capture"),
    ("unsupported_link_type", shb() + idb(link_type=147) + epb(b"\0" * 64), {2}, r"no TCP connection"),
    ("frame_all_zero", shb() + idb() + epb(b"\0" * 14), {2}, r"no TCP connection"),
    ("frame_tiny", shb() + idb() + epb(b"\x08"), {2}, r"no TCP connection"),
    ("tcp_header_offset_lies", shb() + idb() + epb(frames_of_good()[0][:46] + bytes([0xF0]) + frames_of_good()[0][47:]), {2}, r"no TCP connection"),
    # run-facts comments, which any capture may carry
    ("facts_not_json", with_facts("{not json"), {2}, r"closepath-run-facts comment is malformed: not JSON"),
    ("facts_array", with_facts("[1, 2]"), {2}, r"malformed: no client"),
    ("facts_missing_anchors", with_facts({k: v for k, v in good_facts().items() if k != "anchors"}), {2}, r"malformed: no anchors"),
    ("facts_anchor_string", with_facts(good_facts(anchors=["x"])), {2}, r"anchors\[0\] is not a whole number"),
    ("facts_anchor_huge", with_facts(good_facts(anchors=[1e30])), {2}, r"anchors\[0\] is not a whole number"),
    ("facts_anchor_negative", with_facts(good_facts(anchors=[-5])), {2}, r"anchors\[0\] is out of range"),
    ("facts_anchor_max", with_facts(good_facts(anchors=[2**63 - 1])), {2}, r"anchors\[0\] is out of range"),
    ("facts_port_out_of_range", with_facts(good_facts(client_port=70000)), {2}, r"client_port is out of range"),
    ("facts_client_number", with_facts(good_facts(client=5)), {2}, r"client is not a string"),
    ("facts_kernel_not_state", with_facts(good_facts(kernel_states={"client": ["NAPPING"]})), {2}, r"names no TCP state: NAPPING"),
    ("facts_kernel_not_list", with_facts(good_facts(kernel_states={"client": "CLOSE"})), {2}, r"kernel_states.client is not a list"),
    ("facts_kernel_object_wrong", with_facts(good_facts(kernel_states=[])), {2}, r"must be objects"),
    ("facts_leftover_missing_field", with_facts(good_facts(leftovers={"server": [{"state": "CLOSE_WAIT"}]})), {2}, r"malformed: no local"),
    ("facts_leftover_wrong_type", with_facts(good_facts(leftovers={"server": [{"state": 1}]})), {2}, r"state is not a string"),
    ("facts_leftovers_not_list", with_facts(good_facts(leftovers={"client": 3})), {2}, r"leftovers.client is not a list"),
    ("facts_good", with_facts(good_facts()), {0, 1}, r""),
]


@pytest.mark.parametrize("case,data,codes,message", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["show", "check"])
def test_a_broken_capture_gets_one_line(closepath, tmp_path, case, data, codes, message, command):
    capture = tmp_path / f"{case}.pcapng"
    capture.write_bytes(data)
    args = ["show", capture] if command == "show" else ["check", capture, "--scenario", SCENARIO]
    done = closepath(*args, timeout=30)
    assert done.returncode in codes, f"exit {done.returncode}: {done.stdout[-2000:]}{done.stderr}"
    assert done.returncode in (0, 1, 2), done.stderr
    assert "internal error" not in done.stderr and "runtime error" not in done.stderr, done.stderr
    if done.returncode == 2:
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"{capture}"), lines[0]
        assert re.search(message, lines[0]), f"expected /{message}/ in: {lines[0]}"


def test_big_endian_reads_like_little_endian(closepath, tmp_path):
    little, big = tmp_path / "little.pcapng", tmp_path / "big.pcapng"
    little.write_bytes(GOOD)
    big.write_bytes(swap_block_lengths(GOOD))
    a, b = closepath("show", little), closepath("show", big)
    assert a.returncode == b.returncode == 0, b.stderr
    # (the swapped copy drops the interfaces' options, so only the time column may differ)
    assert [line[10:] for line in a.stdout.splitlines()[1:]] == [line[10:] for line in b.stdout.splitlines()[1:]]


def test_what_the_wire_did_is_unknown_without_its_record(closepath, tmp_path):
    """`wire EFFECT` reads the run's record; a capture without one cannot tell, and says so."""
    scenario = tmp_path / "graceful_fin.yaml"
    scenario.write_text(SCENARIO.read_text().replace("    - c>s P. seq 1 ack 1 len 100\n",
                                                     "    - c>s P. seq 1 ack 1 len 100 wire delayed\n", 1))
    bare = tmp_path / "bare.pcapng"
    bare.write_bytes(shb() + idb() + b"".join(epb(f, ticks=i * 1000) for i, f in enumerate(frames_of_good())))
    done = closepath("check", bare, "--scenario", scenario)
    assert done.returncode == 2, done.stdout + done.stderr
    assert re.search(r"graceful_fin\.yaml:\d+: names what the wire did \('wire \.\.\.'\), which .*bare\.pcapng does not "
                     r"record .*: unknown, not judged", done.stderr), done.stderr
    # Run facts with the record: judged, and that packet was not delayed.
    recorded = tmp_path / "recorded.pcapng"
    recorded.write_bytes(with_facts(good_facts(version=3, effects={})))
    judged = closepath("check", recorded, "--scenario", scenario)
    assert judged.returncode == 1, judged.stdout + judged.stderr
    assert "expected wire delayed vs actual untouched by the wire" in judged.stdout, judged.stdout
