"""Each peer against the peer protocol (docs/protocol.md, `closepath help
protocol --format json`): driven directly over its fd-3 channel on this
host's loopback, through every command the spec lists, each answer checked
for its form and for what it says. A peer in a new language passes this
before the catalogue runs with it."""
import errno
import json
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

from closepath_plugin import ROOT


@pytest.fixture(scope="module")
def spec(closepath):
    printed = closepath("help", "protocol", "--format", "json")
    assert printed.returncode == 0, printed.stderr
    return json.loads(printed.stdout)


def free_port(family):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        return s.getsockname()[1]


def on_fd_3(fd):
    """In the child, before exec: the channel on fd 3, inherited (pass_fds keeps 3 open)."""
    if fd == 3:
        os.set_inheritable(3, True)
    else:
        os.dup2(fd, 3)


class Peer:
    """One peer process and its channel: commands out, answers in, each checked against the spec."""

    def __init__(self, program, spec, role, local, remote, port, client_port):
        self.spec, self.role, self.next_id, self.kept, self.ops = spec, role, 0, {}, set()
        ours, theirs = socket.socketpair()
        self.channel = ours
        self.reader = ours.makefile("rb")
        self.process = subprocess.Popen(
            [str(program), "--role", role, "--local", local, "--remote", remote, "--port", str(port),
             "--client-port", str(client_port)],
            pass_fds=(3,), preexec_fn=lambda: on_fd_3(theirs.fileno()), stdin=subprocess.DEVNULL)
        theirs.close()
        self.hello = self.line(10)
        self.runtime = self.hello.get("runtime", "asio")

    def line(self, timeout):
        self.channel.settimeout(timeout)
        raw = self.reader.readline()
        assert raw, f"the {self.role} peer closed its channel (exit {self.process.poll()})"
        return json.loads(raw)

    def send(self, op, within_ms=2000, **fields):
        self.next_id += 1
        self.ops.add(op)
        command = {"id": self.next_id, "op": op, "within_ms": within_ms, **fields}
        self.channel.sendall((json.dumps(command) + "\n").encode())
        return self.next_id

    def answer(self, ident, timeout=10):
        while ident not in self.kept:
            a = self.line(timeout)
            assert "fatal" not in a, f"the {self.role} peer refused a command: {a}"
            self.kept[a["id"]] = checked_answer(self.spec, a, self.runtime)
        return self.kept.pop(ident)

    def call(self, op, within_ms=2000, **fields):
        return self.answer(self.send(op, within_ms, **fields))

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.channel.close()


def checked_answer(spec, a, runtime):
    """The answer in the spec's form, and the end closepath names for it (the spec's rule, applied here)."""
    allowed = {f["name"] for f in spec["outcome_fields"]}
    assert set(a) <= allowed, f"fields not in the spec: {set(a) - allowed}"
    assert isinstance(a["id"], int) and isinstance(a["bytes"], int) and a["bytes"] >= 0, a
    if "end" in a:
        assert isinstance(a["end"], str), a
        return a
    said = a.get("runtime")
    assert isinstance(said, dict) and isinstance(said.get("said"), str) and isinstance(said.get("is"), list), \
        f"an answer without end needs its runtime's words: {a}"
    a = dict(a)
    if "errno" in a:
        a["end"] = errno.errorcode[a["errno"]]
    else:
        named = [w["end"] for w in spec["runtime_words"] if w["runtime"] == runtime and w["word"] in said["is"]]
        a["end"] = named[0] if named else f"{runtime}:{said['is'][0] if said['is'] else said['said']}"
    return a


def program_of(closepath, runtime, spec):
    name = next(r["program"] for r in spec["runtimes"] if r["name"] == runtime)
    program = closepath.binary.parent / name
    if not program.exists():
        pytest.skip(f"{name} is not built here (tools/bootstrap.sh installs what it needs)")
    return program


def peers(closepath, spec, runtime, server_runtime=None):
    """A client of `runtime` and a server of `server_runtime` (the same by default) on loopback."""
    port, client_port = free_port(socket.AF_INET), free_port(socket.AF_INET)
    server = Peer(program_of(closepath, server_runtime or runtime, spec), spec, "server", "127.0.0.1", "127.0.0.1",
                  port, client_port)
    client = Peer(program_of(closepath, runtime, spec), spec, "client", "127.0.0.1", "127.0.0.1", port, client_port)
    return client, server


