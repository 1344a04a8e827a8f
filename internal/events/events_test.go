package events

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/privacy"
	_ "carrierdesk/ent/runtime"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/ids"
	"carrierdesk/internal/viewer"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "modernc.org/sqlite"
)

// TestEventIDsSpelledAsPackageIDs holds this package's reading of event IDs
// to the IDs package ids makes.
func TestEventIDsSpelledAsPackageIDs(t *testing.T) {
	before := time.Now().Add(-time.Millisecond)
	id := ids.New("EscalationEvent")
	after := time.Now().Add(time.Millisecond)
	if idBytes(id) == nil {
		t.Fatalf("idBytes(%q) = nil", id)
	}
	if got := idTime(id); got.Before(before.Truncate(time.Millisecond)) || got.After(after) {
		t.Errorf("idTime(%q) = %v, want between %v and %v", id, got, before, after)
	}
	if lo, hi := idAt(before), idAt(after); !(lo < id && id < hi) {
		t.Errorf("want %s < %s < %s", lo, id, hi)
	}
	if _, ok := ids.TypeOf(idAt(before)); !ok {
		t.Errorf("idAt makes a malformed ID %q", idAt(before))
	}
	for _, bad := range []string{"", "esc_" + id[4:], id[:len(id)-1], "eev_" + "UPPERCASE0000000000000000000"} {
		if idBytes(bad) != nil {
			t.Errorf("idBytes(%q) accepted", bad)
		}
	}
}

// eventAt is an event ID taken at base plus offset.
func eventAt(base time.Time, offset time.Duration, n byte) string {
	id := idBytes(idAt(base.Add(offset)))
	id[15] = n
	return eventPrefix + idEncoding.EncodeToString(id)
}

func TestWindow(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(sec int, n byte) string { return eventAt(base, time.Duration(sec)*time.Second, n) }
	tests := []struct {
		name     string
		sent     []string // sent in this order
		then     string
		admitted bool
	}{
		{"a new event", []string{at(0, 1), at(1, 1)}, at(2, 1), true},
		{"an event sent before", []string{at(0, 1), at(1, 1)}, at(0, 1), false},
		{"an earlier event committed late, within the lookback", []string{at(0, 1), at(20, 1)}, at(10, 1), true},
		{"an event older than the lookback", []string{at(0, 1), at(40, 1)}, at(5, 1), false},
		{"the same second, another event", []string{at(3, 1)}, at(3, 2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := window{low: idAt(base.Add(-time.Hour))}
			for _, id := range tt.sent {
				if !w.admits(id, true) {
					t.Fatalf("%s refused on first sight", id)
				}
				w.add(id)
			}
			if got := w.admits(tt.then, false); got != tt.admitted {
				t.Errorf("admits = %v, want %v", got, tt.admitted)
			}
			// A cursor carries the window: the resumed subscriber decides alike.
			resumed, err := parseCursor(w.cursor())
			if err != nil {
				t.Fatalf("parseCursor(cursor()): %v", err)
			}
			if got := resumed.admits(tt.then, false); got != tt.admitted {
				t.Errorf("after resuming, admits = %v, want %v", got, tt.admitted)
			}
			for _, id := range tt.sent {
				if resumed.admits(id, true) {
					t.Errorf("after resuming, %s would be sent again", id)
				}
			}
		})
	}
}

func TestWindowRemembersABoundedNumber(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	w := window{low: idAt(base.Add(-time.Hour))}
	var sent []string
	for i := range 3 * maxRemembered {
		id := eventAt(base, time.Duration(i)*time.Millisecond, 0)
		sent = append(sent, id)
		w.add(id)
	}
	if len(w.seen) != maxRemembered {
		t.Errorf("remembers %d IDs, want %d", len(w.seen), maxRemembered)
	}
	for _, id := range sent {
		if w.admits(id, true) {
			t.Fatalf("%s would be sent twice", id)
		}
	}
	if len(w.cursor()) > 2000 {
		t.Errorf("cursor is %d characters", len(w.cursor()))
	}
}

// TestWindowBeforeTheSubscription: events found when a live subscription
// begins are done for a resync, but sent if the feed announces them (they
// committed meanwhile), and a resumed subscription has had them.
func TestWindowBeforeTheSubscription(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	there, committedMeanwhile := eventAt(base, -2*time.Second, 1), eventAt(base, -time.Second, 1)
	w := window{low: idAt(base.Add(-Lookback)), before: []string{there, committedMeanwhile}}
	if w.admits(there, false) || w.admits(committedMeanwhile, false) {
		t.Error("a resync would send events from before the subscription")
	}
	if !w.admits(committedMeanwhile, true) {
		t.Fatal("an announced event found at the start is not sent")
	}
	w.add(committedMeanwhile)
	if w.admits(committedMeanwhile, true) {
		t.Error("sent twice")
	}
	resumed, err := parseCursor(w.cursor())
	if err != nil {
		t.Fatal(err)
	}
	if resumed.admits(there, false) || resumed.admits(committedMeanwhile, false) {
		t.Error("a resumed subscription would get events from before the first one began")
	}
}

