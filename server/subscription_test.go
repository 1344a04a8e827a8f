package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/events"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket"
)

// waitFor bounds every wait for something a subscriber should receive.
const waitFor = 15 * time.Second

const escalationEventsSubscription = `subscription($after: String, $where: EscalationSubscriptionFilter) {
  escalationEvents(after: $after, where: $where) {
    cursor
    event { id kind internal body }
    escalation { id title }
  }
}`

// notice is one escalationEvents payload as a client sees it.
type notice struct {
	Cursor string
	Event  struct {
		ID, Kind, Body string
		Internal       bool
	}
	Escalation struct{ ID, Title string }
}

// subscriptionFixture is two carriers, each with an account, a contact and an
// escalation, and a rep who works carrier A's account only.
type subscriptionFixture struct {
	carrierA, carrierB       string
	accountA, accountB       string
	escalationA, escalationB string
	repToken, carrierToken   string // the rep of account A; the contact of carrier A
}

func newSubscriptionFixture(t *testing.T, app *testApp) *subscriptionFixture {
	t.Helper()
	c, ctx := app.db.Client, allowCtx()
	fx := &subscriptionFixture{}
	var contactA string
	for _, l := range []string{"A", "B"} {
		carrier := c.Carrier.Create().
			SetName("Live Carrier " + l).
			SetOcn("8" + l + "00").
			SetCcna("LV" + l).
			SaveX(ctx)
		contact := c.Contact.Create().
			SetCarrierID(carrier.ID).
			SetName("Live Contact " + l).
			SetEmail("live-" + strings.ToLower(l) + "@carrier.example").
			SaveX(ctx)
		account := c.Account.Create().
			SetCarrierID(carrier.ID).
			SetAccountNumber("LV-" + l).
			SetBan("LV-BAN-" + l).
			SetName("Live account " + l).
			SetMarket("Boston").
			SetRegion(enum.RegionNortheast).
			SaveX(ctx)
		esc := c.Escalation.Create().
			SetAccountID(account.ID).
			SetTitle("Live escalation " + l).
			SetCategory(escalation.CategoryServiceAssurance).
			SetSeverity(map[string]escalation.Severity{"A": escalation.SeveritySev2, "B": escalation.SeveritySev3}[l]).
			SaveX(ctx)
		if l == "A" {
			fx.carrierA, fx.accountA, fx.escalationA, contactA = carrier.ID, account.ID, esc.ID, contact.ID
		} else {
			fx.carrierB, fx.accountB, fx.escalationB = carrier.ID, account.ID, esc.ID
		}
	}
	rep := c.Rep.Create().
		SetName("Live Rep").
		SetEmail("live-rep@carrierdesk.example").
		SetRole(enum.RoleAccountExecutive).
		SetRegion(enum.RegionNortheast).
		SaveX(ctx)
	c.AccountAssignment.Create().
		SetAccountID(fx.accountA).
		SetRepID(rep.ID).
		SetCapacity(accountassignment.CapacityAccountExecutive).
		SetStartedAt(time.Now().AddDate(0, -1, 0)).
		SaveX(ctx)
	fx.repToken = app.sign(t, auth.Claims{Subject: rep.ID, Role: string(enum.RoleAccountExecutive)})
	fx.carrierToken = app.sign(t, auth.Claims{Subject: contactA, Role: string(enum.RoleCarrier), CarrierID: fx.carrierA})
	return fx
}

// comment comments on an escalation through the API, as the app's token.
func (a *testApp) comment(t *testing.T, escalationID, body string, internal bool) {
	t.Helper()
	a.ok(t, `mutation($id: ID!, $body: String!, $internal: Boolean) { commentOnEscalation(id: $id, body: $body, internal: $internal) { id } }`,
		jsonObject{"id": escalationID, "body": body, "internal": internal}, nil)
}

