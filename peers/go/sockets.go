package main

import (
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// Constants syscall does not name.
const (
	tcpUserTimeout = 18 // TCP_USER_TIMEOUT
	tcpInq         = 36 // TCP_INQ, and TCP_CM_INQ, its control message
	siocinq        = 0x541B
	siocoutq       = 0x5411
	pollIn         = 0x1
	pollErr        = 0x8
	pollHup        = 0x10
	pollRdhup      = 0x2000
)

var states = []string{"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
	"CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"}

// A socket option closepath names (protocol/socket_options.cpp), set through
// net.TCPConn's own call where Go has one, else by syscall.SetsockoptInt.
type option struct {
	name  string
	value int
}

var rawOptions = map[string][2]int{
	"linger":       {syscall.SOL_SOCKET, syscall.SO_LINGER},
	"nodelay":      {syscall.IPPROTO_TCP, syscall.TCP_NODELAY},
	"rcvbuf":       {syscall.SOL_SOCKET, syscall.SO_RCVBUF},
	"sndbuf":       {syscall.SOL_SOCKET, syscall.SO_SNDBUF},
	"keepalive":    {syscall.SOL_SOCKET, syscall.SO_KEEPALIVE},
	"keepidle":     {syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE},
	"keepintvl":    {syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL},
	"keepcnt":      {syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT},
	"user_timeout": {syscall.IPPROTO_TCP, tcpUserTimeout},
	"linger2":      {syscall.IPPROTO_TCP, syscall.TCP_LINGER2},
	"tcp_inq":      {syscall.IPPROTO_TCP, tcpInq},
	"maxseg":       {syscall.IPPROTO_TCP, syscall.TCP_MAXSEG},
}

// On a connection: Go's own calls for what it has one for (SetKeepAlivePeriod
// is not one: it sets TCP_KEEPIDLE and TCP_KEEPINTVL together).
func (o option) set(conn *net.TCPConn) error {
	switch o.name {
	case "linger":
		return conn.SetLinger(o.value) // < 0: off, as closepath's
	case "nodelay":
		return conn.SetNoDelay(o.value != 0)
	case "rcvbuf":
		return conn.SetReadBuffer(o.value)
	case "sndbuf":
		return conn.SetWriteBuffer(o.value)
	case "keepalive":
		return conn.SetKeepAlive(o.value != 0)
	}
	return rawCall(conn, o.setRaw)
}

// On a socket being made (Dialer.Control, ListenConfig.Control), or where Go has no call.
func (o option) setRaw(fd int) error {
	at := rawOptions[o.name]
	if o.name == "linger" {
		l := syscall.Linger{}
		if o.value >= 0 {
			l = syscall.Linger{Onoff: 1, Linger: int32(o.value)}
		}
		return os.NewSyscallError("setsockopt", syscall.SetsockoptLinger(fd, at[0], at[1], &l))
	}
	return os.NewSyscallError("setsockopt", syscall.SetsockoptInt(fd, at[0], at[1], o.value))
}

// f on the socket's descriptor, through SyscallConn: how a Go program reaches what net does not offer.
func rawCall(conn syscall.Conn, f func(fd int) error) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var inner error
	if err := raw.Control(func(fd uintptr) { inner = f(int(fd)) }); err != nil {
		return err
	}
	return inner
}

func (e *endpoint) set(c command, _ time.Time) answer {
	if _, known := rawOptions[c.Name]; !known {
		panic(fatal("unknown socket option '" + c.Name + "'"))
	}
	o := option{c.Name, c.Value}
	e.mu.Lock()
	conn := e.tcp
	if conn == nil {
		e.pending = append(e.pending, o)
	}
	e.mu.Unlock()
	if conn != nil {
		if err := o.set(conn); err != nil {
			return failed(err, 0)
		}
	}
	return ok(0)
}

// The connection's socket, else the listener's.
func (e *endpoint) socket() syscall.Conn {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tcp != nil {
		return e.tcp
	}
	if e.listener != nil {
		return e.listener
	}
	return nil
}

func ioctlInt(fd int, request uintptr) (int, error) {
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), request, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return 0, os.NewSyscallError("ioctl", errno)
	}
	return int(n), nil
}