@pytest.fixture(params=["asio", "go", "python", "asyncio"])
def pair(request, closepath, spec):
    """A client and a server peer of one runtime on loopback."""
    client, server = peers(closepath, spec, request.param)
    yield request.param, client, server
    client.close()
    server.close()


@pytest.fixture(params=["asio", "go", "python", "asyncio"])
def tls_pair(request, closepath, spec):
    """As pair, but an asyncio client meets an Asio server: an asyncio server's StreamReader takes a ClientHello
    that comes before its start_tls(), which then never completes (a race the catalogue's TLS scenarios say
    `differs:` for); its tls_stall is tested on its own."""
    client, server = peers(closepath, spec, request.param, "asio" if request.param == "asyncio" else None)
    yield request.param, client, server
    client.close()
    server.close()


def test_every_peer_says_hello_with_its_runtime(pair):
    runtime, client, server = pair
    for peer in (client, server):
        assert peer.hello.get("runtime", "asio") == runtime
        assert peer.hello["pid"] == peer.process.pid


def test_every_peer_carries_a_connection_through_every_plain_command(pair, spec):
    runtime, c, s = pair
    assert s.call("listen")["end"] == "ok"
    assert s.call("get", item="tcp_info")["tcp_info"]["state"] == "LISTEN"
    assert c.call("set", name="nodelay", value=1)["end"] == "ok"  # before the socket: kept for it
    assert c.call("connect")["end"] == "ok"
    assert s.call("accept")["end"] == "ok"
    info = c.call("get", item="tcp_info")["tcp_info"]
    assert info["state"] == "ESTABLISHED" and set(spec["tcp_info_fields"]) <= set(info)
    assert c.call("send", n=7, hex=b"hello\r\n".hex())["bytes"] == 7
    line = s.call("recv_until", hex=b"\r\n".hex(), keep=True)
    assert (line["end"], bytes.fromhex(line["hex"])) == ("ok", b"hello\r\n")
    assert c.call("send", n=100)["bytes"] == 100
    got = s.call("recv", mode="exact", n=100, keep=True)
    assert bytes.fromhex(got["hex"]) == (b"abcdefghijklmnopqrstuvwxyz" * 4)[:100]
    assert c.call("drain")["end"] == "ok" and c.call("get", item="outq")["bytes"] == 0
    # A read that waits while the other side's commands go on: answers come as commands end.
    pending = s.send("recv", within_ms=3000)
    assert c.call("send_message", announce=10, n=10)["bytes"] == 10
    first = s.answer(pending)
    assert first["end"] == "ok" and first["bytes"] > 0
    if first["bytes"] < 14:
        s.call("recv", mode="exact", n=14 - first["bytes"])
    deadline = s.call("recv", within_ms=200)
    assert deadline["end"] in ("operation_aborted", "deadline_exceeded") and deadline.get("deadline"), deadline
    assert s.call("set", name="tcp_inq", value=1)["end"] == "ok"
    c.call("send", n=5)
    if runtime == "asyncio":  # its StreamReader takes bytes as they come: the kernel holds none, poll sees none
        assert s.call("poll", within_ms=300)["end"] == "deadline_exceeded"
        assert s.call("get", item="inq")["bytes"] == 0 and s.call("get", item="cm_inq")["end"] == "EAGAIN"
    else:
        assert s.call("poll")["end"] == "readable"
        assert s.call("get", item="inq")["bytes"] == 5 and s.call("get", item="cm_inq")["bytes"] == 5
    assert s.call("recv")["bytes"] == 5
    assert c.call("send_message", announce=100, n=10)["bytes"] == 10
    assert c.call("shutdown", how="wr")["end"] == "ok"
    cut = s.call("recv_message")
    assert (cut["end"], cut["bytes"], cut["announced"]) == ("eof", 10, 100), cut
    assert s.call("poll")["end"] in ("rdhup", "readable")
    assert s.call("get", item="so_error")["end"] == "ok"
    assert s.call("recv", mode="all")["end"] == "eof"
    assert s.call("shutdown", how="rdwr")["end"] == "ok"
    assert c.call("recv", mode="all")["end"] == "eof"
    assert c.call("close")["end"] == "ok" and s.call("close")["end"] == "ok"
    assert s.call("close")["end"] == "ok"  # the listener
    assert s.call("close")["end"] == "EBADF"  # nothing left


