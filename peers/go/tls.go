package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"time"
)

func (e *endpoint) tlsSetup(c command, _ time.Time) answer {
	e.locked(func() { e.credentials = c })
	return ok(0)
}

func pick(own, run string) string {
	if own != "" {
		return own
	}
	return run
}

// A client's config trusts the step's CA or the run's and verifies the server
// for SNI NAME or its address; a server's presents the step's certificate or the run's.
func (e *endpoint) tlsConfig(c command) *tls.Config {
	config := &tls.Config{MinVersion: tls.VersionTLS12}
	if e.client {
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(pick(c.CA, e.credentials.CA))) && (c.Verify == nil || *c.Verify) {
			panic(fatal("no CA certificate to verify with"))
		}
		config.RootCAs = roots
		config.ServerName = pick(c.SNI, e.host)
		config.InsecureSkipVerify = c.Verify != nil && !*c.Verify
		return config
	}
	pair, err := tls.X509KeyPair([]byte(pick(c.Cert, e.credentials.Cert)), []byte(pick(c.Key, e.credentials.Key)))
	if err != nil {
		panic(fatal("the server's certificate and key: " + err.Error()))
	}
	config.Certificates = []tls.Certificate{pair}
	return config
}

func (e *endpoint) tlsHandshake(c command, deadline time.Time) answer {
	conn := e.tcpConn()
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	config := e.tlsConfig(c)
	var t *tls.Conn
	if e.client {
		t = tls.Client(conn, config)
	} else {
		t = tls.Server(conn, config)
	}
	t.SetDeadline(deadline)
	if err := t.Handshake(); err != nil {
		return failed(err, 0)
	}
	t.SetDeadline(time.Time{})
	e.locked(func() { e.tls = t })
	return ok(0)
}

// Reads the peer's first TLS record (the ClientHello) off the TCP connection and never answers.
func (e *endpoint) tlsStall(c command, deadline time.Time) answer {
	conn := e.tcpConn()
	if conn == nil {
		return failed(errNoConnection, 0)
	}
	conn.SetReadDeadline(deadline)
	header := make([]byte, 5)
	if n, err := io.ReadFull(conn, header); err != nil {
		return failed(err, n)
	}
	n, err := io.ReadFull(conn, make([]byte, int(header[3])<<8|int(header[4])))
	if err != nil {
		return failed(err, 5+n)
	}
	return ok(5 + n)
}

// close_notify (tls.Conn.CloseWrite), then reads until the peer's: Read's io.EOF.
func (e *endpoint) tlsCloseNotify(c command, deadline time.Time) answer {
	var t *tls.Conn
	e.locked(func() { t = e.tls })
	if t == nil {
		return failed(errNoConnection, 0)
	}
	t.SetDeadline(deadline)
	if err := t.CloseWrite(); err != nil {
		return failed(err, 0)
	}
	buf := make([]byte, 4096)
	for {
		if _, err := t.Read(buf); err == io.EOF {
			return ok(0)
		} else if err != nil {
			return failed(err, 0)
		}
	}
}
