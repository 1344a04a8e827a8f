package events

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
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
	id := ids.New("EscalationEvent")
	if idBytes(id) == nil {
		t.Fatalf("idBytes(%q) = nil", id)
	}
	for _, bad := range []string{"", "esc_" + id[4:], id[:len(id)-1], "eev_" + "UPPERCASE0000000000000000000"} {
		if idBytes(bad) != nil {
			t.Errorf("idBytes(%q) accepted", bad)
		}
	}
}

func TestSnapshotVisible(t *testing.T) {
	s, err := parseSnapshot("100:110:103,107")
	if err != nil {
		t.Fatal(err)
	}
	for tx, want := range map[int64]bool{1: true, 99: true, 100: true, 103: false, 105: true, 107: false, 109: true, 110: false, 5000: false} {
		if got := s.visible(tx); got != want {
			t.Errorf("visible(%d) = %v, want %v", tx, got, want)
		}
	}
	for _, bad := range []string{"", "1:2", "a:b:", "10:5:", "10:20:25", "10:20:5", "10:20:15,12x"} {
		if _, err := parseSnapshot(bad); err == nil {
			t.Errorf("parseSnapshot(%q) accepted", bad)
		}
	}
}

// TestProgress: what a subscriber has had, and what its cursor carries, as
// a transaction that stayed open commits long after many others.
func TestProgress(t *testing.T) {
	// Transaction 100 is open from the start; 101..1100 commit meanwhile.
	had := snapshot{xmin: 100, xmax: 1101, xip: []int64{100}}
	id1, id2 := ids.New("EscalationEvent"), ids.New("EscalationEvent")
	tests := []struct {
		name string
		g    progress
		tx   int64
		id   string
		want bool
	}{
		{"committed before", progress{had: had}, 99, id1, true},
		{"committed meanwhile", progress{had: had}, 1000, id1, true},
		{"the slow transaction, still to come", progress{had: had}, 100, id1, false},
		{"a later transaction", progress{had: had}, 1101, id1, false},
		{"in the next snapshot, up to the last sent", progress{had: had, next: &snapshot{xmin: 1101, xmax: 1200}, last: position{100, id2}}, 100, id1, true},
		{"in the next snapshot, after the last sent", progress{had: had, next: &snapshot{xmin: 1101, xmax: 1200}, last: position{100, id1}}, 100, id2, false},
		{"beyond the next snapshot", progress{had: had, next: &snapshot{xmin: 1101, xmax: 1200}, last: position{1150, id1}}, 1200, id1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.g.has(position{tt.tx, tt.id}); got != tt.want {
				t.Errorf("has = %v, want %v", got, tt.want)
			}
			c := tt.g.cursor()
			if len(c) >= 200 {
				t.Errorf("cursor is %d characters", len(c))
			}
			resumed, err := parseCursor(c)
			if err != nil {
				t.Fatalf("parseCursor(cursor()): %v", err)
			}
			if got := resumed.has(position{tt.tx, tt.id}); got != tt.want {
				t.Errorf("after resuming, has = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseCursor(t *testing.T) {
	for _, bad := range []string{"x", "eev_", ids.New("Escalation"), ids.New("EscalationEvent"), "AAAA", "!!!!", string(make([]byte, 40)),
		// version 2, and a version 1 cursor with trailing bytes
		base64.RawURLEncoding.EncodeToString([]byte{2, 0, 0, 0}),
		progress{had: snapshot{xmin: 5, xmax: 9}}.cursor() + "AA",
	} {
		if _, err := parseCursor(bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("parseCursor(%q) = %v, want an invalid-input fault", bad, err)
		}
	}
	// An in-progress transaction outside its snapshot is not a cursor this package made.
	forged := progress{had: snapshot{xmin: 5, xmax: 9, xip: []int64{12}}}.cursor()
	if _, err := parseCursor(forged); err == nil {
		t.Error("parseCursor accepted an inconsistent snapshot")
	}
}

// TestHubFoldsSignals: a feed that is not read holds one wake-up however
// much is published, stays open, and never makes publishing wait; a feed
// that is read is woken.
func TestHubFoldsSignals(t *testing.T) {
	var h hub
	slow, fast := h.subscribe(), h.subscribe()
	woken := make(chan string, 1000)
	go func() {
		for s := range fast.Signals() {
			woken <- s.ID
		}
		close(woken)
	}()
	for i := range 1000 {
		h.publish(Signal{ID: fmt.Sprint(i)})
	}
	if n := len(slow.c); n != FeedBuffer {
		t.Errorf("slow feed holds %d signals, want %d", n, FeedBuffer)
	}
	if _, ok := <-slow.Signals(); !ok {
		t.Error("the slow feed was closed")
	}
	// Once the publisher is done, the reader has been woken at least once
	// since the last signal it took: a folded signal is still a wake-up.
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("the fast feed was never woken")
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

// TestWatchFoldsSignals: a flood of signals never makes the broker wait for
// a subscriber, and never costs the subscriber its stream (it used to be
// dropped): waiting signals fold into one wake-up. That events still arrive
// after a flood is server's TestSubscriptionLongTransactionManyCommits.
func TestWatchFoldsSignals(t *testing.T) {
	b := NewLocal()
	defer b.Close()
	client := openClient(t, b)
	ctx := viewerContext()
	out, err := Watch(ctx, client, b, "")
	if err != nil {
		t.Fatal(err)
	}
	flood := make([]Signal, 1000)
	for i := range flood {
		flood[i] = Signal{ID: ids.New("EscalationEvent")}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, s := range flood {
			b.hub.publish(s)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing waited for a subscriber")
	}
	// The stream looks once for the folded wake-ups, finds nothing, and stays.
	select {
	case _, open := <-out:
		if !open {
			t.Fatal("the stream ended under a flood of signals")
		}
		t.Fatal("got an event that was never written")
	case <-time.After(time.Second):
	}
}

// viewerContext is an admin's request context.
func viewerContext() context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{Role: enum.RoleAdmin, RepID: ids.New("Rep")})
}

func TestResumesBounded(t *testing.T) {
	now := time.Unix(1e9, 0)
	r := NewResumes()
	r.now = func() time.Time { return now }
	for i := range ResumesPerViewer + 1 {
		r.Remember("v", fmt.Sprint("k", i), fmt.Sprint("c", i))
		now = now.Add(time.Second)
	}
	if _, ok := r.Cursor("v", "k0"); ok {
		t.Error("a viewer's oldest key is kept past ResumesPerViewer")
	}
	if c, ok := r.Cursor("v", fmt.Sprint("k", ResumesPerViewer)); !ok || c != fmt.Sprint("c", ResumesPerViewer) {
		t.Errorf("newest key: %q %v", c, ok)
	}
	if _, ok := r.Cursor("w", "k1"); ok {
		t.Error("another viewer sees v's key")
	}
	now = now.Add(ResumeTTL)
	if _, ok := r.Cursor("v", fmt.Sprint("k", ResumesPerViewer)); ok {
		t.Error("kept past ResumeTTL")
	}
}

// TestBoundedSnapshot: the step a stream takes from had towards now lists at
// most maxListed transactions in progress, contains had, and is part of now.
func TestBoundedSnapshot(t *testing.T) {
	now := snapshot{xmin: 100, xmax: 200}
	for tx := int64(100); tx < 200; tx += 5 {
		now.xip = append(now.xip, tx) // 20 in progress
	}
	hads := []snapshot{
		{xmin: 90, xmax: 90},
		{xmin: 100, xmax: 130, xip: []int64{100, 105, 110, 115, 120, 125}},
		{xmin: 100, xmax: 140, xip: []int64{100, 105, 110, 115, 120, 125, 130, 135}},
	}
	for _, had := range hads {
		step, held := bounded(had, now)
		if !held || len(step.xip) > maxListed {
			t.Errorf("from %v: step %v (held %v) lists too many", had, step, held)
		}
		for tx := int64(0); tx < 250; tx++ {
			if had.visible(tx) && !step.visible(tx) {
				t.Errorf("from %v: step %v loses transaction %d", had, step, tx)
			}
			if step.visible(tx) && !now.visible(tx) {
				t.Errorf("from %v: step %v includes %d, in progress now", had, step, tx)
			}
		}
	}
}