// secondInstance is another server on a's PostgreSQL schema, as a second
// instance behind a load balancer is. A non-empty applicationName names its
// connections, so that a test can find its listener.
func (a *testApp) secondInstance(t *testing.T, applicationName string) *testApp {
	t.Helper()
	cfg := a.cfg
	if applicationName != "" {
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("application_name", applicationName)
		u.RawQuery = q.Encode()
		cfg.DatabaseURL = u.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		t.Fatalf("opening the second instance: %v", err)
	}
	verifier, err := auth.NewVerifier(ctx, cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(db, cfg, &Authenticator{Verifier: verifier, Client: db.Client}))
	t.Cleanup(func() {
		srv.Close()
		db.Close()
	})
	return &testApp{db: db, cfg: cfg, token: a.token, srv: srv}
}

// waitSubscribed waits until a's broker has exactly n subscriptions. A
// subscribe message is handled asynchronously, and an event committed before
// it is handled rightly does not reach a live subscription.
func (a *testApp) waitSubscribed(t *testing.T, n int) {
	t.Helper()
	broker := a.db.Events.(interface {
		events.Broker
		Subscribers() int
	})
	deadline := time.Now().Add(waitFor)
	for events.Subscribers(broker) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions, want %d", events.Subscribers(broker), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a graphql-transport-ws client; a goroutine reads every message
// into msgs and closes it when the connection ends.
type wsClient struct {
	conn *websocket.Conn
	msgs chan wsMessage
	err  error // why the connection ended, once msgs is closed
	// received counts the messages read; answered, those read before the last ping answered.
	received, answered atomic.Int64
}

func dialSubscriptions(t *testing.T, app *testApp, token string) *wsClient {
	t.Helper()
	c, _ := dialSubscriptionsWith(t, app, token, &websocket.DialOptions{})
	return c
}

// dialSubscriptionsWith dials with opts (the subprotocol is set here) and
// returns the handshake's response too.
func dialSubscriptionsWith(t *testing.T, app *testApp, token string, opts *websocket.DialOptions) (*wsClient, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	opts.Subprotocols = []string{"graphql-transport-ws"}
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.srv.URL, "http")+"/query", opts)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	c := &wsClient{conn: conn, msgs: make(chan wsMessage, 100)}
	t.Cleanup(c.close)
	go c.read()
	c.send(t, wsMessage{Type: "connection_init", Payload: mustJSON(map[string]string{"Authorization": "Bearer " + token})})
	if m := c.next(t); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	return c, res
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (c *wsClient) read() {
	defer close(c.msgs)
	for {
		_, b, err := c.conn.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			c.err = fmt.Errorf("decoding %q: %w", b, err)
			return
		}
		if m.Type == "ping" {
			_ = c.conn.Write(context.Background(), websocket.MessageText, mustJSON(wsMessage{Type: "pong"}))
			c.answered.Store(c.received.Load())
			continue
		}
		c.received.Add(1)
		c.msgs <- m
	}
}

func (c *wsClient) send(t *testing.T, m wsMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, mustJSON(m)); err != nil {
		t.Fatalf("sending %s: %v", m.Type, err)
	}
}

// next is the next message, which must come within waitFor.
func (c *wsClient) next(t *testing.T) wsMessage {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			t.Fatalf("connection ended: %v", c.err)
		}
		return m
	case <-time.After(waitFor):
		t.Fatal("no message within", waitFor)
	}
	return wsMessage{}
}

// subscribe starts escalationEvents under id with the given variables.
func (c *wsClient) subscribe(t *testing.T, id string, vars jsonObject) {
	t.Helper()
	c.send(t, wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(jsonObject{"query": escalationEventsSubscription, "variables": vars})})
}

// notice is the next event of subscription id.
func (c *wsClient) notice(t *testing.T, id string) notice {
	t.Helper()
	m := c.next(t)
	if m.Type != "next" || m.ID != id {
		t.Fatalf("want next of subscription %s, got %s %s", id, m.Type, m.Payload)
	}
	var p struct {
		Data   struct{ EscalationEvents notice }
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		t.Fatalf("notice %s: %v", m.Payload, err)
	}
	return p.Data.EscalationEvents
}

