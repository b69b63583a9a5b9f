package main

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// One TCP endpoint: at most one listener and one connection (under TLS
// once a handshake succeeded), as a Go program holds them.
type endpoint struct {
	client      bool
	local       string // host:port this side binds
	remote      string // host:port of the other side
	host        string // the other side's address: what its certificate is verified for
	mu          sync.Mutex
	listener    *net.TCPListener
	tcp         *net.TCPConn // the connection
	tls         *tls.Conn    // over tcp, after a handshake
	closed      net.Conn     // the last connection closed here: closing it again is what Go says
	cancelDial  context.CancelFunc
	pending     []option // set before their socket exists
	credentials command  // tls_setup's
}

// The connection as the program reads and writes it: through TLS after a handshake.
func (e *endpoint) conn() net.Conn {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tls != nil {
		return e.tls
	}
	if e.tcp == nil {
		return nil
	}
	return e.tcp
}

var errNoConnection = &net.OpError{Op: "use", Net: "tcp", Err: net.ErrClosed}

// Under the lock: the fields goroutines of other commands change.
func (e *endpoint) locked(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f()
}

// The TCP connection (under TLS too), or nil.
func (e *endpoint) tcpConn() (conn *net.TCPConn) {
	e.locked(func() { conn = e.tcp })
	return
}

// The pending options on a socket being made, as Dialer.Control and ListenConfig.Control give it.
func (e *endpoint) control(reuse bool) func(string, string, syscall.RawConn) error {
	return func(_, _ string, raw syscall.RawConn) error {
		var err error
		raw.Control(func(fd uintptr) {
			if reuse {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
			}
			for _, o := range e.pending {
				if err == nil {
					err = o.setRaw(int(fd))
				}
			}
		})
		return err
	}
}

func (e *endpoint) listen(c command, _ time.Time) answer {
	lc := net.ListenConfig{Control: e.control(false)} // Go sets SO_REUSEADDR on listeners itself
	l, err := lc.Listen(context.Background(), "tcp", e.local)
	if err != nil {
		return failed(err, 0)
	}
	e.locked(func() { e.listener = l.(*net.TCPListener) })
	return ok(0)
}

func (e *endpoint) accept(c command, deadline time.Time) answer {
	var l *net.TCPListener
	e.locked(func() { l = e.listener })
	if l == nil {
		return failed(errNoConnection, 0)
	}
	l.SetDeadline(deadline)
	conn, err := l.AcceptTCP()
	if err != nil {
		return failed(err, 0)
	}
	for _, o := range e.pending {
		if err := o.set(conn); err != nil {
			conn.Close()
			return failed(err, 0)
		}
	}
	e.locked(func() { e.tcp, e.tls = conn, nil })
	return ok(0)
}

// A dial from the run's client port, cancelled by a close while it is under way.
func (e *endpoint) connect(c command, deadline time.Time) answer {
	to := e.remote
	if c.Port != nil {
		host, _, _ := net.SplitHostPort(e.remote)
		to = net.JoinHostPort(host, strconv.Itoa(*c.Port))
	}
	from, err := net.ResolveTCPAddr("tcp", e.local)
	if err != nil {
		panic(fatal(err.Error()))
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	e.locked(func() { e.cancelDial = cancel })
	d := net.Dialer{LocalAddr: from, Control: e.control(true)}
	conn, err := d.DialContext(ctx, "tcp", to)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cancelDial = nil
	if err != nil {
		return failed(err, 0)
	}
	e.tcp, e.tls = conn.(*net.TCPConn), nil
	return ok(0)
}

func (e *endpoint) shutdown(c command, _ time.Time) answer {
	conn := e.tcpConn()
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	var err error
	switch c.How { // under TLS too, the TCP connection's: tls.Conn.CloseWrite would send close_notify
	case "rd":
		err = conn.CloseRead()
	case "wr":
		err = conn.CloseWrite()
	case "rdwr": // net.TCPConn has no call for both: syscall.Shutdown, as a Go program would
		err = rawCall(conn, func(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RDWR) })
	default:
		panic(fatal("'how' is rd, wr or rdwr, not '" + c.How + "'"))
	}
	if err != nil {
		return failed(err, 0)
	}
	return ok(0)
}

// The connection (its TCP connection: tls.Conn.Close would send close_notify,
// which is tls_close_notify's to do); a dial under way; else the listener.
func (e *endpoint) close(c command, _ time.Time) answer {
	e.mu.Lock()
	var target interface{ Close() error }
	switch {
	case e.tcp != nil:
		target, e.closed, e.tcp, e.tls = e.tcp, e.tcp, nil, nil
	case e.cancelDial != nil:
		e.cancelDial()
		e.mu.Unlock()
		return ok(0)
	case e.listener != nil:
		target, e.listener = e.listener, nil
	case e.closed != nil:
		target = e.closed // closed before: Go says so
	}
	e.mu.Unlock()
	if target == nil {
		return failed(errNoConnection, 0)
	}
	if err := target.Close(); err != nil {
		return failed(err, 0)
	}
	return ok(0)
}
