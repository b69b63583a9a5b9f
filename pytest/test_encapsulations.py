"""Each encapsulation the capture decoder reads (its registry:
`closepath help encapsulations`) on a corpus capture that holds it: tshark
decodes TCP through it, `show --json` gives the same connections (the
corpus test compares every packet), and `check` names the connection it
judged."""
import json
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "pcap" / "tests" / "data" / "corpus"

# capture, the layer tshark names on its TCP packets, the registry's name for it
CASES = [
    ("zeek-snap-tcp.pcap", "eth:llc:ip:tcp", "Ethernet"),
    ("zeek-llc.pcap.gz", "fddi:llc:ip:tcp", "FDDI"),
    ("zeek-nflog-http.pcap", "nflog:ip:tcp", "Linux NFLOG"),
    ("zeek-gre-aruba.pcap.gz", ":gre:wlan:llc:ip:tcp", "Aruba (WLAN controller)"),
    ("zeek-gre-over-udp-4754.pcap", ":udp:gre:ip:tcp", "GRE over UDP"),
    ("erspan_ii.pcap", ":gre:erspan:eth:", "ERSPAN type I and II"),
    ("erspan_iii.pcap", ":gre:erspan:eth:", "ERSPAN type III"),
    ("zeek-cisco-fabric-path.pcap", "eth:cfp:eth:", "Cisco FabricPath"),
    ("zeek-pbb.pcap", ":ieee8021ah:", "802.1ah PBB (MAC-in-MAC)"),
    ("zeek-vntag-vlan-sandwich-clean.pcap", ":vntag:", "VN-Tag"),
    ("zeek-pppoe-over-qinq.pcap.gz", ":vlan:ethertype:vlan:ethertype:pppoes:ppp:ip:tcp", "PPPoE session"),
    ("zeek-gtp1-gn-normal-incl-fragmentation.pcap.gz", ":udp:gtp:ip:tcp", "GTP-U"),
    ("zeek-gtp-ext-header.pcap", ":udp:gtp:ip:tcp", "GTP-U"),
    ("zeek-ayiya3.pcap", ":udp:ayiya:ipv6:tcp", "AYIYA"),
]


def registry_names(closepath):
    done = closepath("help", "encapsulations", "--format", "json")
    assert done.returncode == 0, done.stderr
    return {e["name"] for e in json.loads(done.stdout)}


@pytest.mark.skipif(not shutil.which("tshark"), reason="needs tshark")
@pytest.mark.parametrize("capture,layers,name", CASES, ids=[c[0] for c in CASES])
def test_each_encapsulation_is_read_and_checked(closepath, capture, layers, name):
    assert name in registry_names(closepath)
    protocols = subprocess.run(["tshark", "-n", "-r", CORPUS / capture, "-Y", "tcp", "-T", "fields", "-e",
                                "frame.protocols"], capture_output=True, text=True, timeout=120).stdout.splitlines()
    through = [p for p in protocols if layers in p]
    assert through, f"tshark reads no TCP through {layers} in {capture}: {set(protocols)}"
    shown = closepath("show", "--json", CORPUS / capture)
    assert shown.returncode == 0, shown.stderr
    connections = json.loads(shown.stdout)["connections"]
    assert sum(len(c["packets"]) for c in connections) == len(protocols)
    checked = closepath("check", "--json", CORPUS / capture, "--scenario", "graceful_fin")
    verdict = json.loads(checked.stdout)
    assert (verdict["client"], verdict["server"]) in {(c["client"], c["server"]) for c in connections}
    assert verdict["packets"] > 0


def test_an_a_msdu_is_named_not_guessed(closepath):
    """Two TCP segments in one 802.11 frame (an A-MSDU, through Aruba's GRE): named, exit 2, never half read."""
    capture = ROOT / "pcap" / "tests" / "data" / "aruba_amsdu.pcap"
    done = closepath("show", capture)
    assert done.returncode == 2
    assert "1 frame not decoded: 1 802.11 A-MSDU (not read)" in done.stderr
