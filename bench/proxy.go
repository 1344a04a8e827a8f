package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// statementProxy sits between the server and PostgreSQL and counts the SQL
// statements the server sends, from the wire protocol itself: a simple Query
// message or an extended-protocol Execute is one statement. It sees every
// statement whatever issued it (ent, raw SQL in reports, the authenticator),
// needs nothing in the server, and works without pg_stat_statements, which
// must be preloaded when PostgreSQL starts. While recording, it also keeps
// each statement's SQL and arguments, for EXPLAIN.
//
// It parses only the client's side of the conversation and copies the
// server's side untouched. It adds a hop to every round trip, so the suite
// counts through it and times without it.
type statementProxy struct {
	ln       net.Listener
	upstream string

	statements atomic.Int64 // SQL statements other than transaction control
	txControl  atomic.Int64 // BEGIN, COMMIT, ROLLBACK, SAVEPOINT ...

	mu        sync.Mutex
	recording bool
	recorded  []capturedStatement
}

// capturedStatement is one statement as the server sent it.
type capturedStatement struct {
	SQL  string
	Args []any // text parameters as strings, binary ones as []byte
}

// startProxy listens on a free loopback port and forwards to upstream (host:port).
func startProxy(upstream string) (*statementProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("statement proxy: %w", err)
	}
	p := &statementProxy{ln: ln, upstream: upstream}
	go p.accept()
	return p, nil
}

// Addr is the host:port the server should connect to instead of PostgreSQL.
func (p *statementProxy) Addr() string { return p.ln.Addr().String() }

// Close stops accepting; open connections end with the server that holds them.
func (p *statementProxy) Close() error { return p.ln.Close() }

// Reset zeroes the counters and starts or stops recording statements.
func (p *statementProxy) Reset(record bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.statements.Store(0)
	p.txControl.Store(0)
	p.recording = record
	p.recorded = nil
}

// Recorded returns the statements recorded since the last Reset(true).
func (p *statementProxy) Recorded() []capturedStatement {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]capturedStatement(nil), p.recorded...)
}

func (p *statementProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *statementProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		_, _ = io.Copy(client, server)
		client.Close()
	}()
	_ = p.forward(bufio.NewReaderSize(client, 64<<10), server)
}

// sslRequestCode and gssRequestCode open a connection in place of a startup
// message; PostgreSQL answers them with one byte and the client starts again.
const (
	sslRequestCode = 80877103
	gssRequestCode = 80877104
)

// forward copies the client's messages to the server, reading each one to count it.
func (p *statementProxy) forward(r *bufio.Reader, w io.Writer) error {
	// Untyped messages come first: SSL or GSS requests, then the startup message.
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(hdr[:4]))
		if n < 8 {
			return errors.New("statement proxy: malformed startup message")
		}
		body := make([]byte, n-8)
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		if _, err := w.Write(append(hdr[:], body...)); err != nil {
			return err
		}
		if code := binary.BigEndian.Uint32(hdr[4:]); code != sslRequestCode && code != gssRequestCode {
			break
		}
	}
	conn := &protocolState{portals: map[string]capturedStatement{}, statements: map[string]string{}}
	buf := make([]byte, 0, 4096)
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(hdr[1:]))
		if n < 4 {
			return errors.New("statement proxy: malformed message")
		}
		buf = append(buf[:0], hdr[:]...)
		buf = append(buf, make([]byte, n-4)...)
		if _, err := io.ReadFull(r, buf[5:]); err != nil {
			return err
		}
		p.observe(conn, hdr[0], buf[5:])
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
}

// protocolState is what one connection has parsed and bound so far.
type protocolState struct {
	statements map[string]string            // prepared statement name -> SQL
	portals    map[string]capturedStatement // portal name -> SQL with its arguments
}

// observe counts and records one message from the client.
func (p *statementProxy) observe(c *protocolState, typ byte, body []byte) {
	switch typ {
	case 'Q': // simple query: one SQL text, no parameters
		sql, _, _ := cstring(body)
		p.count(capturedStatement{SQL: sql})
	case 'P': // Parse: statement name, SQL
		name, rest, ok := cstring(body)
		if !ok {
			return
		}
		sql, _, _ := cstring(rest)
		c.statements[name] = sql
	case 'B': // Bind: portal, statement, parameter formats, parameters
		if s, portal, ok := parseBind(body, c.statements); ok {
			c.portals[portal] = s
		}
	case 'E': // Execute: portal
		portal, _, _ := cstring(body)
		p.count(c.portals[portal])
	}
}

func (p *statementProxy) count(s capturedStatement) {
	if strings.TrimSpace(s.SQL) == "" {
		// An empty query is a keep-alive (lib/pq's Listener pings so), not work.
		return
	}
	if isTxControl(s.SQL) {
		p.txControl.Add(1)
		return
	}
	p.statements.Add(1)
	p.mu.Lock()
	if p.recording {
		p.recorded = append(p.recorded, s)
	}
	p.mu.Unlock()
}

// isTxControl reports whether sql begins, ends or marks a transaction.
func isTxControl(sql string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	switch strings.ToUpper(strings.TrimRight(word, ";")) {
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
		return true
	}
	return false
}

// parseBind reads a Bind message: the portal it creates, and the statement's
// SQL with its parameters.
func parseBind(b []byte, statements map[string]string) (capturedStatement, string, bool) {
	portal, b, ok := cstring(b)
	if !ok {
		return capturedStatement{}, "", false
	}
	name, b, ok := cstring(b)
	if !ok || len(b) < 2 {
		return capturedStatement{}, "", false
	}
	nf := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if len(b) < 2*nf+2 {
		return capturedStatement{}, "", false
	}
	formats := make([]uint16, nf)
	for i := range formats {
		formats[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	b = b[2*nf:]
	np := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	s := capturedStatement{SQL: statements[name], Args: make([]any, 0, np)}
	for i := range np {
		if len(b) < 4 {
			return capturedStatement{}, "", false
		}
		n := int(int32(binary.BigEndian.Uint32(b)))
		b = b[4:]
		if n < 0 {
			s.Args = append(s.Args, nil)
			continue
		}
		if len(b) < n {
			return capturedStatement{}, "", false
		}
		format := uint16(0)
		switch {
		case nf == 1:
			format = formats[0]
		case i < nf:
			format = formats[i]
		}
		if format == 1 {
			s.Args = append(s.Args, append([]byte(nil), b[:n]...))
		} else {
			s.Args = append(s.Args, string(b[:n]))
		}
		b = b[n:]
	}
	return s, portal, true
}

// cstring splits a NUL-terminated string off b.
func cstring(b []byte) (string, []byte, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return "", nil, false
}