func (e *endpoint) get(c command, _ time.Time) answer {
	s := e.socket()
	if s == nil {
		return failed(errNoConnection, 0)
	}
	var a answer
	err := rawCall(s, func(fd int) error {
		switch c.Item {
		case "so_error":
			v, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
			if err == nil && v != 0 {
				err = os.NewSyscallError("getsockopt", syscall.Errno(v))
			}
			return err
		case "inq", "outq":
			request := uintptr(siocinq)
			if c.Item == "outq" {
				request = siocoutq
			}
			n, err := ioctlInt(fd, request)
			a = ok(n)
			return err
		case "cm_inq":
			return cmInq(fd, &a)
		case "tcp_info":
			return tcpInfo(fd, &a)
		}
		panic(fatal("unknown item '" + c.Item + "'"))
	})
	if err != nil {
		return failed(err, 0)
	}
	if a == nil {
		a = ok(0)
	}
	return a
}

// TCP_CM_INQ, as the kernel attaches it to a read with TCP_INQ on: a peek that takes nothing.
func cmInq(fd int, a *answer) error {
	oob := make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := syscall.Recvmsg(fd, nil, oob, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	if err != nil {
		return os.NewSyscallError("recvmsg", err)
	}
	messages, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return err
	}
	for _, m := range messages {
		if m.Header.Level == syscall.IPPROTO_TCP && m.Header.Type == tcpInq {
			*a = ok(int(*(*int32)(unsafe.Pointer(&m.Data[0]))))
			return nil
		}
	}
	return os.NewSyscallError("recvmsg", syscall.ENOMSG)
}

// struct tcp_info by getsockopt(TCP_INFO) into syscall.TCPInfo: Go's net offers no call for it.
func tcpInfo(fd int, a *answer) error {
	var info syscall.TCPInfo
	size := uint32(unsafe.Sizeof(info))
	if _, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0); errno != 0 {
		return os.NewSyscallError("getsockopt", errno)
	}
	state := "?"
	if int(info.State) < len(states) {
		state = states[info.State]
	}
	*a = ok(0)
	(*a)["tcp_info"] = map[string]any{"state": state, "retransmits": info.Retransmits, "total_retrans": info.Total_retrans,
		"unacked": info.Unacked, "lost": info.Lost, "probes": info.Probes, "backoff": info.Backoff, "rto_ms": info.Rto / 1000,
		"snd_cwnd": info.Snd_cwnd, "rtt_us": info.Rtt}
	return nil
}

// Until SIOCOUTQ is 0 (the peer acknowledged everything sent), looked at each millisecond.
func (e *endpoint) drain(c command, deadline time.Time) answer {
	s := e.socket()
	if s == nil {
		return failed(errNoConnection, 0)
	}
	for {
		var queued int
		if err := rawCall(s, func(fd int) (err error) { queued, err = ioctlInt(fd, siocoutq); return }); err != nil {
			return failed(err, 0)
		}
		if queued == 0 {
			return ok(0)
		}
		if time.Now().After(deadline) {
			return failed(os.ErrDeadlineExceeded, 0)
		}
		time.Sleep(time.Millisecond)
	}
}

// poll(2) on the descriptor, as a Go program must (net has no call that waits without reading).
func (e *endpoint) poll(c command, deadline time.Time) answer {
	conn := e.socket()
	if _, isConn := conn.(*net.TCPConn); !isConn {
		return failed(errNoConnection, 0)
	}
	var revents int16
	var ready int
	err := rawCall(conn, func(fd int) error {
		fds := []struct {
			fd              int32
			events, revents int16
		}{{int32(fd), pollIn | pollRdhup, 0}}
		wait := time.Until(deadline).Milliseconds()
		for {
			n, _, errno := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 1, uintptr(wait))
			if errno == syscall.EINTR {
				continue
			}
			ready, revents = int(n), fds[0].revents
			if errno != 0 {
				return os.NewSyscallError("poll", errno)
			}
			return nil
		}
	})
	if err != nil {
		return failed(err, 0)
	}
	if ready == 0 {
		return answer{"bytes": 0, "deadline": true, "runtime": map[string]any{"said": "poll(2) returned 0", "is": []string{"poll: 0"}}}
	}
	for _, w := range []struct {
		flag int16
		word string
	}{{pollErr, "pollerr"}, {pollHup, "hup"}, {pollRdhup, "rdhup"}} {
		if revents&w.flag != 0 {
			return answer{"end": w.word, "bytes": 0}
		}
	}
	return answer{"end": "readable", "bytes": 0}
}

func (e *endpoint) crash(c command, _ time.Time) answer {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	panic(fatal("still alive after SIGKILL"))
}

func monotonicNs() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
