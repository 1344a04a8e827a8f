package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carrierdesk/internal/auth"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket"
)

// newWSServer serves the app's database with the limits changed by mutate,
// and returns the websocket URL of its GraphQL endpoint.
func newWSServer(t *testing.T, mutate func(*Limits)) (*testApp, string) {
	t.Helper()
	app := newTestApp(t, dialect.SQLite)
	cfg := app.cfg
	mutate(&cfg.Limits)
	verifier, err := auth.NewVerifier(context.Background(), cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(app.db, cfg, &Authenticator{Verifier: verifier, Client: app.db.Client}))
	t.Cleanup(srv.Close)
	return app, "ws" + strings.TrimPrefix(srv.URL, "http") + "/query"
}

func wsDial(t *testing.T, url, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	opts := &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}}
	if origin != "" {
		opts.HTTPHeader = http.Header{"Origin": {origin}}
	}
	conn, resp, err := websocket.Dial(ctx, url, opts)
	if err == nil {
		t.Cleanup(func() { _ = conn.CloseNow() })
	}
	return conn, resp, err
}

func mustDial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := wsDial(t, url, "")
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	return conn
}

func wsWrite(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	var b []byte
	if s, ok := v.(string); ok {
		b = []byte(s)
	} else {
		b = mustJSON(v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("writing %s: %v", b, err)
	}
}

// wsRead is the next message; answerPings makes it answer and skip server pings.
func wsRead(t *testing.T, conn *websocket.Conn, within time.Duration, answerPings bool) (wsMessage, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return wsMessage{}, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("decoding %q: %v", b, err)
		}
		if answerPings && m.Type == "ping" {
			wsWrite(t, conn, wsMessage{Type: "pong"})
			continue
		}
		return m, nil
	}
}

// wsInit sends connection_init with token and expects connection_ack.
func wsInit(t *testing.T, conn *websocket.Conn, token string) {
	t.Helper()
	wsWrite(t, conn, wsMessage{Type: "connection_init", Payload: mustJSON(map[string]string{"Authorization": "Bearer " + token})})
	if m, err := wsRead(t, conn, waitFor, true); err != nil || m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v, %v", m, err)
	}
}

func wsSubscribe(t *testing.T, conn *websocket.Conn, id string) {
	t.Helper()
	wsWrite(t, conn, wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(jsonObject{"query": escalationEventsSubscription})})
}

// wantClose reads until the connection ends, which must be with code.
func wantClose(t *testing.T, conn *websocket.Conn, code websocket.StatusCode) {
	t.Helper()
	for {
		m, err := wsRead(t, conn, waitFor, true)
		if err == nil {
			if m.Type == "error" || m.Type == "next" || m.Type == "complete" || m.Type == "connection_ack" || m.Type == "pong" {
				continue
			}
			t.Fatalf("want close %d, got message %+v", code, m)
		}
		if got := websocket.CloseStatus(err); got != code {
			t.Fatalf("want close %d, got %d (%v)", code, got, err)
		}
		return
	}
}

func defaultLimits(*Limits) {}

func TestWebSocketInitTimeout(t *testing.T) {
	_, url := newWSServer(t, func(l *Limits) { l.WSInitTimeout = 200 * time.Millisecond })
	conn := mustDial(t, url)
	start := time.Now()
	wantClose(t, conn, 4408)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("closed after %s, before the init timeout", d)
	}
}

func TestWebSocketForbidden(t *testing.T) {
	_, url := newWSServer(t, defaultLimits)
	conn := mustDial(t, url)
	wsWrite(t, conn, wsMessage{Type: "connection_init", Payload: mustJSON(map[string]string{"Authorization": "Bearer not-a-token"})})
	wantClose(t, conn, 4403)

	conn = mustDial(t, url)
	wsWrite(t, conn, wsMessage{Type: "connection_init"})
	wantClose(t, conn, 4403)
}

