package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"time"
)

func filler(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

// One Write: Go's net.Conn writes everything or says why not, with the count written.
func (e *endpoint) write(data []byte, deadline time.Time) answer {
	conn := e.conn()
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	conn.SetWriteDeadline(deadline)
	n, err := conn.Write(data)
	if err != nil {
		return failed(err, n)
	}
	return ok(n)
}

func (e *endpoint) send(c command, deadline time.Time) answer {
	data := c.bytes()
	if data == nil {
		data = filler(c.N)
	}
	return e.write(data, deadline)
}

func (e *endpoint) sendMessage(c command, deadline time.Time) answer {
	data := binary.BigEndian.AppendUint32(nil, c.Announce)
	a := e.write(append(data, filler(c.N)...), deadline)
	if n := a["bytes"].(int); n >= 4 {
		a["bytes"] = n - 4
	} else {
		a["bytes"] = 0
	}
	return a
}

// Reads into buf until an error, or until enough(got) says the bytes read so far will do.
func readUntil(conn net.Conn, buf []byte, enough func(got []byte) bool) (got []byte, a answer) {
	for a == nil {
		n, err := conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			a = failed(err, len(got))
		} else if enough(got) {
			a = ok(len(got))
		}
	}
	return got, a
}

// The connection to read, its deadline set; nil when there is none.
func (e *endpoint) reading(deadline time.Time) net.Conn {
	conn := e.conn()
	if conn != nil {
		conn.SetReadDeadline(deadline)
	}
	return conn
}

func kept(a answer, got []byte, keep bool) answer {
	if keep {
		a["hex"] = hex.EncodeToString(got)
	}
	return a
}

// recv: one Read; exactly N (io.ReadFull); or Reads until an error (io.EOF at the peer's FIN).
func (e *endpoint) recv(c command, deadline time.Time) answer {
	conn := e.reading(deadline)
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	switch c.Mode {
	case "exact":
		buf := make([]byte, c.N)
		n, err := io.ReadFull(conn, buf)
		if err != nil {
			return kept(failed(err, n), buf[:n], c.Keep)
		}
		return kept(ok(n), buf, c.Keep)
	case "some", "", "all":
		all := c.Mode == "all"
		got, a := readUntil(conn, make([]byte, 65536), func([]byte) bool { return !all })
		return kept(a, got, c.Keep)
	}
	panic(fatal("'mode' is some, exact or all, not '" + c.Mode + "'"))
}

// A byte at a time, so nothing past TEXT is taken (a bufio.Reader would read ahead).
func (e *endpoint) recvUntil(c command, deadline time.Time) answer {
	text := c.bytes()
	if len(text) == 0 {
		panic(fatal("'hex' is empty"))
	}
	conn := e.reading(deadline)
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	got, a := readUntil(conn, make([]byte, 1), func(got []byte) bool { return bytes.HasSuffix(got, text) })
	return kept(a, got, c.Keep)
}

// The 4-byte length, then exactly that many, each by io.ReadFull.
func (e *endpoint) recvMessage(c command, deadline time.Time) answer {
	conn := e.reading(deadline)
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	header := make([]byte, 4)
	if _, err := io.ReadFull(conn, header); err != nil {
		return failed(err, 0)
	}
	length := binary.BigEndian.Uint32(header)
	if length > 64<<20 {
		panic(fatal("message length exceeds 64 MiB"))
	}
	n, err := io.ReadFull(conn, make([]byte, length))
	a := ok(n)
	if err != nil {
		a = failed(err, n)
	}
	a["announced"] = length
	return a
}
