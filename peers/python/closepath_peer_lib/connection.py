"""Making, configuring and ending connections: listen, accept, connect, set,
shutdown, close, crash. Options are set by socket.setsockopt, as a Python
program sets them; those set before their socket exists wait for it."""

import errno
import os
import signal
import socket
import struct

from .answers import Fatal, failed, ok

TCP_INQ = getattr(socket, "TCP_INQ", 36)  # also TCP_CM_INQ, the control message's type
TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", 18)
TCP_LINGER2 = getattr(socket, "TCP_LINGER2", 8)
TCP_MAXSEG = getattr(socket, "TCP_MAXSEG", 2)

# The socket options closepath names (protocol/socket_options.cpp): (level, option).
OPTIONS = {
    "linger": (socket.SOL_SOCKET, socket.SO_LINGER),
    "nodelay": (socket.IPPROTO_TCP, socket.TCP_NODELAY),
    "rcvbuf": (socket.SOL_SOCKET, socket.SO_RCVBUF),
    "sndbuf": (socket.SOL_SOCKET, socket.SO_SNDBUF),
    "keepalive": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    "keepidle": (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
    "keepintvl": (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
    "keepcnt": (socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
    "user_timeout": (socket.IPPROTO_TCP, TCP_USER_TIMEOUT),
    "linger2": (socket.IPPROTO_TCP, TCP_LINGER2),
    "tcp_inq": (socket.IPPROTO_TCP, TCP_INQ),
    "maxseg": (socket.IPPROTO_TCP, TCP_MAXSEG),
}


class ConnectionActions:
    def listen(self, cmd, deadline):
        try:
            s = socket.socket(self.family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(self.local)
            self.apply_pending(s)
            s.listen(16)
        except OSError as e:
            return failed(e)
        self.listener = s
        return ok()

    def accept(self, cmd, deadline):
        try:
            deadline.arm(self.listener)
            conn, _ = self.listener.accept()
            conn.settimeout(None)
            self.apply_pending(conn)
        except OSError as e:
            return failed(e)
        self.conn = conn
        return ok()

    def connect(self, cmd, deadline):
        to = (self.remote[0], cmd.get("port", self.remote[1]))
        if self.conn is not None:
            try:
                self.conn.getpeername()
                return failed(OSError(errno.EISCONN, os.strerror(errno.EISCONN)))
            except OSError:
                self.conn.close()  # a failed connect: a new socket, as a program retrying would
                self.tls = False
        s = socket.socket(self.family, socket.SOCK_STREAM)
        self.conn = s
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(self.local)
            self.apply_pending(s)
            deadline.arm(s)
            s.connect(to)
        except OSError as e:
            return failed(e)
        return ok()

    def apply_pending(self, s):
        for level, option, value in self.pending:
            s.setsockopt(level, option, value)

    def set(self, cmd, deadline):
        name, value = cmd["name"], cmd["value"]
        if name not in OPTIONS:
            raise Fatal("unknown socket option '%s'" % name)
        level, option = OPTIONS[name]
        if name == "linger":  # struct linger {int l_onoff; int l_linger;}: a negative value turns it off
            value = struct.pack("ii", 1 if value >= 0 else 0, max(value, 0))
        if self.conn is None:
            self.pending.append((level, option, value))
            return ok()
        try:
            self.conn.setsockopt(level, option, value)
        except OSError as e:
            return failed(e)
        return ok()


    def shutdown(self, cmd, deadline):
        how = {"rd": socket.SHUT_RD, "wr": socket.SHUT_WR, "rdwr": socket.SHUT_RDWR}[cmd["how"]]
        if self.conn is None:
            return failed(OSError(errno.EBADF, os.strerror(errno.EBADF)))
        try:
            self.conn.shutdown(how)
        except OSError as e:
            return failed(e)
        return ok()

    def close(self, cmd, deadline):
        """The connection (without close_notify: closing an SSLSocket sends none), else the listener."""
        target = self.conn if self.conn is not None else self.listener
        if target is None:
            return failed(OSError(errno.EBADF, os.strerror(errno.EBADF)))
        if target is self.conn:
            self.conn, self.tls = None, False
        else:
            self.listener = None
        try:
            target.close()
        except OSError as e:
            return failed(e)
        return ok()

    def crash(self, cmd, deadline):
        os.kill(os.getpid(), signal.SIGKILL)
        raise Fatal("still alive after SIGKILL")
