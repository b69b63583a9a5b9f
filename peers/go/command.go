package main

import (
	"encoding/hex"
	"time"
)

// A command's fields (docs/protocol.md): the op's own, all optional here; each action reads its own.
type command struct {
	ID       int     `json:"id"`
	Op       string  `json:"op"`
	WithinMs int64   `json:"within_ms"`
	Port     *int    `json:"port"`
	N        int     `json:"n"`
	Hex      *string `json:"hex"`
	Mode     string  `json:"mode"`
	Keep     bool    `json:"keep"`
	How      string  `json:"how"`
	Name     string  `json:"name"`
	Value    int     `json:"value"`
	Announce uint32  `json:"announce"`
	Item     string  `json:"item"`
	Verify   *bool   `json:"verify"`
	SNI      string  `json:"sni"`
	CA       string  `json:"ca"`
	Cert     string  `json:"cert"`
	Key      string  `json:"key"`
}

func (c command) bytes() []byte {
	if c.Hex == nil {
		return nil
	}
	b, err := hex.DecodeString(*c.Hex)
	if err != nil {
		panic(fatal("'hex' is not hex: " + err.Error()))
	}
	return b
}

type answer = map[string]any

type action func(e *endpoint, c command, deadline time.Time) answer

// The actions, by op: the protocol's vocabulary (protocol/actions.hpp).
var actions map[string]action

func init() {
	actions = map[string]action{
		"listen":           (*endpoint).listen,
		"connect":          (*endpoint).connect,
		"accept":           (*endpoint).accept,
		"send":             (*endpoint).send,
		"recv":             (*endpoint).recv,
		"recv_until":       (*endpoint).recvUntil,
		"shutdown":         (*endpoint).shutdown,
		"close":            (*endpoint).close,
		"set":              (*endpoint).set,
		"send_message":     (*endpoint).sendMessage,
		"recv_message":     (*endpoint).recvMessage,
		"tls_setup":        (*endpoint).tlsSetup,
		"tls_handshake":    (*endpoint).tlsHandshake,
		"tls_stall":        (*endpoint).tlsStall,
		"tls_close_notify": (*endpoint).tlsCloseNotify,
		"crash":            (*endpoint).crash,
		"drain":            (*endpoint).drain,
		"poll":             (*endpoint).poll,
		"get":              (*endpoint).get,
	}
}

func ok(n int) answer { return answer{"end": "ok", "bytes": n} }
