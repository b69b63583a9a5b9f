#!/usr/bin/python3
"""Makes the synthetic captures of pcap/tests/data/corpus/ (see SOURCES.md
there): closepath's own graceful_fin and linger_zero captures re-wrapped in
the encapsulations public captures seldom hold together with TCP (VLAN,
QinQ, PPPoE, MPLS, Linux cooked v2, IPv4 and IPv6 fragments, IPv6 extension
headers, ERSPAN types II and III), a port pair used by two connections, a stale RST before the
SYN-ACK, a capture begun mid-connection, and a capture cut by a snaplen (also gzipped). Deterministic: running it again gives the
same bytes.

    tools/make_corpus.py            # writes into pcap/tests/data/corpus/
"""
import gzip
import pathlib
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "pcap" / "tests" / "data"
OUT = DATA / "corpus"


def frames_of(name):
    """(ts_sec, ts_usec, bytes) of each frame of a test capture, via editcap to classic pcap."""
    with tempfile.TemporaryDirectory() as tmp:
        pcap = pathlib.Path(tmp) / "x.pcap"
        subprocess.run(["editcap", "-F", "pcap", str(DATA / f"{name}.pcapng"), str(pcap)], check=True)
        data = pcap.read_bytes()
    frames, at = [], 24
    while at < len(data):
        sec, usec, cap, _ = struct.unpack_from("<IIII", data, at)
        frames.append((sec, usec, data[at + 16:at + 16 + cap]))
        at += 16 + cap
    return frames


def write_pcap(name, link_type, frames, snaplen=262144):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, link_type)
    for sec, usec, data, *orig in frames:
        out += struct.pack("<IIII", sec, usec, len(data), orig[0] if orig else len(data)) + data
    (OUT / name).write_bytes(out)
    return out


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_header_checksum(header):
    header = header[:10] + b"\0\0" + header[12:]
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:]


def split_ether(frame):
    return frame[:12], frame[12:14], frame[14:]


def to_ipv6(ip4, extension=b"", next_after=6):
    """The same TCP segment over IPv6 (fd00::1 / fd00::2 for 10.0.0.1 / 10.0.0.2), TCP checksum redone."""
    ihl = (ip4[0] & 0x0F) * 4
    tcp = bytearray(ip4[ihl:struct.unpack("!H", ip4[2:4])[0]])
    src = bytes.fromhex("fd000000000000000000000000000000")[:15] + ip4[15:16]
    dst = bytes.fromhex("fd000000000000000000000000000000")[:15] + ip4[19:20]
    tcp[16:18] = b"\0\0"
    pseudo = src + dst + struct.pack("!I", len(tcp)) + b"\0\0\0\x06"
    tcp[16:18] = struct.pack("!H", checksum(pseudo + bytes(tcp)))
    first = next_after if not extension else 0  # hop-by-hop first when there are extension headers
    return struct.pack("!IHBB", 0x60000000, len(extension) + len(tcp), first, 64) + src + dst + extension + bytes(tcp)


def encapsulations(fin):
    """graceful_fin under each link-layer wrapping and IPv6 extension headers."""
    def rewrap(name, wrap, link_type=1, source=fin):
        write_pcap(name, link_type, [(s, u, wrap(f)) for s, u, f in source])

    rewrap("vlan.pcap", lambda f: f[:12] + b"\x81\x00\x00\x64" + f[12:])
    rewrap("qinq.pcap", lambda f: f[:12] + b"\x88\xa8\x00\x0a\x81\x00\x00\x64" + f[12:])
    rewrap("pppoe.pcap", lambda f: f[:12] + b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, 0x1234, len(f) - 14 + 2)
           + b"\x00\x21" + f[14:])
    rewrap("mpls.pcap", lambda f: f[:12] + b"\x88\x47" + struct.pack("!II", (100 << 12) | 64, (200 << 12) | 0x100 | 64)
           + f[14:])
    rewrap("sll2.pcap", lambda f: b"\x08\x00\x00\x00" + struct.pack("!IHBB", 2, 1, 0, 6) + f[6:12] + b"\0\0" + f[14:],
           link_type=276)
    # IPv6 with a hop-by-hop and a destination options header (8 bytes each, PadN) in front of TCP.
    hbh = bytes([60, 0, 1, 4, 0, 0, 0, 0])
    dst = bytes([6, 0, 1, 4, 0, 0, 0, 0])
    rewrap("ipv6_extension_headers.pcap", lambda f: f[:12] + b"\x86\xdd" + to_ipv6(f[14:], hbh + dst))


def outer_ipv4(protocol, payload):
    """An outer Ethernet + IPv4 header (192.0.2.1 to 192.0.2.2, a collector's network) around a tunnel's bytes."""
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, protocol, 0,
                         bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ipv4_header_checksum(header) + payload


def erspan(fin):
    """graceful_fin mirrored to a collector by ERSPAN type II and type III (with its platform subheader)."""
    def type_2(n, f):  # GRE with a sequence number, protocol 0x88be; version 1, VLAN 0, session 7, index 0
        return struct.pack("!HHI", 0x1000, 0x88BE, n) + struct.pack("!HHI", 0x1000, 7, 0) + f

    def type_3(n, f):  # GRE with a sequence number, protocol 0x22eb; version 2, session 7, a timestamp, O set
        header = struct.pack("!HHIHBB", 0x2000, 7, 1000 * n, 0, 0, 0x01)
        return struct.pack("!HHI", 0x1000, 0x22EB, n) + header + struct.pack("!II", 0x03 << 26, 0) + f

    for name, wrap in (("erspan_ii.pcap", type_2), ("erspan_iii.pcap", type_3)):
        write_pcap(name, 1, [(s, u, outer_ipv4(47, wrap(n, f))) for n, (s, u, f) in enumerate(fin)])


