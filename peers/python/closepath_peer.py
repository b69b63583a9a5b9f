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

import os
import socket
import sys
import threading

sys.dont_write_bytecode = True  # nothing left beside the program (an installed tree is not ours to write to)
from closepath_peer_lib.answers import Deadline, Fatal  # noqa: E402 (after the line above)
from closepath_peer_lib.channel import Channel, arguments, commands, monotonic_ns, stamped
from closepath_peer_lib.connection import ConnectionActions
from closepath_peer_lib.data import DataActions
from closepath_peer_lib.sockets import SocketActions
from closepath_peer_lib.tls import TlsActions


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


def run_command(endpoint, channel, cmd):
    start = monotonic_ns()
    try:
        answer = getattr(endpoint, cmd["op"])(cmd, Deadline(cmd.get("within_ms", 5000)))
    except (Fatal, KeyError, ValueError, TypeError) as e:
        channel.fatal(cmd["id"], "%s: %s" % (cmd["op"], e))
    channel.write(stamped(answer, cmd, start))


def main():
    client, local, remote = arguments("closepath-peer-python")
    endpoint = Endpoint(client, local, remote)
    try:
        channel = Channel()
    except OSError as e:
        sys.exit("closepath-peer-python: no control channel on fd 3: %s" % e)
    channel.write({"hello": "closepath-peer-python", "runtime": "python", "pid": os.getpid()})
    for cmd in commands(channel):
        threading.Thread(target=run_command, args=(endpoint, channel, cmd), daemon=True).start()
    os._exit(0)  # the harness went away; commands still running end with the process


if __name__ == "__main__":
    main()
