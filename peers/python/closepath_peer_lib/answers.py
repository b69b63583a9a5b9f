"""What every action answers with: ok, or what Python said (runtime.said and
runtime.is: the exception's class and those it is an instance of), with its
errno. closepath names it (protocol/runtimes.hpp); nothing here decides
what an error means."""

import ssl
import time

class Fatal(Exception):
    """A command the peer cannot carry out as written: a harness bug, not an outcome."""


def ok(nbytes=0, **more):
    return {"end": "ok", "bytes": nbytes, **more}


def failed(exc, nbytes=0, deadline=False):
    """What Python said: its class, message and errno; closepath names it."""
    classes = [c.__name__ if c.__module__ == "builtins" else c.__module__ + "." + c.__name__
               for c in type(exc).__mro__ if c not in (object, BaseException, Exception)]
    said = type(exc).__name__ + (": " + str(exc) if str(exc) else "")
    answer = {"bytes": nbytes, "runtime": {"said": said, "is": classes}}
    if isinstance(exc, OSError) and exc.errno and not isinstance(exc, ssl.SSLError):  # an SSLError's errno is OpenSSL's
        answer["errno"] = exc.errno
    if deadline or isinstance(exc, TimeoutError):
        answer["deadline"] = True
    return answer


def eof(nbytes, **more):
    return {"bytes": nbytes, "runtime": {"said": "b''", "is": ["b''"]}, **more}


def filler(n):
    alphabet = b"abcdefghijklmnopqrstuvwxyz"
    return (alphabet * (n // 26 + 1))[:n]


class Deadline:
    def __init__(self, within_ms):
        self.end = time.monotonic() + within_ms / 1000.0

    def arm(self, sock):
        """The socket's timeout: what is left of the step's deadline (at least a microsecond)."""
        sock.settimeout(max(self.end - time.monotonic(), 1e-6))

    def passed(self):
        return time.monotonic() >= self.end
