"""The endpoint as an asyncio program holds it: StreamReader and StreamWriter
(asyncio.start_server, asyncio.open_connection on a socket it bound
itself), each step's deadline by asyncio.wait_for, TLS by
StreamWriter.start_tls. A close while a connect is under way cancels its
task, as an asyncio program cancels one. What asyncio has no call for is done
on the transport's socket: options, SIOCINQ/SIOCOUTQ, TCP_INFO, shutdown(RD),
and poll (select.poll in a thread: an asyncio program cannot wait on a
stream without reading it)."""

import asyncio
import errno
import fcntl
import os
import socket
import struct

from .answers import Fatal, eof, failed, filler, ok
from .connection import OPTIONS
from .sockets import SIOCOUTQ, SocketActions, polled


def ebadf():
    return failed(OSError(errno.EBADF, os.strerror(errno.EBADF)))


class StreamActions:
    async def within(self, awaitable, deadline):
        return await asyncio.wait_for(awaitable, max(deadline.end - asyncio.get_running_loop().time(), 0))

    def raw(self):
        """The connection's socket, a dup the caller closes (the transport keeps its own)."""
        s = self.writer.get_extra_info("socket") if self.writer else self.listener
        if s is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        return socket.socket(s.family, s.type, fileno=os.dup(s.fileno()))

    def made(self, bind_to, reuse):
        s = socket.socket(self.family, socket.SOCK_STREAM)
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(bind_to)
        for level, option, value in self.pending:
            s.setsockopt(level, option, value)
        s.setblocking(False)
        return s

    async def listen(self, cmd, deadline):
        try:
            s = self.made(self.local, True)
            self.listener = s
            self.server = await asyncio.start_server(lambda r, w: self.accepted.put_nowait((r, w)), sock=s, backlog=16)
        except OSError as e:
            return failed(e)
        return ok()

    async def accept(self, cmd, deadline):
        try:
            self.reader, self.writer = await self.within(self.accepted.get(), deadline)
        except (OSError, asyncio.CancelledError) as e:
            return failed(e)
        return self.set_pending()

    def set_pending(self):
        try:
            for level, option, value in self.pending:
                self.writer.get_extra_info("socket").setsockopt(level, option, value)
        except OSError as e:
            return failed(e)
        return ok()

    async def connect(self, cmd, deadline):
        to = (self.remote[0], cmd.get("port", self.remote[1]))
        loop = asyncio.get_running_loop()
        try:
            s = self.made(self.local, True)
        except OSError as e:
            return failed(e)
        self.connecting = asyncio.current_task()
        try:
            await self.within(loop.sock_connect(s, to), deadline)
            self.reader, self.writer = await asyncio.open_connection(sock=s)
        except (OSError, asyncio.CancelledError) as e:  # a close cancels this task: CancelledError
            s.close()
            return failed(e)
        finally:
            self.connecting = None
        return ok()

    async def set(self, cmd, deadline):
        if cmd["name"] not in OPTIONS:
            raise Fatal("unknown socket option '%s'" % cmd["name"])
        level, option = OPTIONS[cmd["name"]]
        value = cmd["value"]
        if cmd["name"] == "linger":
            value = struct.pack("ii", 1 if value >= 0 else 0, max(value, 0))
        if not self.writer:
            self.pending.append((level, option, value))
            return ok()
        try:
            self.writer.get_extra_info("socket").setsockopt(level, option, value)
        except OSError as e:
            return failed(e)
        return ok()

    async def write(self, data, deadline):
        """write() then drain(): asyncio does not say how much of a failed write went (bytes 0)."""
        if not self.writer:
            return ebadf()
        try:
            self.writer.write(data)
            await self.within(self.writer.drain(), deadline)
        except (OSError, asyncio.CancelledError, RuntimeError) as e:
            return failed(e)
        return ok(len(data))

    async def send(self, cmd, deadline):
        return await self.write(bytes.fromhex(cmd["hex"]) if "hex" in cmd else filler(cmd["n"]), deadline)

    async def send_message(self, cmd, deadline):
        answer = await self.write(struct.pack(">I", cmd["announce"]) + filler(cmd["n"]), deadline)
        answer["bytes"] = max(answer["bytes"] - 4, 0)
        return answer

    async def read(self, how, deadline):
        """(bytes, answer when it ended otherwise): read(n), readexactly(n) or readuntil(sep)."""
        if not self.reader:
            return b"", ebadf()
        try:
            return await self.within(how(self.reader), deadline), None
        except asyncio.IncompleteReadError as e:
            return e.partial, failed(e, len(e.partial))
        except (OSError, asyncio.CancelledError) as e:
            return b"", failed(e)

    async def recv(self, cmd, deadline):
        mode = cmd.get("mode", "some")
        got, answer = bytearray(), None
        while answer is None:
            if mode == "exact":
                chunk, answer = await self.read(lambda r: r.readexactly(cmd["n"]), deadline)
                got += chunk
                answer = answer or ok(len(got))
                break
            chunk, answer = await self.read(lambda r: r.read(65536), deadline)
            got += chunk
            if answer is None and not chunk:
                answer = eof(len(got))
            elif answer is None and mode == "some":
                answer = ok(len(got))
        answer["bytes"] = len(got)
        if cmd.get("keep"):
            answer["hex"] = bytes(got).hex()
        return answer

    async def recv_until(self, cmd, deadline):
        got, answer = await self.read(lambda r: r.readuntil(bytes.fromhex(cmd["hex"])), deadline)
        answer = answer or ok(len(got))
        if cmd.get("keep"):
            answer["hex"] = got.hex()
        return answer

    async def recv_message(self, cmd, deadline):
        header, answer = await self.read(lambda r: r.readexactly(4), deadline)
        if answer:
            answer["bytes"] = 0
            return answer
        (length,) = struct.unpack(">I", header)
        if length > 64 << 20:
            raise Fatal("message length %d exceeds 64 MiB" % length)
        body, answer = await self.read(lambda r: r.readexactly(length), deadline)
        answer = answer or ok(len(body))
        answer["announced"] = length
        return answer

    async def shutdown(self, cmd, deadline):
        if not self.writer:
            return ebadf()
        try:
            if cmd["how"] == "wr" and not self.tls:
                self.writer.write_eof()  # asyncio's own call for it
            else:
                self.writer.get_extra_info("socket").shutdown(
                    {"rd": socket.SHUT_RD, "wr": socket.SHUT_WR, "rdwr": socket.SHUT_RDWR}[cmd["how"]])
        except OSError as e:
            return failed(e)
        return ok()

    async def close(self, cmd, deadline):
        """The stream, as asyncio's documentation has it: close() (under TLS abort(): close() would send
        close_notify), then wait_closed(), which returns once the socket is closed (close() alone returns before
        the FIN leaves) and raises what the connection died of; a connect under way (its task cancelled); the
        listener."""
        if self.writer:
            writer, self.reader, self.writer = self.writer, None, None
            writer.transport.abort() if self.tls else writer.close()
            self.tls = False
            try:
                await self.within(writer.wait_closed(), deadline)
            except (OSError, asyncio.CancelledError) as e:
                return failed(e)
            return ok()
        if self.connecting:
            self.connecting.cancel()
            return ok()
        if self.server:
            self.server.close()  # closes the listening socket at once (the connections it accepted stay)
            self.server, self.listener = None, None
            return ok()
        return ebadf()

    async def crash(self, cmd, deadline):
        os.kill(os.getpid(), 9)
        raise Fatal("still alive after SIGKILL")

    async def drain(self, cmd, deadline):
        while True:
            try:
                with self.raw() as s:
                    queued = struct.unpack("i", fcntl.ioctl(s.fileno(), SIOCOUTQ, b"\0" * 4))[0]
            except OSError as e:
                return failed(e)
            if queued == 0:
                return ok()
            if asyncio.get_running_loop().time() >= deadline.end:
                return failed(TimeoutError("SIOCOUTQ still %d" % queued), deadline=True)
            await asyncio.sleep(0.001)

    async def poll(self, cmd, deadline):
        if not self.writer:
            return ebadf()
        with self.raw() as s:
            wait = max(int((deadline.end - asyncio.get_running_loop().time()) * 1000), 0)
            return await asyncio.get_running_loop().run_in_executor(None, polled, s.fileno(), wait)

    async def get(self, cmd, deadline):
        try:
            with self.raw() as s:
                return SocketActions.read_item(self, s, cmd["item"])
        except OSError as e:
            return failed(e)

    async def tls_setup(self, cmd, deadline):
        self.credentials = {k: cmd.get(k, "") for k in ("ca", "cert", "key")}
        return ok()

    async def tls_handshake(self, cmd, deadline):
        if not self.writer:
            return ebadf()
        ctx = self.tls_context(cmd)
        name = cmd.get("sni") or (self.remote[0] if self.client else None)
        try:
            await self.within(self.writer.start_tls(ctx, server_hostname=name), deadline)
        except (OSError, asyncio.CancelledError) as e:  # ssl.SSLError is an OSError
            return failed(e)
        self.tls = True
        return ok()

    async def tls_stall(self, cmd, deadline):
        header, answer = await self.read(lambda r: r.readexactly(5), deadline)
        if answer:
            return answer
        record, answer = await self.read(lambda r: r.readexactly((header[3] << 8) | header[4]), deadline)
        answer = answer or ok(len(record))
        answer["bytes"] += 5
        return answer

    async def tls_close_notify(self, cmd, deadline):
        """close() and wait_closed(): asyncio sends close_notify and waits for the peer's, then closes TCP."""
        if not self.tls:
            return failed(OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN)))
        try:
            self.writer.close()
            await self.within(self.writer.wait_closed(), deadline)
        except (OSError, asyncio.CancelledError) as e:
            return failed(e)
        return ok()
