"""The scripted TLS peer against real TLS programs: what `tls handshake`'s
options do (verify none, ca FILE, sni NAME; a server's cert FILE key FILE),
each shown by openssl's s_server or s_client on the other side."""
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="needs openssl (tools/bootstrap.sh installs it)")

# s_server takes only the name closepath.test (a fatal alert otherwise) and echoes each line reversed.
AGAINST_S_SERVER = r"""
# Claim: the scripted client's handshake, as its options make it, against openssl s_server.
name: tls_client_options
summary: tls handshake HANDSHAKE against s_server
steps:
  - server: exec openssl s_server -accept {port} -cert {cert} -key {key} -quiet -rev -servername closepath.test -servername_fatal -cert2 {cert} -key2 {key}
  - server: ready within 10s
  - client: connect
  - client: tls handshake HANDSHAKE within 5s
  - client: send "hi\n"
  - client: recv until "\n" -> "ih"
expect:
  wire: [c>s S, s>c S., c>s . seq 1 ack 1, ...]
"""

AGAINST_S_CLIENT = r"""
# Claim: the scripted server's certificate, as its options make it, against openssl s_client.
name: tls_server_options
summary: tls handshake HANDSHAKE against s_client -CAfile TRUST
steps:
  - server: listen
  - client: exec openssl s_client -connect {server_host}:{port} -CAfile TRUST -verify_return_error -ign_eof -quiet
  - server: accept within 10s
  - server: tls handshake HANDSHAKE within 5s
  - server: send "hello\n"
  - client: output ^hello$
expect:
  wire: [c>s S, s>c S., c>s . seq 1 ack 1, ...]
"""


@pytest.fixture(scope="module")
def own_certificate(tmp_path_factory):
    """A self-signed certificate for the server's addresses: not the run's CA's."""
    where = tmp_path_factory.mktemp("own")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", where / "own.key", "-out", where / "own.pem", "-days", "1", "-subj", "/CN=own",
                    "-addext", "subjectAltName=IP:10.0.0.2,IP:fd00::2"], check=True, capture_output=True)
    return where


def run(closepath, tmp_path, own, template, handshake, family, trust="{ca}"):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(template.replace("HANDSHAKE", handshake).replace("TRUST", trust).replace("{own}", str(own)))
    return closepath("run", scenario, "--out", tmp_path / "out", *(["--ipv6"] if family == "ipv6" else []))


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("handshake, said", [
    # the run's CA and the server's address: the default verifies
    ("", None),
    # the certificate is for the address, not the name: verifying for the name fails ...
    ("sni closepath.test", r"step 4 \(client tls handshake sni closepath\.test within 5s\): expected ok vs actual ssl_error .*certificate verify failed"),
    # ... and verify none takes it; s_server saw the name (it refuses any other)
    ("sni closepath.test verify none", None),
    ("sni other.test verify none", r"expected ok vs actual ssl_error .*unrecognized name"),
    # a CA that did not sign the server's certificate
    ("ca {own}/own.pem", r"expected ok vs actual ssl_error .*certificate verify failed"),
])
def test_the_scripted_clients_handshake_options(closepath, tmp_path, own_certificate, handshake, said, family):
    done = run(closepath, tmp_path, own_certificate, AGAINST_S_SERVER, handshake, family)
    assert done.returncode == (0 if said is None else 1), done.stdout + done.stderr
    if said:
        assert re.search(said, done.stdout), done.stdout


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("handshake, trust, said", [
    ("", "{ca}", None),
    ("cert {own}/own.pem key {own}/own.key", "{own}/own.pem", None),
    # s_client trusts the run's CA, and the server presents its own certificate: s_client's alert ends the handshake
    ("cert {own}/own.pem key {own}/own.key", "{ca}", r"step 4 \(server tls handshake cert .*own\.key within 5s\): expected ok vs actual ssl_error .*alert unknown ca"),
])
def test_the_scripted_servers_certificate(closepath, tmp_path, own_certificate, handshake, trust, said, family):
    done = run(closepath, tmp_path, own_certificate, AGAINST_S_CLIENT, handshake, family, trust)
    assert done.returncode == (0 if said is None else 1), done.stdout + done.stderr
    if said:
        assert re.search(said, done.stdout), done.stdout


@pytest.mark.parametrize("side, handshake, message", [
    ("server", "sni x.test", r"verify, ca and sni are the TLS client's"),
    ("client", "cert {dir}/a.pem key {dir}/a.key", r"cert and key are the TLS server's"),
    ("client", "verify maybe", r"verify takes 'none', got 'maybe'"),
    ("client", "verify none ca {dir}/a.pem", r"verify none and ca FILE contradict each other"),
    ("server", "cert {dir}/a.pem", r"cert FILE and key FILE go together"),
    ("client", "sni 'a b'", r"(is not a host name|unknown word)"),
    ("client", "ca {dir}/no-such.pem", r"cannot read ca FILE '.*/no-such\.pem'"),
    ("client", "ca {out}/ca.pem", r"only \{dir\} may open the path of ca FILE"),
    ("client", "wibble", r"unknown word 'wibble'"),
])
def test_bad_handshake_options_are_refused_when_read(closepath, tmp_path, side, handshake, message):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"name: bad\nsteps:\n  - server: listen\n  - client: connect\n  - server: accept\n"
                        f"  - {side}: tls handshake {handshake}\nexpect:\n  wire: [...]\n")
    done = closepath("run", scenario, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stdout + done.stderr
    assert re.search(rf"bad\.yaml:6: .*{message}", done.stderr), done.stderr
