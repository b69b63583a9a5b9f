"""TLS by the ssl module: contexts from the run's PEMs (a server's through a
file in memory: load_cert_chain reads files only), wrap_socket and
do_handshake, unwrap for close_notify. Closing an SSLSocket sends no
close_notify, so `close` is the same word under TLS."""

import errno
import os
import ssl

from .answers import failed, ok


class TlsActions:
    def tls_setup(self, cmd, deadline):
        self.credentials = {k: cmd.get(k, "") for k in ("ca", "cert", "key")}
        return ok()

    def tls_context(self, cmd):
        if self.client:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            if cmd.get("verify", True):
                ctx.load_verify_locations(cadata=cmd.get("ca") or self.credentials["ca"])
            else:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            return ctx
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        cert, key = cmd.get("cert") or self.credentials["cert"], cmd.get("key") or self.credentials["key"]
        # load_cert_chain reads files only: an anonymous one in memory (memfd), so nothing is left on disk.
        fd = os.memfd_create("closepath-credentials")
        try:
            os.write(fd, (cert + "\n" + key).encode())
            ctx.load_cert_chain("/proc/self/fd/%d" % fd)
        finally:
            os.close(fd)
        return ctx

    def tls_handshake(self, cmd, deadline):
        ctx = self.tls_context(cmd)
        name = cmd.get("sni") or (self.remote[0] if self.client else None)
        try:
            deadline.arm(self.conn)
            wrapped = ctx.wrap_socket(self.conn, server_side=not self.client, server_hostname=name,
                                      do_handshake_on_connect=False)
            self.conn = wrapped  # wrap_socket takes the socket over
            wrapped.do_handshake()
        except OSError as e:  # ssl.SSLError is an OSError
            return failed(e)
        self.tls = True
        return ok()

    def tls_stall(self, cmd, deadline):
        header, ended = self.read_exact(5, deadline)
        if ended:
            return ended
        record, ended = self.read_exact((header[3] << 8) | header[4], deadline)
        if ended:
            ended["bytes"] += 5
            return ended
        return ok(5 + len(record))

    def tls_close_notify(self, cmd, deadline):
        if not self.tls:
            return failed(OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN)))
        try:
            deadline.arm(self.conn)
            self.conn = self.conn.unwrap()  # close_notify, then the peer's
            self.tls = False
        except OSError as e:
            return failed(e)
        return ok()
