"""What the kernel holds for a socket, and waiting on it: get (SO_ERROR,
TCP_INFO by getsockopt and struct, SIOCINQ/SIOCOUTQ by fcntl.ioctl,
TCP_CM_INQ by recvmsg), drain, poll (select.poll)."""

import errno
import fcntl
import os
import select
import socket
import struct
import time

from .answers import failed, ok
from .connection import TCP_INQ

SIOCINQ = 0x541B  # FIONREAD
SIOCOUTQ = 0x5411  # TIOCOUTQ
STATES = ["?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
          "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]


class SocketActions:
    def the_socket(self):
        sock = self.conn if self.conn is not None else self.listener
        if sock is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        return sock

    def drain(self, cmd, deadline):
        """Until SIOCOUTQ is 0: the peer has acknowledged everything sent. Looked at each millisecond."""
        while True:
            try:
                queued = struct.unpack("i", fcntl.ioctl(self.the_socket().fileno(), SIOCOUTQ, b"\0" * 4))[0]
            except OSError as e:
                return failed(e)
            if queued == 0:
                return ok()
            if deadline.passed():
                return failed(TimeoutError("SIOCOUTQ still %d" % queued), deadline=True)
            time.sleep(0.001)

    def poll(self, cmd, deadline):
        if self.conn is None:
            return failed(OSError(errno.EBADF, os.strerror(errno.EBADF)))
        return polled(self.conn.fileno(), max(int((deadline.end - time.monotonic()) * 1000), 0))

    def get(self, cmd, deadline):
        try:
            return self.read_item(self.the_socket(), cmd["item"])
        except OSError as e:
            return failed(e)

    def read_item(self, sock, item):
        if item == "so_error":
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            return failed(OSError(err, os.strerror(err))) if err else ok()
        if item in ("inq", "outq"):
            raw = fcntl.ioctl(sock.fileno(), SIOCINQ if item == "inq" else SIOCOUTQ, b"\0" * 4)
            return ok(struct.unpack("i", raw)[0])
        if item == "cm_inq":
            _, ancillary, _, _ = sock.recvmsg(0, socket.CMSG_SPACE(4), socket.MSG_PEEK | socket.MSG_DONTWAIT)
            for level, kind, data in ancillary:
                if level == socket.IPPROTO_TCP and kind == TCP_INQ:
                    return ok(struct.unpack("i", data[:4])[0])
            return failed(OSError(errno.ENOMSG, os.strerror(errno.ENOMSG)))
        return tcp_info(sock)



def polled(fd, wait_ms):
    """select.poll on fd for up to wait_ms: the weightiest event, or its timeout (no event, no exception)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLRDHUP)
    events = poller.poll(wait_ms)
    if not events:
        return {"bytes": 0, "deadline": True, "runtime": {"said": "poll() returned []", "is": ["[]"]}}
    revents = events[0][1]
    for flag, word in ((select.POLLERR, "pollerr"), (select.POLLHUP, "hup"), (select.POLLRDHUP, "rdhup")):
        if revents & flag:
            return {"end": word, "bytes": 0}
    return {"end": "readable", "bytes": 0}


def tcp_info(sock):
    """struct tcp_info (linux/tcp.h), read as a Python program reads it: getsockopt and struct."""
    raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    raw += b"\0" * (104 - len(raw))
    state, _, retransmits, probes, backoff = struct.unpack_from("5B", raw, 0)
    u32 = lambda offset: struct.unpack_from("I", raw, offset)[0]
    counters = {"state": STATES[state] if state < len(STATES) else "?", "retransmits": retransmits,
                "total_retrans": u32(100), "unacked": u32(24), "lost": u32(32), "probes": probes,
                "backoff": backoff, "rto_ms": u32(8) // 1000, "snd_cwnd": u32(80), "rtt_us": u32(68)}
    return ok(tcp_info=counters)
