package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/internal/ids"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket"
)

// maxCursor is the longest cursor a subscriber may be given, whatever the load.
const maxCursor = 200

// writerClient is a client for many concurrent writers: on PostgreSQL, a
// second instance's pool of conns connections (its events reach a's
// subscribers as any instance's do); on SQLite, whose single writer takes
// turns anyway, a's own.
func writerClient(t *testing.T, a *testApp, conns int) *ent.Client {
	t.Helper()
	if a.db.Dialect != dialect.Postgres {
		return a.db.Client
	}
	cfg := a.cfg
	cfg.MaxOpenConns = conns
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		t.Fatalf("opening the writers' pool: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db.Client
}

// TestSubscriptionCursorStaysSmall: 48 writers each hold a transaction open
// for a random while after writing an event, so that dozens are in progress
// whenever a subscriber looks. Every cursor a live subscriber gets stays
// under maxCursor characters, and one taken mid-stream still resumes to
// exactly the events after it.
func TestSubscriptionCursorStaysSmall(t *testing.T) {
	const writers, rounds = 48, 8
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		writer := writerClient(t, app, writers)
		live := dialSubscriptions(t, app, app.token)
		live.subscribe(t, "1", nil)
		app.waitSubscribed(t, 1)

		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					body := fmt.Sprint("writer ", w, " round ", r)
					if app.db.Dialect != dialect.Postgres {
						createEvent(t, writer, ids.New("EscalationEvent"), fx.escalationA, body)
						continue
					}
					tx, err := writer.Tx(allowCtx())
					if err != nil {
						t.Errorf("beginning: %v", err)
						return
					}
					createEvent(t, tx.Client(), ids.New("EscalationEvent"), fx.escalationA, body)
					time.Sleep(rand.N(40 * time.Millisecond))
					if err := tx.Commit(); err != nil {
						t.Errorf("committing: %v", err)
					}
				}
			}()
		}
		var order []string
		var mid string
		longest := 0
		for n := range writers * rounds {
			nt := live.notice(t, "1")
			order = append(order, nt.Event.ID)
			longest = max(longest, len(nt.Cursor))
			if n == writers*rounds/3 {
				mid = nt.Cursor
			}
		}
		wg.Wait()
		t.Logf("longest cursor: %d characters", longest)
		if longest >= maxCursor {
			t.Errorf("a cursor of %d characters, want under %d", longest, maxCursor)
		}
		if dup := duplicates(order); len(dup) > 0 {
			t.Fatalf("delivered twice: %v", dup)
		}

		resumed := dialSubscriptions(t, app, app.token)
		resumed.subscribe(t, "1", jsonObject{"after": mid})
		want := order[writers*rounds/3+1:]
		var got []string
		for range want {
			got = append(got, resumed.notice(t, "1").Event.ID)
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("resumed from the middle: got %d events, want the %d after it, each once", len(got), len(want))
		}
	})
}

// duplicates lists the IDs that occur more than once.
func duplicates(ids []string) []string {
	seen := map[string]int{}
	var dup []string
	for _, id := range ids {
		if seen[id]++; seen[id] == 2 {
			dup = append(dup, id)
		}
	}
	return dup
}

// TestSubscriptionReplaysBacklogInBatches: a subscriber resumes from a cursor
// 350 events old (several of the stream's batches) while 50 more commit; it
// gets all 400 exactly once, in commit order, the live ones straight after
// the backlog.
func TestSubscriptionReplaysBacklogInBatches(t *testing.T) {
	const backlog, live = 350, 50
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		first := dialSubscriptions(t, app, app.token)
		first.subscribe(t, "1", nil)
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationA, "start", false)
		start := first.notice(t, "1").Cursor
		first.close()
		app.waitSubscribed(t, 0)

		var want []string
		for i := range backlog {
			want = append(want, fmt.Sprint("backlog ", i))
			createEvent(t, app.db.Client, ids.New("EscalationEvent"), fx.escalationA, want[i])
		}
		resumed := dialSubscriptions(t, app, app.token)
		resumed.subscribe(t, "1", jsonObject{"after": start})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range live {
				createEvent(t, app.db.Client, ids.New("EscalationEvent"), fx.escalationA, fmt.Sprint("live ", i))
			}
		}()
		for i := range live {
			want = append(want, fmt.Sprint("live ", i))
		}
		got, _ := resumed.bodies(t, "1", backlog+live)
		<-done
		if !slices.Equal(got, want) {
			t.Errorf("resumed 350 events back: got %d events, want all %d in commit order, each once", len(got), len(want))
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("first difference at %d: got %q, want %q", i, got[i], want[i])
				}
			}
		}
		app.comment(t, fx.escalationA, "sentinel", false)
		if nt := resumed.notice(t, "1"); nt.Event.Body != "sentinel" {
			t.Errorf("after the backlog and the live events: got %q, want only the sentinel", nt.Event.Body)
		}
	})
}

