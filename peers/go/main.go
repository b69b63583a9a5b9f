// closepath-peer-go: one endpoint of a scenario, written as a Go programmer
// would write it with the standard library (net, crypto/tls, syscall). It
// speaks closepath's peer protocol (docs/protocol.md) on file descriptor 3:
// one JSON command per line in, one answer per line out; each command runs
// in its own goroutine, so a background step leaves the channel free.
//
// An answer reports what Go told the program: err.Error(), and the words
// err matches (runtime.is: errors.Is sentinels such as io.EOF and
// os.ErrDeadlineExceeded, syscall errnos, and the type of each error in
// its chain), with the errno when there is one. closepath maps those words
// to its own (protocol/runtimes.hpp); this program does not decide what
// they mean.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

const controlFd = 3

// One line per answer, written whole: answers of concurrent commands never interleave.
type channel struct {
	mu  sync.Mutex
	out *os.File
}

func (c *channel) write(v map[string]any) {
	line, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Write(append(line, '\n')) // a harness that went away reads nothing more
}

// A command the peer cannot carry out as written: a harness bug, not an outcome.
type fatal string

func (c *channel) fatal(id int, problem string) {
	c.write(map[string]any{"id": id, "fatal": problem})
	os.Exit(2)
}

func run(e *endpoint, c *channel, cmd command) {
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(fatal); ok {
				c.fatal(cmd.ID, cmd.Op+": "+string(f))
			}
			panic(r)
		}
	}()
	action, known := actions[cmd.Op]
	if !known {
		c.fatal(cmd.ID, "unknown op '"+cmd.Op+"'")
	}
	start := monotonicNs()
	a := action(e, cmd, time.Now().Add(time.Duration(cmd.WithinMs)*time.Millisecond))
	a["id"], a["start_ns"], a["end_ns"] = cmd.ID, start, monotonicNs()
	c.write(a)
}

func main() {
	role := flag.String("role", "", "client or server")
	local := flag.String("local", "", "this endpoint's address")
	remote := flag.String("remote", "", "the other endpoint's address")
	port := flag.Int("port", 0, "the server's port")
	clientPort := flag.Int("client-port", 0, "the port the client binds")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "closepath-peer-go: one scripted TCP endpoint, driven over fd 3 by closepath")
		flag.PrintDefaults()
	}
	flag.Parse()
	if (*role != "client" && *role != "server") || *local == "" || *remote == "" || *port == 0 || *clientPort == 0 {
		flag.Usage()
		os.Exit(2)
	}
	client := *role == "client"
	ports := map[bool]int{true: *clientPort, false: *port}
	e := &endpoint{
		client: client,
		local:  net.JoinHostPort(*local, strconv.Itoa(ports[client])),
		remote: net.JoinHostPort(*remote, strconv.Itoa(ports[!client])),
		host:   *remote,
	}
	control := os.NewFile(controlFd, "control")
	c := &channel{out: control}
	c.write(map[string]any{"hello": "closepath-peer-go", "runtime": "go", "pid": os.Getpid()})
	lines := bufio.NewScanner(control)
	lines.Buffer(make([]byte, 1<<16), 64<<20) // TLS credentials travel in one line
	for lines.Scan() {
		var cmd command
		if err := json.Unmarshal(lines.Bytes(), &cmd); err != nil || cmd.Op == "" {
			c.fatal(-1, fmt.Sprintf("malformed command: %v: %s", err, lines.Text()))
		}
		if cmd.WithinMs == 0 {
			cmd.WithinMs = 5000
		}
		go run(e, c, cmd)
	}
	os.Exit(0) // the harness went away; commands still running end with the process
}
