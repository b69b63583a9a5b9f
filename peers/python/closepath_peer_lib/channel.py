"""What both Python peers share: the control channel (fd 3, a JSON line each
way, whole lines only), the protocol's ops, the program's arguments."""

import argparse
import json
import os
import socket
import threading
import time

CONTROL_FD = 3

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


def arguments(program):
    """(client, local, remote) from the arguments closepath starts a peer with."""
    parser = argparse.ArgumentParser(description=program + ": one scripted TCP endpoint, driven over fd 3 by closepath")
    parser.add_argument("--role", required=True, choices=["client", "server"])
    parser.add_argument("--local", required=True, help="this endpoint's address")
    parser.add_argument("--remote", required=True, help="the other endpoint's address")
    parser.add_argument("--port", required=True, type=int, help="the server's port")
    parser.add_argument("--client-port", required=True, type=int, help="the port the client binds")
    a = parser.parse_args()
    client = a.role == "client"
    return client, (a.local, a.client_port if client else a.port), (a.remote, a.port if client else a.client_port)


def commands(channel):
    """Each command line, checked for an id and an op; a line that is none is fatal."""
    for line in channel.reader:
        try:
            cmd = json.loads(line)
            if not isinstance(cmd, dict) or not isinstance(cmd.get("id"), int) or not isinstance(cmd.get("op"), str):
                raise ValueError("a command needs an integer 'id' and a string 'op'")
        except ValueError as e:
            channel.fatal(-1, "malformed command: %s: %s" % (e, line.decode(errors="replace").strip()))
        if cmd["op"] not in OPS:
            channel.fatal(cmd["id"], "unknown op '%s'" % cmd["op"])
        yield cmd


def stamped(answer, cmd, start):
    answer.update({"id": cmd["id"], "start_ns": start, "end_ns": monotonic_ns()})
    return answer


def monotonic_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)