// TestSubscriptionSSELastEventID: every event on an event stream carries its
// cursor as its id; a client that reconnects with the same request and
// Last-Event-ID, as EventSource does, gets exactly what it missed.
func TestSubscriptionSSELastEventID(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()

		res := openSSE(t, client, app, app.token)
		stream := sseEvents(res.Body)
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationA, "one", false)
		app.comment(t, fx.escalationA, "two", false)
		var last string
		for _, want := range []string{"one", "two"} {
			ev := nextSSE(t, stream)
			var p struct {
				Data struct{ EscalationEvents notice }
			}
			if err := json.Unmarshal([]byte(ev.data), &p); err != nil || p.Data.EscalationEvents.Event.Body != want {
				t.Fatalf("got %+v, want the event %q", ev, want)
			}
			if ev.id == "" || ev.id != p.Data.EscalationEvents.Cursor {
				t.Errorf("event %q has id %q, want its cursor %q", want, ev.id, p.Data.EscalationEvents.Cursor)
			}
			last = ev.id
		}
		res.Body.Close()
		app.waitSubscribed(t, 0)

		app.comment(t, fx.escalationA, "three", false)
		app.comment(t, fx.escalationA, "four", false)
		res = openSSE(t, client, app, app.token, "Last-Event-ID", last)
		stream = sseEvents(res.Body)
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationA, "five", false)
		for _, want := range []string{"three", "four", "five"} {
			if ev := nextSSE(t, stream); !strings.Contains(ev.data, `"`+want+`"`) || ev.id == "" {
				t.Fatalf("after reconnecting got %+v, want the event %q with an id", ev, want)
			}
		}
	})
}

// nextSSE is the next event of stream, which must come within waitFor.
func nextSSE(t *testing.T, stream <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-stream:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return ev
	case <-time.After(waitFor):
		t.Fatal("no event within", waitFor)
	}
	return sseEvent{}
}

// TestWebSocketPermessageDeflate: a client that offers permessage-deflate
// gets it, and its events arrive (compressed, and read back by the client
// library); one that does not offer it gets plain frames.
func TestWebSocketPermessageDeflate(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		for _, tc := range []struct {
			name string
			mode websocket.CompressionMode
			want bool
		}{
			{"offered", websocket.CompressionNoContextTakeover, true},
			{"offered with context takeover", websocket.CompressionContextTakeover, true},
			{"not offered", websocket.CompressionDisabled, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c, res := dialSubscriptionsWith(t, app, app.token, &websocket.DialOptions{CompressionMode: tc.mode})
				ext := res.Header.Get("Sec-WebSocket-Extensions")
				if got := strings.Contains(ext, "permessage-deflate"); got != tc.want {
					t.Errorf("Sec-WebSocket-Extensions %q; want permessage-deflate: %v", ext, tc.want)
				}
				c.subscribe(t, "1", nil)
				app.waitSubscribed(t, 1)
				body := strings.Repeat("a long comment compresses well ", 20)
				app.comment(t, fx.escalationA, body, false)
				if nt := c.notice(t, "1"); nt.Event.Body != body {
					t.Errorf("got %q", nt.Event.Body)
				}
				c.close()
				app.waitSubscribed(t, 0)
			})
		}
	})
}

// TestSubscriptionResumeKey: a graphql-ws client whose socket drops retries
// with its original variables (after: null) and the same resumeKey; events
// committed while it was away, and live ones after, arrive exactly once.
// Another viewer's subscription with the same key is not resumed from it.
func TestSubscriptionResumeKey(t *testing.T) {
	const query = `subscription($after: String, $key: String) {
  escalationEvents(after: $after, resumeKey: $key) { cursor event { id kind internal body } escalation { id title } }
}`
	original := jsonObject{"query": query, "variables": jsonObject{"after": nil, "key": "screen-1"}}
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		first := dialSubscriptions(t, app, app.token)
		first.send(t, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(original)})
		app.waitSubscribed(t, 1)
		for _, b := range []string{"one", "two", "three"} {
			app.comment(t, fx.escalationA, b, false)
		}
		if got, _ := first.bodies(t, "1", 3); !slices.Equal(got, []string{"one", "two", "three"}) {
			t.Fatalf("got %v", got)
		}
		// The client has answered a ping sent after "three": the server
		// knows it has everything up to there. Then the socket drops.
		through := first.received.Load()
		deadline := time.Now().Add(waitFor)
		for first.answered.Load() < through {
			if time.Now().After(deadline) {
				t.Fatal("no ping after the third event")
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = first.conn.CloseNow()
		app.waitSubscribed(t, 0)

		app.comment(t, fx.escalationA, "four", false)
		app.comment(t, fx.escalationA, "five", false)
		retry := dialSubscriptions(t, app, app.token)
		retry.send(t, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(original)})
		app.waitSubscribed(t, 1)
		app.comment(t, fx.escalationA, "six", false)
		if got, _ := retry.bodies(t, "1", 3); !slices.Equal(got, []string{"four", "five", "six"}) {
			t.Errorf("retrying with the original variables and the key: got %v, want four, five, six", got)
		}

		// The key is the viewer's own: the rep's "screen-1" starts afresh.
		rep := dialSubscriptions(t, app, fx.repToken)
		rep.send(t, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(original)})
		app.waitSubscribed(t, 2)
		app.comment(t, fx.escalationA, "seven", false)
		if got, _ := rep.bodies(t, "1", 1); got[0] != "seven" {
			t.Errorf("another viewer with the same key got %v first, want only the live event", got)
		}

		long := jsonObject{"query": query, "variables": jsonObject{"key": strings.Repeat("k", 101)}}
		retry.send(t, wsMessage{ID: "2", Type: "subscribe", Payload: mustJSON(long)})
		for {
			m := retry.next(t)
			if m.ID == "2" {
				if !strings.Contains(string(m.Payload), "resumeKey") {
					t.Errorf("a 101-character key: got %s %s, want an error naming resumeKey", m.Type, m.Payload)
				}
				break
			}
		}
	})
}