def ipv4_fragments(data):
    """linger_zero with its data segment in IPv4 fragments."""
    # IPv4 fragments: the data segment of linger_zero (1000 bytes) in three
    # fragments sent last-first; every other frame as it was.
    frames = []
    for s, u, f in data:
        ip = f[14:]
        total = struct.unpack("!H", ip[2:4])[0]
        if total < 200:
            frames.append((s, u, f))
            continue
        ihl = (ip[0] & 0x0F) * 4
        body = ip[ihl:total]
        pieces = [(0, body[:512], True), (512, body[512:1000], True), (1000, body[1000:], False)]
        for offset, piece, more in reversed(pieces):
            header = bytearray(ip[:ihl])
            header[2:4] = struct.pack("!H", ihl + len(piece))
            header[6:8] = struct.pack("!H", (0x2000 if more else 0) | (offset // 8))
            frames.append((s, u, f[:14] + ipv4_header_checksum(bytes(header)) + piece))
    write_pcap("ipv4_fragments.pcap", 1, frames)


def ipv6_fragments(data):
    """linger_zero with its data segment in IPv6 fragments."""
    # IPv6 fragments of the same segment (a fragment header, in order).
    frames = []
    for s, u, f in data:
        six = to_ipv6(f[14:])
        if len(six) < 200:
            frames.append((s, u, f[:12] + b"\x86\xdd" + six))
            continue
        head, tcp = six[:40], six[40:]
        for offset, piece, more in [(0, tcp[:512], True), (512, tcp[512:], False)]:
            h = bytearray(head)
            h[4:6] = struct.pack("!H", 8 + len(piece))
            h[6] = 44
            frag = struct.pack("!BBHI", 6, 0, offset | (1 if more else 0), 0x1234)
            frames.append((s, u, f[:12] + b"\x86\xdd" + bytes(h) + frag + piece))
    write_pcap("ipv6_fragments.pcap", 1, frames)


def shifted(f, by):
    """An IPv4 frame with both sequence numbers moved on by `by`, its TCP checksum redone."""
    f = bytearray(f)
    ihl = (f[14] & 0x0F) * 4
    tcp = 14 + ihl
    seq, ack = struct.unpack_from("!II", f, tcp + 4)
    struct.pack_into("!I", f, tcp + 4, (seq + by) & 0xFFFFFFFF)
    if f[tcp + 13] & 0x10:
        struct.pack_into("!I", f, tcp + 8, (ack + by) & 0xFFFFFFFF)
    total = struct.unpack_from("!H", f, 16)[0]
    src, dst = bytes(f[26:30]), bytes(f[30:34])
    struct.pack_into("!H", f, tcp + 16, 0)
    segment = bytes(f[tcp:14 + total])
    struct.pack_into("!H", f, tcp + 16, checksum(src + dst + struct.pack("!BBH", 0, 6, len(segment)) + segment))
    return bytes(f)


def port_reuse(fin):
    """The same port pair used twice."""
    # The same port pair used twice: graceful_fin, then graceful_fin again a
    # second later with both ISNs moved on (a new connection from its SYN on).
    write_pcap("port_reuse.pcap", 1, [(s, u, f) for s, u, f in fin] +
               [(s + 1, u, shifted(f, 1_000_000)) for s, u, f in fin])


def early_rst(fin):
    """A stale RST before the SYN-ACK."""
    # A stale RST from the server's side (another incarnation's sequence
    # numbers, no ACK: a client in SYN_SENT ignores it) before the SYN-ACK:
    # the SYN, not the first segment seen, sets the server's ISN.
    syn_ack = bytearray(fin[1][2])
    ihl = (syn_ack[14] & 0x0F) * 4
    stale = bytearray(syn_ack[:14 + ihl + 20])
    struct.pack_into("!H", stale, 16, ihl + 20)
    stale[14 + ihl + 12] = 5 << 4
    stale[14 + ihl + 13] = 0x04  # R
    struct.pack_into("!II", stale, 14 + ihl + 4, (struct.unpack_from("!I", syn_ack, 14 + ihl + 4)[0] + 5_000_000) & 0xFFFFFFFF, 0)
    stale[14:14 + ihl] = ipv4_header_checksum(bytes(stale[14:14 + ihl]))
    write_pcap("early_rst.pcap", 1, [fin[0], (fin[0][0], fin[0][1] + 50, shifted(bytes(stale), 0))] + fin[1:])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    fin = frames_of("graceful_fin")
    data = frames_of("linger_zero")  # has a 1000-byte segment
    encapsulations(fin)
    erspan(fin)
    ipv4_fragments(data)
    ipv6_fragments(data)
    port_reuse(fin)
    early_rst(fin)
    # A capture begun after the handshake.
    write_pcap("mid_connection.pcap", 1, fin[3:])

    # A snaplen of 96: every data segment cut after its headers.
    cut = write_pcap("snaplen_96.pcap", 1, [(s, u, f[:96], len(f)) for s, u, f in data], snaplen=96)
    (OUT / "snaplen_96.pcap.gz").write_bytes(gzip.compress(cut, mtime=0))


if __name__ == "__main__":
    main()
