package main

import (
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// A graphql-transport-ws subscription with a resumeKey is resumed from the
// last cursor its client is known to have received: a client answers every
// ping with a pong, and handles messages in order, so a pong shows that
// every message written before its ping arrived. Events written but not yet
// acknowledged when the connection drops are sent again on resume: never a
// gap, at worst the events of one round trip twice (none, if the drop was
// clean). The cursors are remembered in events.Resumes, which the
// subscription's resolver reads.

// resumeOp is one subscription with a resumeKey on a connection.
type resumeOp struct {
	key     string
	written string // cursor of the last event written
	unacked bool   // written has been written since the last ping
}

// resumePoint is a key's cursor that a pong confirms.
type resumePoint struct{ key, cursor string }

// trackResume follows subscription id if its subscribe payload gives a resumeKey.
func (c *protocolConn) trackResume(id string, payload json.RawMessage) {
	if c.session == nil || c.session.resumes == nil {
		return
	}
	key := resumeKeyOf(payload)
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resumable[id] = &resumeOp{key: key}
}

// written notes a message gqlgen wrote; for an event of a followed
// subscription, it makes sure a ping will follow.
func (c *protocolConn) written(typ, id string, payload json.RawMessage) {
	if typ != "next" {
		if typ == "complete" || typ == "error" {
			c.mu.Lock()
			delete(c.resumable, id)
			c.mu.Unlock()
		}
		return
	}
	c.mu.Lock()
	op := c.resumable[id]
	if op != nil {
		if cursor := resultCursor(payload); cursor != "" {
			op.written, op.unacked = cursor, true
		}
	}
	idle := len(c.pings) == 0
	c.mu.Unlock()
	if op != nil && idle {
		_ = c.ping(nil)
	}
}

// ping writes a ping (gqlgen's, or one of its own when data is nil), noting
// which cursors its pong will confirm. pingMu keeps the pings queued in the
// order they are written; a cursor is noted only after its event was written.
func (c *protocolConn) ping(data json.RawMessage) error {
	c.pingMu.Lock()
	defer c.pingMu.Unlock()
	c.mu.Lock()
	var points []resumePoint
	for _, op := range c.resumable {
		if op.unacked {
			points = append(points, resumePoint{op.key, op.written})
			op.unacked = false
		}
	}
	c.pings = append(c.pings, points)
	c.mu.Unlock()
	if data == nil {
		data = json.RawMessage(`{"type":"ping"}`)
	}
	return c.WebsocketConn.WriteJSON(data)
}

// pong remembers what the oldest unanswered ping confirms, and pings again
// if more has been written since.
func (c *protocolConn) pong() {
	c.mu.Lock()
	if len(c.pings) == 0 {
		c.mu.Unlock()
		return
	}
	points := c.pings[0]
	c.pings = c.pings[1:]
	more := false
	for _, op := range c.resumable {
		more = more || op.unacked
	}
	idle := len(c.pings) == 0
	c.mu.Unlock()
	viewer := c.session.subject()
	for _, p := range points {
		c.session.resumes.Remember(viewer, p.key, p.cursor)
	}
	if more && idle {
		_ = c.ping(nil)
	}
}

// resumeKeyOf is the resumeKey argument of a subscribe payload's
// escalationEvents field, given inline or as a variable, or "".
func resumeKeyOf(payload json.RawMessage) string {
	var p struct {
		Query         string
		OperationName string
		Variables     map[string]any
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
	if err != nil {
		return ""
	}
	for _, op := range doc.Operations {
		if op.Operation != ast.Subscription || (p.OperationName != "" && op.Name != p.OperationName) {
			continue
		}
		for _, sel := range op.SelectionSet {
			f, ok := sel.(*ast.Field)
			if !ok || f.Name != "escalationEvents" {
				continue
			}
			arg := f.Arguments.ForName("resumeKey")
			if arg == nil || arg.Value == nil {
				return ""
			}
			switch arg.Value.Kind {
			case ast.Variable:
				key, _ := p.Variables[arg.Value.Raw].(string)
				return key
			case ast.StringValue, ast.BlockValue:
				return arg.Value.Raw
			}
		}
	}
	return ""
}
