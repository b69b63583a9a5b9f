package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// The sentinels a Go program tests with errors.Is, by the name it writes.
var sentinels = []struct {
	name string
	err  error
}{
	{"io.EOF", io.EOF},
	{"io.ErrUnexpectedEOF", io.ErrUnexpectedEOF},
	{"os.ErrDeadlineExceeded", os.ErrDeadlineExceeded},
	{"net.ErrClosed", net.ErrClosed},
	{"context.Canceled", context.Canceled},
	{"context.DeadlineExceeded", context.DeadlineExceeded},
}

// The errnos a close path meets, by the name syscall gives them.
var errnos = map[syscall.Errno]string{
	syscall.ECONNRESET: "ECONNRESET", syscall.EPIPE: "EPIPE", syscall.ETIMEDOUT: "ETIMEDOUT",
	syscall.ECONNREFUSED: "ECONNREFUSED", syscall.ECONNABORTED: "ECONNABORTED", syscall.EHOSTUNREACH: "EHOSTUNREACH",
	syscall.ENOTCONN: "ENOTCONN", syscall.EBADF: "EBADF", syscall.EINVAL: "EINVAL", syscall.EISCONN: "EISCONN",
	syscall.EAGAIN: "EAGAIN", syscall.ENOMSG: "ENOMSG", syscall.EADDRINUSE: "EADDRINUSE", syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
}

// What Go told the program: its text, what it matches, its errno.
func failed(err error, n int) answer {
	var is []string
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			is = append(is, s.name)
		}
	}
	a := answer{"bytes": n}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		name, known := errnos[errno]
		if !known {
			name = fmt.Sprintf("Errno(%d)", int(errno))
		}
		is = append(is, "syscall."+name)
		a["errno"] = int(errno)
	}
	for e := err; e != nil; e = errors.Unwrap(e) { // the chain's types: *net.OpError, *os.SyscallError, ...
		is = append(is, fmt.Sprintf("%T", e))
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		a["deadline"] = true
	}
	a["runtime"] = map[string]any{"said": err.Error(), "is": is}
	return a
}
