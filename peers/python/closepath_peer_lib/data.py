"""Moving bytes: send loops over send() (sendall() does not say how much went),
reads are recv() calls; a deadline is the socket's timeout, set before each
call to what is left of the step's."""

import struct

from .answers import Fatal, eof, failed, filler, ok


class DataActions:
    def send_bytes(self, data, deadline):
        """A send loop, as sendall() is, but counting what went (sendall does not say)."""
        sent = 0
        try:
            while sent < len(data):
                deadline.arm(self.conn)
                sent += self.conn.send(data[sent:])
        except OSError as e:
            return failed(e, sent)
        return ok(sent)

    def send(self, cmd, deadline):
        data = bytes.fromhex(cmd["hex"]) if "hex" in cmd else filler(cmd["n"])
        return self.send_bytes(data, deadline)

    def send_message(self, cmd, deadline):
        answer = self.send_bytes(struct.pack(">I", cmd["announce"]) + filler(cmd["n"]), deadline)
        answer["bytes"] = max(answer["bytes"] - 4, 0)
        return answer

    def read_some(self, n, deadline):
        """One recv; raises what Python raises, returns b'' at EOF."""
        deadline.arm(self.conn)
        return self.conn.recv(n)

    def read_exact(self, n, deadline):
        """(bytes, answer when it ended early)."""
        got = bytearray()
        while len(got) < n:
            try:
                chunk = self.read_some(n - len(got), deadline)
            except OSError as e:
                return bytes(got), failed(e, len(got))
            if not chunk:
                return bytes(got), eof(len(got))
            got += chunk
        return bytes(got), None

    def recv(self, cmd, deadline):
        mode, keep = cmd.get("mode", "some"), cmd.get("keep", False)
        if mode == "exact":
            got, ended = self.read_exact(cmd["n"], deadline)
            answer = ended or ok(len(got))
        else:
            got, answer = bytearray(), None
            while answer is None:
                try:
                    chunk = self.read_some(65536, deadline)
                except OSError as e:
                    answer = failed(e, len(got))
                    break
                got += chunk
                if not chunk:
                    answer = eof(len(got))
                elif mode == "some":
                    answer = ok(len(got))
        if keep:
            answer["hex"] = bytes(got).hex()
        return answer

    def recv_until(self, cmd, deadline):
        text, keep = bytes.fromhex(cmd["hex"]), cmd.get("keep", False)
        got = bytearray()
        while not got.endswith(text):  # a byte at a time: nothing past TEXT is taken
            try:
                byte = self.read_some(1, deadline)
            except OSError as e:
                answer = failed(e, len(got))
                break
            if not byte:
                answer = eof(len(got))
                break
            got += byte
        else:
            answer = ok(len(got))
        if keep:
            answer["hex"] = bytes(got).hex()
        return answer

    def recv_message(self, cmd, deadline):
        header, ended = self.read_exact(4, deadline)
        if ended:
            ended["bytes"] = 0
            return ended
        (length,) = struct.unpack(">I", header)
        if length > 64 << 20:
            raise Fatal("message length %d exceeds 64 MiB" % length)
        body, ended = self.read_exact(length, deadline)
        answer = ended or ok(len(body))
        answer["announced"] = length
        return answer