func TestParseCursor(t *testing.T) {
	id := ids.New("EscalationEvent")
	w, err := parseCursor(id)
	if err != nil || w.low != id || len(w.seen) != 0 {
		t.Errorf("parseCursor(event ID) = %+v, %v", w, err)
	}
	for _, bad := range []string{"x", "eev_", ids.New("Escalation"), "AAAA", "!!!!", string(make([]byte, 40))} {
		if _, err := parseCursor(bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("parseCursor(%q) = %v, want an invalid-input fault", bad, err)
		}
	}
	// IDs out of order are not a cursor this package made.
	low, a, b := idAt(time.Now().Add(-time.Minute)), ids.New("EscalationEvent"), ids.New("EscalationEvent")
	raw := slices.Concat(idBytes(low), idBytes(b), idBytes(a))
	if _, err := parseCursor(base64.RawURLEncoding.EncodeToString(raw)); err == nil {
		t.Error("parseCursor accepted a cursor with IDs out of order")
	}
}

func TestHubDropsSlowFeed(t *testing.T) {
	var h hub
	slow, fast := h.subscribe(), h.subscribe()
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range fast.Signals() {
			got = append(got, s.ID)
			if len(got) == FeedBuffer+10 {
				return
			}
		}
	}()
	for i := range FeedBuffer + 10 {
		h.publish(Signal{ID: string(rune('a' + i%26))})
		if i == FeedBuffer-1 {
			// Let the fast reader keep up, as a live subscriber does.
			for len(fast.c) > 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	<-done
	if len(got) != FeedBuffer+10 {
		t.Errorf("fast feed got %d signals, want %d", len(got), FeedBuffer+10)
	}
	n := 0
	for range slow.Signals() {
		n++
	}
	if n != FeedBuffer {
		t.Errorf("slow feed held %d signals before it was dropped, want %d", n, FeedBuffer)
	}
	fast.Close()
	fast.Close()
	h.close()
	if _, ok := <-h.subscribe().Signals(); ok {
		t.Error("a feed of a closed hub is open")
	}
}

// openClient opens a fresh SQLite database with the schema and broker's hook.
func openClient(t *testing.T, b Broker) *ent.Client {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "events.db")+"?_pragma=foreign_keys(1)&_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, db)))
	t.Cleanup(func() { client.Close() })
	if err := client.Schema.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	client.EscalationEvent.Use(b.Hook())
	return client
}

// received is what f holds now.
func received(f *Feed) []string {
	var got []string
	for {
		select {
		case s := <-f.Signals():
			got = append(got, s.ID)
		default:
			return got
		}
	}
}

func TestLocalAnnouncesOnCommit(t *testing.T) {
	b := NewLocal()
	defer b.Close()
	client := openClient(t, b)
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	carrier := client.Carrier.Create().SetName("Events Carrier").SetOcn("9E00").SetCcna("EVC").SaveX(ctx)
	account := client.Account.Create().
		SetCarrierID(carrier.ID).
		SetAccountNumber("EV-1").
		SetBan("EV-BAN").
		SetName("Events account").
		SetMarket("Boston").
		SetRegion(enum.RegionNortheast).
		SaveX(ctx)
	feed := b.Subscribe()
	defer feed.Close()
	createdEvent := func(c *ent.Client, esc *ent.Escalation) string {
		return c.EscalationEvent.Query().Where(escalationevent.EscalationID(esc.ID)).OnlyIDX(ctx)
	}
	openEscalation := func(c *ent.Client) (*ent.Escalation, error) {
		return c.Escalation.Create().
			SetAccountID(account.ID).
			SetTitle("Circuit down").
			SetCategory(escalation.CategoryServiceAssurance).
			SetSeverity(escalation.SeveritySev1).
			Save(ctx)
	}

	t.Run("outside a transaction, at once", func(t *testing.T) {
		esc, err := openEscalation(client)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := received(feed), []string{createdEvent(client, esc)}; !slices.Equal(got, want) {
			t.Errorf("announced %v, want %v", got, want)
		}
	})
	t.Run("in a transaction, on commit", func(t *testing.T) {
		tx, err := client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		esc, err := openEscalation(tx.Client())
		if err != nil {
			t.Fatal(err)
		}
		id := createdEvent(tx.Client(), esc)
		if got := received(feed); len(got) != 0 {
			t.Errorf("announced %v before commit", got)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := received(feed); !slices.Equal(got, []string{id}) {
			t.Errorf("announced %v on commit, want [%s]", got, id)
		}
	})
	t.Run("rolled back, never", func(t *testing.T) {
		tx, err := client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := openEscalation(tx.Client()); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := received(feed); len(got) != 0 {
			t.Errorf("announced %v of a rolled-back transaction", got)
		}
	})
	t.Run("closing ends feeds", func(t *testing.T) {
		f := b.Subscribe()
		if err := b.Close(); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if _, ok := <-f.Signals(); ok {
			t.Error("feed open after Close")
		}
	})
}

// TestWatchDropsASubscriberThatFallsBehind: a subscriber whose feed overflows
// is dropped: its stream ends, and the broker never waited for it.
func TestWatchDropsASubscriberThatFallsBehind(t *testing.T) {
	b := NewLocal()
	defer b.Close()
	client := openClient(t, b)
	ctx := viewerContext()
	out, err := Watch(ctx, client, b, "")
	if err != nil {
		t.Fatal(err)
	}
	flood := make([]Signal, 4*FeedBuffer)
	for i := range flood {
		flood[i] = Signal{ID: ids.New("EscalationEvent")}
	}
	done := make(chan struct{})
	go func() { defer close(done); b.hub.publish(flood...) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing waited for a subscriber")
	}
	select {
	case _, open := <-out:
		if open {
			t.Fatal("got an event that was never written")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream of a subscriber that fell behind did not end")
	}
}

// viewerContext is an admin's request context.
func viewerContext() context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{Role: enum.RoleAdmin, RepID: ids.New("Rep")})
}
