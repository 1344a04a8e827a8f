package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/internal/ids"

	"entgo.io/ent/dialect"
)

// TestSubscriptionLongTransactionManyCommits: one event's transaction stays
// open for 10 s (on SQLite, whose single writer cannot overlap others, its
// ID is taken first and it commits last) while 1,000 other events commit
// from eight writers. The late event reaches the live subscriber, and every
// subscriber resuming from a cursor taken while it was in flight, exactly
// once; nothing is sent twice.
func TestSubscriptionLongTransactionManyCommits(t *testing.T) {
	const others, writers, hold = 1000, 8, 10 * time.Second
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		live := dialSubscriptions(t, app, app.token)
		live.subscribe(t, "1", nil)
		app.waitSubscribed(t, 1)

		started := time.Now()
		lateID := ids.New("EscalationEvent")
		var tx *ent.Tx
		if app.db.Dialect == dialect.Postgres {
			var err error
			if tx, err = app.db.Client.Tx(allowCtx()); err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			createEvent(t, tx.Client(), lateID, fx.escalationB, "late")
		}

		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < others; i += writers {
					createEvent(t, app.db.Client, ids.New("EscalationEvent"), fx.escalationA, fmt.Sprint("other ", i))
				}
			}()
		}
		// The live subscriber gets the others as they commit; cursors taken
		// along the way are where clients that drop off would resume.
		seen := map[string]bool{}
		var order []string
		cursors := map[int]string{}
		for n := 1; n <= others; n++ {
			nt := live.notice(t, "1")
			if seen[nt.Event.ID] {
				t.Fatalf("event %s (%s) delivered twice", nt.Event.ID, nt.Event.Body)
			}
			seen[nt.Event.ID] = true
			order = append(order, nt.Event.ID)
			if n == 1 || n == others/2 || n == others {
				cursors[n] = nt.Cursor
			}
			if len(nt.Cursor) >= 200 {
				t.Errorf("cursor of %d characters", len(nt.Cursor))
			}
		}
		wg.Wait()
		if seen[lateID] {
			t.Fatal("the late event was delivered before it committed")
		}
		time.Sleep(time.Until(started.Add(hold)))
		if tx != nil {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			createEvent(t, app.db.Client, lateID, fx.escalationB, "late")
		}
		if nt := live.notice(t, "1"); nt.Event.ID != lateID {
			t.Fatalf("after the late commit the live subscriber got %q, want the late event", nt.Event.Body)
		}
		app.comment(t, fx.escalationA, "sentinel", false)
		if nt := live.notice(t, "1"); nt.Event.Body != "sentinel" {
			t.Fatalf("then the live subscriber got %q, want only the sentinel", nt.Event.Body)
		}

		for n, cursor := range cursors {
			want := append(slices.Clone(order[n:]), lateID)
			resumed := dialSubscriptions(t, app, app.token)
			resumed.subscribe(t, "1", jsonObject{"after": cursor})
			var got []string
			for range len(want) {
				got = append(got, resumed.notice(t, "1").Event.ID)
			}
			if nt := resumed.notice(t, "1"); nt.Event.Body != "sentinel" {
				t.Errorf("resumed after %d: got %q after the missed events, want the sentinel", n, nt.Event.Body)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("resumed after %d: got %d events, want the %d it missed, each once", n, len(got), len(want))
			}
			resumed.close()
		}
	})
}

// createEvent writes a comment event with the given ID, as the escalation workflow does.
func createEvent(t *testing.T, c *ent.Client, id, escalationID, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(allowCtx(), waitFor)
	defer cancel()
	err := c.EscalationEvent.Create().
		SetID(id).
		SetEscalationID(escalationID).
		SetKind(escalationevent.KindComment).
		SetBody(body).
		SetCreatedAt(time.Now().UTC()).
		Exec(ctx)
	if err != nil {
		t.Errorf("writing event %s: %v", body, err)
	}
}
