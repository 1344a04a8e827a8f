package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/events"
	"carrierdesk/internal/ids"
	"carrierdesk/internal/viewer"
)

// TestSubscriptionsShareReads: live subscribers who may see the same events
// and ask for the same ones share one read per event (one per read scope
// and filter, not one per subscriber), and each still gets exactly what it
// may see, exactly once: the admin everything, the rep of account A its
// escalation, carrier A its public comments only, a carrier's filter naming
// another carrier nothing.
func TestSubscriptionsShareReads(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		var subs []sub
		open := func(token string, n int, want []string, where map[string]any) {
			c := dialSubscriptions(t, app, token)
			for i := range n {
				id := fmt.Sprint(i)
				var vars jsonObject
				if where != nil {
					vars = jsonObject{"where": where}
				}
				c.subscribe(t, id, vars)
				subs = append(subs, sub{c, id, want})
			}
		}
		round := func(tag string) int64 {
			t.Helper()
			app.waitSubscribed(t, len(subs))
			app.countStatements()
			app.comment(t, fx.escalationB, tag+" B public", false)
			app.comment(t, fx.escalationA, tag+" A internal", true)
			app.comment(t, fx.escalationA, tag+" A public", false)
			expect(t, subs2conns(subs), func(w string) string { return tag + " " + w })
			// A sentinel on A: every subscriber that sees A gets it next, so
			// nothing else was queued for anyone.
			app.comment(t, fx.escalationA, tag+" sentinel", false)
			expect(t, sentinels(subs), func(w string) string { return tag + " " + w })
			return app.statements.Load()
		}
		everything := []string{"B public", "A internal", "A public"}
		// One subscriber per read scope and filter.
		open(app.token, 1, everything, nil)
		open(fx.repToken, 1, []string{"A internal", "A public"}, nil)
		open(fx.carrierToken, 1, []string{"A public"}, nil)
		open(fx.carrierToken, 1, nil, map[string]any{"carrierIDs": []string{fx.carrierB}})
		alone := round("first")
		// Forty more in the same scopes, on other connections.
		open(app.token, 10, everything, nil)
		open(app.token, 10, everything, nil)
		open(fx.repToken, 10, []string{"A internal", "A public"}, nil)
		open(fx.carrierToken, 10, []string{"A public"}, nil)
		shared := round("second")
		// Reading per subscriber, forty more would cost at least 160 more.
		if shared > alone+40 {
			t.Fatalf("44 subscribers in 4 scopes took %d statements for 4 events, 4 subscribers %d: reads are not shared", shared, alone)
		}
		t.Logf("statements for 4 events: %d with 4 subscribers, %d with 44", alone, shared)
	})
}

// sub is one subscription of a test connection and the bodies it should get.
type sub struct {
	c    *wsClient
	id   string
	want []string
}

// subs2conns groups subscriptions by connection: their messages interleave there.
func subs2conns(subs []sub) map[*wsClient][]sub {
	m := map[*wsClient][]sub{}
	for _, s := range subs {
		m[s.c] = append(m[s.c], s)
	}
	return m
}

// sentinels expects one "sentinel" on every subscription that sees A.
func sentinels(subs []sub) map[*wsClient][]sub {
	var out []sub
	for _, s := range subs {
		if slices.Contains(s.want, "A public") {
			out = append(out, sub{s.c, s.id, []string{"sentinel"}})
		}
	}
	return subs2conns(out)
}

// expect reads every connection's messages and checks each subscription got
// exactly its bodies, in order, and nothing else.
func expect(t *testing.T, conns map[*wsClient][]sub, spell func(string) string) {
	t.Helper()
	for c, subs := range conns {
		want, total := map[string][]string{}, 0
		for _, s := range subs {
			for _, w := range s.want {
				want[s.id] = append(want[s.id], spell(w))
			}
			total += len(s.want)
		}
		got := map[string][]string{}
		for range total {
			m := c.next(t)
			var p struct {
				Data struct{ EscalationEvents notice }
			}
			if m.Type != "next" || json.Unmarshal(m.Payload, &p) != nil {
				t.Fatalf("unexpected %s %s", m.Type, m.Payload)
			}
			got[m.ID] = append(got[m.ID], p.Data.EscalationEvents.Event.Body)
		}
		for _, s := range subs {
			if !slices.Equal(got[s.id], want[s.id]) {
				t.Fatalf("subscription %s got %v, want %v", s.id, got[s.id], want[s.id])
			}
		}
	}
}

