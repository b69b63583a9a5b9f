#!/usr/bin/python3
"""closepath-peer-asyncio: one endpoint of a scenario, written as an asyncio
program would write it with Python's standard library: streams
(asyncio.start_server, asyncio.open_connection, StreamWriter.start_tls), a
task per command, deadlines by asyncio.wait_for. It speaks closepath's peer
protocol (docs/protocol.md) on file descriptor 3, as closepath-peer-python
does, and reports what asyncio told the program in the same way: the
exception's classes, its message and errno (runtime.is, runtime.said).
"""

import asyncio
import os
import socket
import sys
import threading

sys.dont_write_bytecode = True  # nothing left beside the program (an installed tree is not ours to write to)
from closepath_peer_lib.answers import Fatal  # noqa: E402 (after the line above)
from closepath_peer_lib.channel import Channel, arguments, commands, monotonic_ns, stamped
from closepath_peer_lib.streams import StreamActions
from closepath_peer_lib.tls import TlsActions


class Deadline:
    def __init__(self, within_ms):
        self.end = asyncio.get_running_loop().time() + within_ms / 1000.0


class Endpoint(StreamActions, TlsActions):  # TlsActions for its tls_context: the same contexts as the blocking peer's
    def __init__(self, client, local, remote):
        self.client, self.local, self.remote = client, local, remote
        self.family = socket.AF_INET6 if ":" in local[0] else socket.AF_INET
        self.listener = self.server = self.reader = self.writer = self.connecting = None
        self.accepted = asyncio.Queue()  # connections start_server took, for accept
        self.tls = False
        self.pending = []  # options set before their socket exists: (level, option, value)
        self.credentials = {}


async def run_command(endpoint, channel, cmd):
    start = monotonic_ns()
    try:
        answer = await getattr(endpoint, cmd["op"])(cmd, Deadline(cmd.get("within_ms", 5000)))
    except (Fatal, KeyError, ValueError, TypeError) as e:
        channel.fatal(cmd["id"], "%s: %s" % (cmd["op"], e))
    channel.write(stamped(answer, cmd, start))


async def serve(client, local, remote, channel):
    loop = asyncio.get_running_loop()
    endpoint = Endpoint(client, local, remote)
    ended = asyncio.Event()

    def read_commands():  # the channel is read in a thread; each command becomes a task on the loop
        for cmd in commands(channel):
            asyncio.run_coroutine_threadsafe(run_command(endpoint, channel, cmd), loop)
        loop.call_soon_threadsafe(ended.set)

    threading.Thread(target=read_commands, daemon=True).start()
    await ended.wait()


def main():
    client, local, remote = arguments("closepath-peer-asyncio")
    try:
        channel = Channel()
    except OSError as e:
        sys.exit("closepath-peer-asyncio: no control channel on fd 3: %s" % e)
    channel.write({"hello": "closepath-peer-asyncio", "runtime": "asyncio", "pid": os.getpid()})
    asyncio.run(serve(client, local, remote, channel))
    os._exit(0)  # the harness went away; commands still running end with the process


if __name__ == "__main__":
    main()