def test_a_peer_reports_a_reset_in_its_runtime_words(pair):
    runtime, c, s = pair
    s.call("listen")
    c.call("connect")
    s.call("accept")
    assert s.call("set", name="linger", value=0)["end"] == "ok"
    assert s.call("close")["end"] == "ok"
    reset = c.call("recv")
    assert reset["end"] == "ECONNRESET" and reset["errno"] == errno.ECONNRESET, reset
    if runtime != "asio":
        assert reset["runtime"]["said"], reset
    refused = c.call("connect", port=free_port(socket.AF_INET))
    assert refused["end"] == "ECONNREFUSED", refused


@pytest.fixture(scope="module")
def credentials(tmp_path_factory):
    """A self-signed certificate for the loopback address: the server's and the client's CA at once."""
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=closepath-conformance", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", d / "key.pem", "-out", d / "cert.pem"], check=True, capture_output=True, timeout=60)
    cert, key = (d / "cert.pem").read_text(), (d / "key.pem").read_text()
    return {"ca": cert, "cert": cert, "key": key}


def connected(c, s, credentials=None):
    """The client connected to the server; with credentials, each side given its half of them first."""
    if credentials:
        assert c.call("tls_setup", ca=credentials["ca"])["end"] == "ok"
        assert s.call("tls_setup", cert=credentials["cert"], key=credentials["key"])["end"] == "ok"
    assert s.call("listen")["end"] == "ok" and c.call("connect")["end"] == "ok" and s.call("accept")["end"] == "ok"


def stalled_handshake(c, s):
    """The client's handshake meets a server that reads the ClientHello and never answers: its deadline ends it."""
    shake = c.send("tls_handshake", within_ms=500)
    stalled = s.call("tls_stall")
    assert stalled["end"] == "ok" and stalled["bytes"] > 5
    timed_out = c.answer(shake)
    assert timed_out["end"] in ("operation_aborted", "deadline_exceeded") and timed_out.get("deadline"), timed_out


def test_every_peer_speaks_tls_through_close_notify(tls_pair, credentials):
    runtime, c, s = tls_pair
    connected(c, s, credentials)
    shake = c.send("tls_handshake", within_ms=5000)
    assert s.call("tls_handshake", within_ms=5000)["end"] == "ok"
    assert c.answer(shake)["end"] == "ok"
    assert c.call("send", n=5)["bytes"] == 5 and s.call("recv", mode="exact", n=5)["end"] == "ok"
    notify = c.send("tls_close_notify", within_ms=3000)
    assert s.call("tls_close_notify", within_ms=3000)["end"] == "ok"
    assert c.answer(notify)["end"] == "ok"


def test_every_peer_stalls_a_handshake_and_meets_a_verification_failure(tls_pair, credentials):
    runtime, c, s = tls_pair
    connected(c, s, credentials)
    stalled_handshake(c, s)
    c.call("close")
    s.call("close")
    c.call("connect")
    s.call("accept")
    shake = c.send("tls_handshake", within_ms=3000, sni="not-the-server.example")
    s.send("tls_handshake", within_ms=3000)
    refused = c.answer(shake)
    assert refused["end"] == "ssl_error", refused


def test_every_peer_stalls_a_handshake_as_a_server(pair, credentials):
    runtime, c, s = pair
    connected(c, s, credentials)
    stalled_handshake(c, s)


def test_a_crash_kills_the_peer_and_a_bad_command_is_fatal(pair, spec):
    runtime, c, s = pair
    c.send("crash")
    assert c.process.wait(timeout=10) == -signal.SIGKILL
    s.channel.sendall(b'{"id": 5, "op": "teleport"}\n')
    fatal = s.line(10)
    assert fatal["id"] == 5 and "teleport" in fatal["fatal"]
    assert s.process.wait(timeout=10) == 2


def test_a_line_that_is_no_command_is_fatal(pair):
    runtime, c, s = pair
    s.channel.sendall(b"this is not json\n")
    fatal = s.line(10)
    assert fatal["id"] == -1 and "malformed command" in fatal["fatal"]
    assert s.process.wait(timeout=10) == 2


def test_the_conformance_tests_send_every_op_of_the_spec(spec):
    sent = {"listen", "get", "set", "connect", "accept", "send", "recv_until", "recv", "drain", "send_message", "poll",
            "recv_message", "shutdown", "close", "tls_setup", "tls_handshake", "tls_close_notify", "tls_stall", "crash"}
    assert {op["op"] for op in spec["ops"]} == sent, "a new op needs its conformance test above"
