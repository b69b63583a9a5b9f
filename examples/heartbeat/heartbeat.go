// A TCP server that expects its client to send something (a heartbeat) at
// least every -interval, and decides the client is gone after -misses
// intervals of silence: the application-level close detection a plain
// blocking Read does not have. A Read without a deadline waits forever on a
// peer that vanished without a FIN or RST (a pulled cable, a dropped route, a
// blackholing middlebox); the kernel says nothing while it has nothing to send.
//
// Exit codes: 0 the client closed (EOF), 3 heartbeats stopped, 4 the client
// reset the connection (ECONNRESET), 1 anything else.
//
// -deadline=false is the bug: no read deadline, so it never notices.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8000", "address:port to listen on")
	interval := flag.Duration("interval", time.Second, "how often the client sends a heartbeat")
	misses := flag.Int("misses", 2, "heartbeats missed before the client is presumed gone")
	deadline := flag.Bool("deadline", true, "give each read a deadline (false: wait forever)")
	flag.Parse()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening on", ln.Addr())
	conn, err := ln.Accept()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("client connected from", conn.RemoteAddr())
	silence := time.Duration(*misses) * *interval
	buf := make([]byte, 4096)
	for {
		if *deadline {
			conn.SetReadDeadline(time.Now().Add(silence))
		}
		n, err := conn.Read(buf)
		if n > 0 {
			fmt.Printf("heartbeat (%d bytes)\n", n)
			continue
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			fmt.Printf("no heartbeat for %v: client presumed gone, closing\n", silence)
			conn.Close()
			os.Exit(3)
		case errors.Is(err, io.EOF):
			fmt.Println("client closed the connection (EOF)")
			os.Exit(0)
		case errors.Is(err, syscall.ECONNRESET):
			fmt.Println("client reset the connection (ECONNRESET)")
			os.Exit(4)
		default:
			fmt.Println("read failed:", err)
			os.Exit(1)
		}
	}
}
