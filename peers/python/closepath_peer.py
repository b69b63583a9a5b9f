#!/usr/bin/python3
"""closepath-peer-python: one endpoint of a scenario, written as a Python
programmer would write it with the standard library's blocking sockets
(socket, ssl, select). It speaks closepath's peer protocol (docs/protocol.md)
on file descriptor 3: one JSON command per line in, one answer per line out.

An answer reports what Python told the program: the exception's class and
message (runtime.said), the classes it is an instance of (runtime.is), and
its errno. closepath maps those words to its own (protocol/runtimes.cpp);
this program does not decide what they mean. A read that returns b'' is
reported as the runtime word "b''".

What a Python program cannot do through its own API it does as such a
program would: options by socket.setsockopt, SIOCOUTQ by fcntl.ioctl,
TCP_INFO by getsockopt and struct. Deadlines are socket timeouts
(settimeout), set before each call to what is left of the step's deadline.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # nothing left beside the program (an installed tree is not ours to write to)
from closepath_peer_lib.answers import Deadline, Fatal  # noqa: E402 (after the line above)
from closepath_peer_lib.connection import ConnectionActions
from closepath_peer_lib.data import DataActions
from closepath_peer_lib.sockets import SocketActions
from closepath_peer_lib.tls import TlsActions

CONTROL_FD = 3


class Endpoint(ConnectionActions, DataActions, SocketActions, TlsActions):
    def __init__(self, client, local, remote):
        self.client = client
        self.local = local
        self.remote = remote
        self.family = socket.AF_INET6 if ":" in local[0] else socket.AF_INET
        self.listener = None
        self.conn = None  # the connection: a socket.socket, or the ssl.SSLSocket that wraps it
        self.tls = False
        self.pending = []  # options set before their socket exists: (level, option, value)
        self.credentials = {}  # tls_setup's PEMs


# The protocol's ops (protocol/actions.hpp), each an Endpoint method of that name.
OPS = {"listen", "connect", "accept", "send", "recv", "recv_until", "shutdown", "close", "set", "send_message",
       "recv_message", "tls_setup", "tls_handshake", "tls_stall", "tls_close_notify", "crash", "drain", "poll", "get"}


class Channel:
    """The control channel: lines in, whole lines out (answers of concurrent commands never interleave)."""

    def __init__(self):
        self.sock = socket.socket(fileno=CONTROL_FD)
        self.lock = threading.Lock()
        self.reader = self.sock.makefile("rb")

    def write(self, obj):
        line = (json.dumps(obj) + "\n").encode()
        with self.lock:
            try:
                self.sock.sendall(line)
            except OSError:
                pass  # a harness that went away reads nothing more

    def fatal(self, ident, problem):
        self.write({"id": ident, "fatal": problem})
        os._exit(2)


def monotonic_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def run_command(endpoint, channel, cmd):
    op = cmd["op"]
    if op not in OPS:
        channel.fatal(cmd["id"], "unknown op '%s'" % op)
    handler = getattr(endpoint, op)
    start = monotonic_ns()
    try:
        answer = handler(cmd, Deadline(cmd.get("within_ms", 5000)))
    except (Fatal, KeyError, ValueError, TypeError) as e:
        channel.fatal(cmd["id"], "%s: %s" % (op, e))
    answer.update({"id": cmd["id"], "start_ns": start, "end_ns": monotonic_ns()})
    channel.write(answer)


def serve(endpoint, channel):
    for line in channel.reader:
        try:
            cmd = json.loads(line)
            if not isinstance(cmd, dict) or not isinstance(cmd.get("id"), int) or not isinstance(cmd.get("op"), str):
                raise ValueError("a command needs an integer 'id' and a string 'op'")
        except ValueError as e:
            channel.fatal(-1, "malformed command: %s: %s" % (e, line.decode(errors="replace").strip()))
        threading.Thread(target=run_command, args=(endpoint, channel, cmd), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="closepath-peer-python: one scripted TCP endpoint, driven over fd 3 by closepath")
    parser.add_argument("--role", required=True, choices=["client", "server"])
    parser.add_argument("--local", required=True, help="this endpoint's address")
    parser.add_argument("--remote", required=True, help="the other endpoint's address")
    parser.add_argument("--port", required=True, type=int, help="the server's port")
    parser.add_argument("--client-port", required=True, type=int, help="the port the client binds")
    a = parser.parse_args()
    client = a.role == "client"
    endpoint = Endpoint(client, (a.local, a.client_port if client else a.port), (a.remote, a.port if client else a.client_port))
    try:
        channel = Channel()
    except OSError as e:
        sys.exit("closepath-peer-python: no control channel on fd 3: %s" % e)
    channel.write({"hello": "closepath-peer-python", "runtime": "python", "pid": os.getpid()})
    serve(endpoint, channel)
    os._exit(0)  # the harness went away; commands still running end with the process


if __name__ == "__main__":
    main()