// bodies reads n notices of subscription id and returns their bodies, and the last cursor.
func (c *wsClient) bodies(t *testing.T, id string, n int) ([]string, string) {
	t.Helper()
	var got []string
	var cursor string
	for range n {
		nt := c.notice(t, id)
		got = append(got, nt.Event.Body)
		cursor = nt.Cursor
	}
	return got, cursor
}

func (c *wsClient) close() { _ = c.conn.Close(websocket.StatusNormalClosure, "") }

// waitClosed waits for the server to end the connection.
func (c *wsClient) waitClosed(t *testing.T) {
	t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				return
			}
			if m.Type == "next" {
				t.Fatalf("unexpected event while waiting for the end: %s", m.Payload)
			}
		case <-timeout:
			t.Fatal("the connection did not end within", waitFor)
		}
	}
}

func TestSubscriptionDeliversWhatEachViewerMaySee(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		admin := dialSubscriptions(t, app, app.token)
		admin.subscribe(t, "all", nil)
		admin.subscribe(t, "carrierB", jsonObject{"where": jsonObject{"carrierIDs": []string{fx.carrierB}}})
		admin.subscribe(t, "sev2", jsonObject{"where": jsonObject{"severities": []string{"SEV2"}}})
		admin.subscribe(t, "accountA", jsonObject{"where": jsonObject{"accountIDs": []string{fx.accountA}}})
		rep := dialSubscriptions(t, app, fx.repToken)
		rep.subscribe(t, "1", nil)
		carrier := dialSubscriptions(t, app, fx.carrierToken)
		carrier.subscribe(t, "1", nil)
		// A filter naming another carrier reveals nothing.
		carrier.subscribe(t, "probe", jsonObject{"where": jsonObject{"carrierIDs": []string{fx.carrierB}}})
		app.waitSubscribed(t, 7)

		app.comment(t, fx.escalationB, "B public", false)
		app.comment(t, fx.escalationA, "A internal", true)
		app.comment(t, fx.escalationA, "A public", false)

		// Subscriptions on one connection interleave; read each by its id.
		want := map[string][]string{
			"all":      {"B public", "A internal", "A public"},
			"carrierB": {"B public"},
			"sev2":     {"A internal", "A public"},
			"accountA": {"A internal", "A public"},
		}
		got := map[string][]string{}
		for range 8 {
			m := admin.next(t)
			var p struct {
				Data struct{ EscalationEvents notice }
			}
			if m.Type != "next" || json.Unmarshal(m.Payload, &p) != nil {
				t.Fatalf("unexpected %s %s", m.Type, m.Payload)
			}
			got[m.ID] = append(got[m.ID], p.Data.EscalationEvents.Event.Body)
		}
		for id, w := range want {
			if !slices.Equal(got[id], w) {
				t.Errorf("admin subscription %s got %v, want %v", id, got[id], w)
			}
		}
		if b, _ := rep.bodies(t, "1", 2); !slices.Equal(b, []string{"A internal", "A public"}) {
			t.Errorf("the rep of account A got %v", b)
		}
		// The carrier's first event is A's public comment: nothing of carrier B, no internal comment.
		nt := carrier.notice(t, "1")
		if nt.Event.Body != "A public" || nt.Escalation.ID != fx.escalationA || nt.Event.Internal {
			t.Errorf("carrier A got %+v first", nt)
		}
		// The probe hears nothing: a sentinel for the carrier arrives with nothing before it.
		app.comment(t, fx.escalationA, "sentinel", false)
		if m := carrier.next(t); m.ID != "1" || !strings.Contains(string(m.Payload), "sentinel") {
			t.Errorf("carrier got %s %s before the sentinel", m.ID, m.Payload)
		}
	})
}