// TestWebSocketExpiredTokenRefusedAtInit: a token that expired moments ago
// (within the clock-skew leeway token checks allow) is refused at
// connection_init with 4403 "Token expired", never acknowledged first, so a
// client that reconnects with it learns at once to fetch a new one.
func TestWebSocketExpiredTokenRefusedAtInit(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	admin := app.db.Client.Rep.Query().FirstX(allowCtx())
	expired, err := auth.Sign(app.cfg.Auth.Secret, auth.Claims{Subject: admin.ID, Role: string(admin.Role)}, 5*time.Second, time.Now().Add(-10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	conn := mustDial(t, url)
	wsWrite(t, conn, wsMessage{Type: "connection_init", Payload: mustJSON(map[string]string{"Authorization": "Bearer " + expired})})
	m, err := wsRead(t, conn, waitFor, true)
	if err == nil {
		t.Fatalf("an expired token got %+v; want the connection closed", m)
	}
	if got := websocket.CloseStatus(err); got != 4403 || !strings.Contains(err.Error(), "Token expired") {
		t.Fatalf("closed with %d (%v); want 4403 Token expired", got, err)
	}
}

func TestWebSocketSubscribeBeforeAck(t *testing.T) {
	_, url := newWSServer(t, defaultLimits)
	conn := mustDial(t, url)
	wsSubscribe(t, conn, "1")
	wantClose(t, conn, 4401)
}

func TestWebSocketSecondInit(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	conn := mustDial(t, url)
	wsInit(t, conn, app.token)
	wsWrite(t, conn, wsMessage{Type: "connection_init", Payload: mustJSON(map[string]string{"Authorization": "Bearer " + app.token})})
	wantClose(t, conn, 4429)
}

func TestWebSocketDuplicateID(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	conn := mustDial(t, url)
	wsInit(t, conn, app.token)
	wsSubscribe(t, conn, "1")
	wsSubscribe(t, conn, "1")
	wantClose(t, conn, 4409)
}

func TestWebSocketIDReusableAfterComplete(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	conn := mustDial(t, url)
	wsInit(t, conn, app.token)
	wsSubscribe(t, conn, "1")
	wsWrite(t, conn, wsMessage{ID: "1", Type: "complete"})
	wsSubscribe(t, conn, "1")
	// Still open: a ping is answered.
	wsWrite(t, conn, wsMessage{Type: "ping"})
	for {
		m, err := wsRead(t, conn, waitFor, true)
		if err != nil {
			t.Fatalf("connection ended: %v", err)
		}
		if m.Type == "error" {
			t.Fatalf("resubscribing a completed id: %+v", m)
		}
		if m.Type == "pong" {
			return
		}
	}
}

func TestWebSocketMalformed(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	for _, tc := range []struct {
		name string
		init bool
		msg  any
	}{
		{"not json before init", false, "{not json"},
		{"no type before init", false, map[string]string{"payload": "x"}},
		{"not json", true, "{not json"},
		{"unknown type", true, wsMessage{Type: "bogus"}},
		{"server type", true, wsMessage{ID: "1", Type: "next"}},
		{"subscribe without id", true, wsMessage{Type: "subscribe", Payload: mustJSON(jsonObject{"query": "{__typename}"})}},
		{"subscribe without payload", true, wsMessage{ID: "1", Type: "subscribe"}},
		{"complete without id", true, wsMessage{Type: "complete"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := mustDial(t, url)
			if tc.init {
				wsInit(t, conn, app.token)
			}
			wsWrite(t, conn, tc.msg)
			wantClose(t, conn, 4400)
		})
	}
}

func TestWebSocketPingPong(t *testing.T) {
	app, url := newWSServer(t, func(l *Limits) { l.WSPingInterval = 100 * time.Millisecond })

	// The client's ping is answered, before connection_init as well as after.
	conn := mustDial(t, url)
	wsWrite(t, conn, wsMessage{Type: "ping"})
	if m, err := wsRead(t, conn, waitFor, false); err != nil || m.Type != "pong" {
		t.Fatalf("want pong before init, got %+v, %v", m, err)
	}
	wsInit(t, conn, app.token)
	wsWrite(t, conn, wsMessage{Type: "ping"})
	if m, err := wsRead(t, conn, waitFor, true); err != nil || m.Type != "pong" {
		t.Fatalf("want pong, got %+v, %v", m, err)
	}

	// The server pings; a client that answers stays connected well past
	// twice the interval.
	if m, err := wsRead(t, conn, waitFor, false); err != nil || m.Type != "ping" {
		t.Fatalf("want a server ping, got %+v, %v", m, err)
	}
	wsWrite(t, conn, wsMessage{Type: "pong"})
	time.AfterFunc(600*time.Millisecond, func() {
		_ = conn.Write(context.Background(), websocket.MessageText, mustJSON(wsMessage{Type: "ping"}))
	})
	if m, err := wsRead(t, conn, waitFor, true); err != nil || m.Type != "pong" {
		t.Fatalf("a client answering pings was dropped: %+v, %v", m, err)
	}

	// One that never answers is dropped.
	silent := mustDial(t, url)
	wsInit(t, silent, app.token)
	ended := make(chan error, 1)
	go func() {
		for {
			if _, err := wsRead(t, silent, waitFor, false); err != nil {
				ended <- err
				return
			}
		}
	}()
	select {
	case err := <-ended:
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a client that never answers pings was not dropped: %v", err)
		}
	case <-time.After(waitFor):
		t.Fatal("a client that never answers pings was not dropped")
	}
}

func TestWebSocketSubscriptionCap(t *testing.T) {
	app, url := newWSServer(t, func(l *Limits) { l.WSMaxSubscriptions = 2 })
	conn := mustDial(t, url)
	wsInit(t, conn, app.token)
	wsSubscribe(t, conn, "1")
	wsSubscribe(t, conn, "2")
	wsSubscribe(t, conn, "3")
	m, err := wsRead(t, conn, waitFor, true)
	if err != nil || m.ID != "3" || m.Type != "error" || !strings.Contains(string(m.Payload), "TOO_MANY_SUBSCRIPTIONS") {
		t.Fatalf("want an error for subscription 3, got %+v, %v", m, err)
	}
	// Ending one makes room for another; the connection stays open.
	wsWrite(t, conn, wsMessage{ID: "1", Type: "complete"})
	wsSubscribe(t, conn, "4")
	wsWrite(t, conn, wsMessage{Type: "ping"})
	for {
		m, err := wsRead(t, conn, waitFor, true)
		if err != nil {
			t.Fatalf("connection ended: %v", err)
		}
		if m.Type == "error" {
			t.Fatalf("subscription under the cap refused: %+v", m)
		}
		if m.Type == "pong" {
			return
		}
	}
}

func TestWebSocketOrigin(t *testing.T) {
	// Without CORS_ORIGINS only same-origin (or non-browser) upgrades pass.
	_, url := newWSServer(t, defaultLimits)
	if _, resp, err := wsDial(t, url, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: want 403, got %v, %v", resp, err)
	}

	app, url := newWSServer(t, func(l *Limits) { l.CORSOrigins = []string{"https://app.example.com"} })
	if _, resp, err := wsDial(t, url, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade from an origin not allowed: want 403, got %v, %v", resp, err)
	}
	if _, resp, err := wsDial(t, url, "http://app.example.com"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upgrade from an allowed host over another scheme: want 403, got %v, %v", resp, err)
	}
	conn, _, err := wsDial(t, url, "https://app.example.com")
	if err != nil {
		t.Fatalf("upgrade from an allowed origin: %v", err)
	}
	wsInit(t, conn, app.token)
}

// A client may send its first message in the same packet as its handshake,
// before the server has answered it: the message waits in net/http's
// buffer when the connection is hijacked, and must reach the protocol all
// the same (the server moves it into the connection's own small buffer).
func TestWebSocketMessageSentWithTheHandshake(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	host := strings.TrimPrefix(strings.TrimSuffix(url, "/query"), "ws://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitFor))

	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + app.token}})
	var packet bytes.Buffer
	packet.WriteString("GET /query HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n")
	// One masked text frame, as a client must send it.
	mask := [4]byte{1, 2, 3, 4}
	packet.WriteByte(0x81)
	if len(init) < 126 {
		packet.WriteByte(0x80 | byte(len(init)))
	} else {
		packet.WriteByte(0x80 | 126)
		packet.WriteByte(byte(len(init) >> 8))
		packet.WriteByte(byte(len(init)))
	}
	packet.Write(mask[:])
	for i, b := range init {
		packet.WriteByte(b ^ mask[i%4])
	}
	if _, err := conn.Write(packet.Bytes()); err != nil {
		t.Fatal(err)
	}

	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s", resp.Status)
	}
	head := make([]byte, 2)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatalf("reading the answer to connection_init: %v", err)
	}
	if head[0] != 0x81 || head[1]&0x80 != 0 || head[1]&0x7f > 125 {
		t.Fatalf("answer to connection_init: frame header % x, want an unmasked short text frame", head)
	}
	body := make([]byte, head[1])
	if _, err := io.ReadFull(r, body); err != nil {
		t.Fatal(err)
	}
	var m struct{ Type string }
	if err := json.Unmarshal(body, &m); err != nil || m.Type != "connection_ack" {
		t.Fatalf("answer to connection_init: %s, want connection_ack", body)
	}
}