// TestSharedStreamSlowSubscriber: a subscriber that stops reading while
// events pour in does not hold up the others sharing its stream, and when
// it reads again it gets every event exactly once, in the same order: past
// MemberBuffer it moves to a stream of its own, from the last event the
// shared stream gave it.
func TestSharedStreamSlowSubscriber(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		ctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), &viewer.Viewer{Role: enum.RoleAdmin, RepID: ids.New("Rep")}))
		defer cancel()
		fast, err := events.WatchShared(ctx, app.db.Client, app.db.Events, "test|all")
		if err != nil {
			t.Fatal(err)
		}
		slow, err := events.WatchShared(ctx, app.db.Client, app.db.Events, "test|all")
		if err != nil {
			t.Fatal(err)
		}
		const n = 3 * events.MemberBuffer
		var want []string
		for i := range n {
			id := ids.New("EscalationEvent")
			createEvent(t, app.db.Client, id, fx.escalationA, fmt.Sprint("burst ", i))
			want = append(want, id)
		}
		read := func(name string, ch <-chan *events.Notice) []string {
			var got []string
			timeout := time.After(waitFor)
			for len(got) < n {
				select {
				case nt, ok := <-ch:
					if !ok {
						t.Fatalf("%s: the stream ended after %d events", name, len(got))
					}
					got = append(got, nt.Event.ID)
				case <-timeout:
					t.Fatalf("%s: %d of %d events", name, len(got), n)
				}
			}
			return got
		}
		if got := read("fast", fast); !slices.Equal(got, want) {
			t.Fatalf("the fast subscriber got %d events, not the %d written in order", len(got), n)
		}
		if got := read("slow", slow); !slices.Equal(got, want) {
			t.Fatalf("the slow subscriber got %d events (%d distinct), not the %d written in order", len(got), distinct(got), n)
		}
		select {
		case nt := <-slow:
			t.Fatalf("the slow subscriber got more: %v", nt)
		case <-time.After(200 * time.Millisecond):
		}
	})
}

// TestSharedStreamConcurrentJoins: subscribers of one key arriving at once
// end up on one shared stream, and each gets the next event exactly once.
func TestSharedStreamConcurrentJoins(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		ctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), &viewer.Viewer{Role: enum.RoleAdmin, RepID: ids.New("Rep")}))
		defer cancel()
		const n = 20
		outs := make([]<-chan *events.Notice, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := events.WatchShared(ctx, app.db.Client, app.db.Events, "test|joins")
				if err != nil {
					t.Error(err)
				}
				outs[i] = out
			}()
		}
		wg.Wait()
		// The streams opened by the subscribers that lost the race end; one stays.
		broker := app.db.Events.(interface{ Subscribers() int })
		deadline := time.Now().Add(waitFor)
		for broker.Subscribers() != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("%d streams for one key", broker.Subscribers())
			}
			time.Sleep(5 * time.Millisecond)
		}
		id := ids.New("EscalationEvent")
		createEvent(t, app.db.Client, id, fx.escalationA, "to all")
		for i, out := range outs {
			select {
			case nt := <-out:
				if nt.Event.ID != id {
					t.Fatalf("subscriber %d got %s, want %s", i, nt.Event.ID, id)
				}
			case <-time.After(waitFor):
				t.Fatalf("subscriber %d got nothing", i)
			}
			select {
			case nt := <-out:
				t.Fatalf("subscriber %d got %s twice or more", i, nt.Event.ID)
			default:
			}
		}
	})
}