func TestSubscriptionAcrossInstances(t *testing.T) {
	a := newTestApp(t, dialect.Postgres)
	b := a.secondInstance(t, "")
	fx := newSubscriptionFixture(t, a)
	admin := dialSubscriptions(t, b, a.token)
	admin.subscribe(t, "1", nil)
	carrier := dialSubscriptions(t, b, fx.carrierToken)
	carrier.subscribe(t, "1", nil)
	b.waitSubscribed(t, 2)

	a.comment(t, fx.escalationB, "made on A, carrier B", false)
	a.comment(t, fx.escalationA, "made on A, internal", true)
	a.as(fx.carrierToken).ok(t, `mutation($input: CreateEscalationInput!) { createEscalation(input: $input) { id } }`,
		jsonObject{"input": jsonObject{"title": "Raised on A", "category": "BILLING", "severity": "SEV3", "accountID": fx.accountA}}, nil)

	got, _ := admin.bodies(t, "1", 3)
	if want := []string{"made on A, carrier B", "made on A, internal", "Raised on A"}; !slices.Equal(got, want) {
		t.Errorf("admin on B got %v, want %v", got, want)
	}
	nt := carrier.notice(t, "1")
	if nt.Event.Kind != "CREATED" || nt.Escalation.Title != "Raised on A" {
		t.Errorf("carrier A on B got %+v first; want its own new escalation", nt)
	}
}

func TestSubscriptionResumesFromCursor(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		first := dialSubscriptions(t, app, app.token)
		first.subscribe(t, "1", nil)
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationA, "seen 1", false)
		app.comment(t, fx.escalationB, "seen 2", false)
		_, cursor := first.bodies(t, "1", 2)
		first.close()

		for _, body := range []string{"missed 1", "missed 2", "missed 3"} {
			app.comment(t, fx.escalationA, body, false)
		}
		again := dialSubscriptions(t, app, app.token)
		again.subscribe(t, "1", jsonObject{"after": cursor})
		got, _ := again.bodies(t, "1", 3)
		if want := []string{"missed 1", "missed 2", "missed 3"}; !slices.Equal(got, want) {
			t.Errorf("resumed subscriber got %v, want %v", got, want)
		}
		app.comment(t, fx.escalationB, "live", false)
		if got, _ := again.bodies(t, "1", 1); got[0] != "live" {
			t.Errorf("after catching up, got %v, want the live event", got)
		}

		// A filter applies to the catch-up too; a bad cursor is bad input.
		filtered := dialSubscriptions(t, app, app.token)
		filtered.subscribe(t, "1", jsonObject{"after": cursor, "where": jsonObject{"carrierIDs": []string{fx.carrierB}}})
		if got, _ := filtered.bodies(t, "1", 1); got[0] != "live" {
			t.Errorf("filtered catch-up got %v, want only carrier B's event", got)
		}
		filtered.subscribe(t, "2", jsonObject{"after": "not-a-cursor"})
		if m := filtered.next(t); m.ID != "2" || !strings.Contains(string(m.Payload), "BAD_USER_INPUT") {
			t.Errorf("bad cursor: got %s %s", m.Type, m.Payload)
		}
	})
}

// TestSubscriptionEventCommittedOutOfOrder: an event whose transaction took
// its ID first but commits last reaches a live subscriber, and a subscriber
// that resumes after the later event, once each.
func TestSubscriptionEventCommittedOutOfOrder(t *testing.T) {
	app := newTestApp(t, dialect.Postgres)
	fx := newSubscriptionFixture(t, app)
	live := dialSubscriptions(t, app, app.token)
	live.subscribe(t, "1", nil)
	offline := dialSubscriptions(t, app, app.token)
	offline.subscribe(t, "1", nil)
	app.waitSubscribed(t, 2)

	tx, err := app.db.Client.Tx(allowCtx())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	late := tx.EscalationEvent.Create().
		SetEscalationID(fx.escalationB).
		SetKind(escalationevent.KindComment).
		SetBody("taken first, committed last").
		SetCreatedAt(time.Now()).
		SaveX(allowCtx())
	app.comment(t, fx.escalationA, "taken second, committed first", false)
	_, cursor := offline.bodies(t, "1", 1)
	offline.close()
	got, _ := live.bodies(t, "1", 1)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	more, _ := live.bodies(t, "1", 1)
	got = append(got, more...)
	if want := []string{"taken second, committed first", "taken first, committed last"}; !slices.Equal(got, want) {
		t.Errorf("live subscriber got %v, want %v", got, want)
	}
	resumed := dialSubscriptions(t, app, app.token)
	resumed.subscribe(t, "1", jsonObject{"after": cursor})
	if nt := resumed.notice(t, "1"); nt.Event.ID != late.ID {
		t.Errorf("resumed after the later event, got %q first, want the late one", nt.Event.Body)
	}
	app.comment(t, fx.escalationA, "next", false)
	if got, _ := resumed.bodies(t, "1", 1); got[0] != "next" {
		t.Errorf("then got %v, want only the next event", got)
	}
	if got, _ := live.bodies(t, "1", 1); got[0] != "next" {
		t.Errorf("live then got %v, want only the next event", got)
	}
}

