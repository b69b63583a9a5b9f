"""The twin of heartbeat.go in Python: a TCP server that expects its client
to send something (a heartbeat) at least every --interval seconds, and
decides the client is gone after --misses intervals of silence. A recv()
without a timeout waits forever on a peer that vanished without a FIN or RST.

Exit codes: 0 the client closed (EOF), 3 heartbeats stopped, 4 the client
reset the connection (ECONNRESET), 1 anything else.

--no-deadline is the bug: no timeout, so it never notices.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8000", help="address:port ([address]:port for IPv6) to listen on")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between the client's heartbeats")
    parser.add_argument("--misses", type=int, default=2, help="heartbeats missed before the client is presumed gone")
    parser.add_argument("--no-deadline", action="store_true", help="wait forever (the bug)")
    args = parser.parse_args()

    host, port = args.listen.rsplit(":", 1)
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = socket.create_server((host, int(port)), family=family)
    print("listening on", args.listen, flush=True)
    conn, peer = server.accept()
    print("client connected from %s:%d" % peer[:2], flush=True)
    silence = args.misses * args.interval
    conn.settimeout(None if args.no_deadline else silence)
    while True:
        try:
            data = conn.recv(4096)
        except socket.timeout:
            print(f"no heartbeat for {silence:g}s: client presumed gone, closing", flush=True)
            conn.close()
            sys.exit(3)
        except ConnectionResetError:
            print("client reset the connection (ECONNRESET)", flush=True)
            sys.exit(4)
        if not data:
            print("client closed the connection (EOF)", flush=True)
            sys.exit(0)
        print(f"heartbeat ({len(data)} bytes)", flush=True)


if __name__ == "__main__":
    main()