// TestSubscriptionSurvivesListenerLoss kills instance B's listener connection
// while A commits events; after B reconnects its subscriber has every one,
// in order, once.
func TestSubscriptionSurvivesListenerLoss(t *testing.T) {
	a := newTestApp(t, dialect.Postgres)
	name := "carrierdesk-test-" + randomHex(4)
	b := a.secondInstance(t, name)
	fx := newSubscriptionFixture(t, a)
	sub := dialSubscriptions(t, b, a.token)
	sub.subscribe(t, "1", nil)
	b.waitSubscribed(t, 1)
	a.comment(t, fx.escalationA, "before", false)
	if got, _ := sub.bodies(t, "1", 1); got[0] != "before" {
		t.Fatalf("got %v", got)
	}

	admin, err := sql.Open("postgres", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	listener := func() (pid int) {
		err := admin.QueryRow(`SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = $1`, name+events.ListenerSuffix).Scan(&pid)
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	var want []string
	for round := range 3 {
		pid := listener()
		if pid == 0 {
			t.Fatalf("round %d: no listener connection", round)
		}
		// Events written before the kill commit right after it, while the
		// listener is gone or not yet listening again; more follow through the API.
		tx, err := a.db.Client.Tx(allowCtx())
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			body := fmt.Sprintf("round %d, committed with the kill, %d", round, i)
			tx.EscalationEvent.Create().
				SetEscalationID(fx.escalationB).
				SetKind(escalationevent.KindComment).
				SetBody(body).
				SetCreatedAt(time.Now()).
				ExecX(allowCtx())
			want = append(want, body)
		}
		var killed bool
		if err := admin.QueryRow(`SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
			t.Fatalf("killing the listener %d: %v %v", pid, killed, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			body := fmt.Sprintf("round %d, through the API, %d", round, i)
			a.comment(t, fx.escalationA, body, false)
			want = append(want, body)
		}
		// The listener comes back as a new connection.
		deadline := time.Now().Add(waitFor)
		for p := listener(); p == 0 || p == pid; p = listener() {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the listener did not reconnect", round)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	a.comment(t, fx.escalationA, "after", false)
	want = append(want, "after")

	got, _ := sub.bodies(t, "1", len(want))
	if !slices.Equal(got, want) {
		t.Errorf("after the listener's outages got\n%v\nwant\n%v", got, want)
	}
}

func TestSubscriptionOverSSE(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()

		if res := openSSE(t, client, app, ""); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("SSE without a token: HTTP %d", res.StatusCode)
			res.Body.Close()
		}
		res := openSSE(t, client, app, fx.carrierToken)
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("Content-Type %q", ct)
		}
		stream := sseEvents(res.Body)
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationB, "not for carrier A", false)
		app.comment(t, fx.escalationA, "over SSE", false)
		select {
		case ev, ok := <-stream:
			if !ok || ev.name != "next" || !strings.Contains(ev.data, `"over SSE"`) {
				t.Errorf("got %+v (open %v)", ev, ok)
			}
		case <-time.After(waitFor):
			t.Fatal("no SSE event")
		}
	})
}

// openSSE subscribes over server-sent events, with more headers given as name, value pairs.
func openSSE(t *testing.T, client *http.Client, app *testApp, token string, headers ...string) *http.Response {
	t.Helper()
	body := mustJSON(jsonObject{"query": escalationEventsSubscription})
	req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

type sseEvent struct{ id, name, data string }

// sseEvents parses a stream of server-sent events until it ends.
func sseEvents(r io.Reader) <-chan sseEvent {
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

func TestSubscriptionEndsWhenTokenExpires(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		admin := app.db.Client.Rep.Query().FirstX(allowCtx())
		short, err := auth.Sign(app.cfg.Auth.Secret, auth.Claims{Subject: admin.ID, Role: string(admin.Role)}, 3*time.Second, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		ws := dialSubscriptions(t, app, short)
		ws.subscribe(t, "1", nil)
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationA, "while valid", false)
		if got, _ := ws.bodies(t, "1", 1); got[0] != "while valid" {
			t.Fatalf("got %v", got)
		}

		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()
		res := openSSE(t, client, app, short)
		defer res.Body.Close()
		stream := sseEvents(res.Body)

		ws.waitClosed(t)
		if code := websocket.CloseStatus(ws.err); code != 4403 {
			t.Errorf("the WebSocket closed with %d (%v) when its token expired; want 4403", code, ws.err)
		}
		for open := true; open; {
			select {
			case _, open = <-stream:
			case <-time.After(waitFor):
				t.Fatal("the SSE stream outlived its token")
			}
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("subscriptions outlived their token by %v", d)
		}
	})
}

// TestSubscriptionLeavesNoGoroutines: subscribers that come and go leave
// nothing running behind them.
func TestSubscriptionLeavesNoGoroutines(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		app.comment(t, fx.escalationA, "warm up", false)
		client := &http.Client{Transport: &http.Transport{}}
		baseline := settledGoroutines(0)

		var wss []*wsClient
		for range 20 {
			c := dialSubscriptions(t, app, app.token)
			c.subscribe(t, "1", nil)
			c.subscribe(t, "2", jsonObject{"where": jsonObject{"carrierIDs": []string{fx.carrierA}}})
			wss = append(wss, c)
		}
		var sses []*http.Response
		for range 5 {
			sses = append(sses, openSSE(t, client, app, app.token))
		}
		app.waitSubscribed(t, 45)
		// One subscriber stops a subscription but stays connected.
		wss[0].send(t, wsMessage{ID: "2", Type: "complete"})
		app.waitSubscribed(t, 44)
		app.comment(t, fx.escalationA, "to everyone", false)
		if m := wss[0].next(t); m.Type != "complete" || m.ID != "2" {
			t.Fatalf("stopping a subscription: got %s %s", m.Type, m.ID)
		}
		for i, c := range wss {
			want := []string{"1", "2"}
			if i == 0 {
				want = want[:1]
			}
			var got []string
			for range want {
				if m := c.next(t); m.Type == "next" {
					got = append(got, m.ID)
				}
			}
			if slices.Sort(got); !slices.Equal(got, want) {
				t.Fatalf("subscriber %d got events of subscriptions %v, want %v", i, got, want)
			}
		}
		for _, res := range sses {
			select {
			case ev, ok := <-sseEvents(res.Body):
				if !ok || ev.name != "next" {
					t.Fatalf("SSE got %+v", ev)
				}
			case <-time.After(waitFor):
				t.Fatal("no SSE event within", waitFor)
			}
		}
		if n := runtime.NumGoroutine(); n <= baseline {
			t.Fatalf("%d goroutines with 25 subscribers, %d without: the test measures nothing", n, baseline)
		}
		for _, c := range wss {
			c.close()
		}
		for _, res := range sses {
			res.Body.Close()
		}
		client.CloseIdleConnections()
		if n := settledGoroutines(baseline); n > baseline {
			buf := make([]byte, 1<<20)
			t.Errorf("%d goroutines after the subscribers left, %d before:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
		}
	})
}

// settledGoroutines waits up to 10s for the goroutine count to fall to want,
// and returns the count it settled at.
func settledGoroutines(want int) int {
	deadline := time.Now().Add(10 * time.Second)
	n, last := runtime.NumGoroutine(), -1
	for time.Now().Before(deadline) && n > want && (want > 0 || n != last) {
		time.Sleep(100 * time.Millisecond)
		last, n = n, runtime.NumGoroutine()
	}
	return n
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
