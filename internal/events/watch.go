package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/metrics"

	"entgo.io/ent/dialect/sql"
)

// catchUpPage is how many events one query reads.
const catchUpPage = 100

// Watch streams to one subscriber the escalation events it may see: given the
// cursor of the last event it saw, first those it missed, then live ones as
// they commit on any instance, each exactly once, in commit order (see
// cursor.go). Every event is read in ctx, as the subscriber, and must match
// where. The stream ends with ctx, when the broker closes, or when the store
// fails; the subscriber resumes from its last cursor.
func Watch(ctx context.Context, client *ent.Client, broker Broker, after string, where ...predicate.EscalationEvent) (<-chan *Notice, error) {
	out, _, err := watch(ctx, client, broker, after, where...)
	return out, err
}

// watch is Watch, and the cursor of the point the stream starts from.
func watch(ctx context.Context, client *ent.Client, broker Broker, after string, where ...predicate.EscalationEvent) (<-chan *Notice, string, error) {
	s := &stream{client: client, where: where, order: broker.commitOrder(), out: make(chan *Notice)}
	var err error
	switch {
	case after == "":
		var now snapshot
		if now, err = s.order.now(ctx, client); err == nil {
			// With many writers in flight, a new subscriber starts a little
			// before now: it may first get a few events that committed just
			// before it subscribed, never miss one.
			s.at.had, _ = bounded(snapshot{}, now)
		}
	case idBytes(after) != nil:
		// A plain event ID, for clients that start from a timeline they
		// queried: everything committed after that event's transaction.
		s.at, err = s.order.after(ctx, client, after)
	default:
		s.at, err = parseCursor(after)
	}
	if err != nil {
		return nil, "", err
	}
	start := s.at.cursor()
	// Subscribe after taking the starting point, and look once right after:
	// an event that commits in between is outside the starting point, so
	// that look finds it; one that commits later is signalled too.
	s.feed = broker.Subscribe()
	go s.run(ctx)
	return s.out, start, nil
}

// stream is one subscriber's state.
type stream struct {
	client *ent.Client
	where  []predicate.EscalationEvent
	order  commitOrder
	feed   *Feed
	at     progress
	out    chan *Notice
	// held is set while more writers are in flight than a cursor lists and
	// some committed events wait for older transactions to end (see bounded):
	// those may write no event, so no signal would come, and the stream looks
	// again after heldRetry.
	held bool
}

// heldRetry is how soon a stream with events held back looks again.
const heldRetry = 250 * time.Millisecond

func (s *stream) run(ctx context.Context) {
	metrics.Subscribers.Inc()
	defer metrics.Subscribers.Dec()
	defer close(s.out)
	defer s.feed.Close()
	// A resumed subscriber first gets what it missed; a new one has nothing
	// to catch up on, but looking costs one query and keeps one path.
	for {
		if !s.deliverPending(ctx) {
			return
		}
		// Any signal, whatever event it names, means "look again": the
		// progress, not the signal, decides what is new. Signals that queued
		// meanwhile are covered by the same look.
		var retry <-chan time.Time
		if s.held {
			retry = time.After(heldRetry)
		}
		select {
		case <-ctx.Done():
			return
		case <-retry:
			continue
		case _, ok := <-s.feed.Signals():
			if !ok {
				slog.InfoContext(ctx, "escalation subscriber dropped: the broker closed")
				return
			}
		}
	drain:
		for {
			select {
			case _, ok := <-s.feed.Signals():
				if !ok {
					break drain
				}
			default:
				break drain
			}
		}
	}
}

// deliverPending sends, page by page, every event committed that the
// subscriber has not had; it reports false once the stream must end.
func (s *stream) deliverPending(ctx context.Context) bool {
	for {
		// Finish the snapshot the progress is part way through; then take a
		// fresh one, and stop once a fresh one has nothing more.
		upTo, fresh := s.at.next, s.at.next == nil
		if fresh {
			now, err := s.order.now(ctx, s.client)
			if err != nil {
				s.fail(ctx, err)
				return false
			}
			now, s.held = bounded(s.at.had, now)
			upTo = &now
		}
		events, positions, err := s.read(ctx, *upTo)
		if err != nil {
			s.fail(ctx, err)
			return false
		}
		for i, e := range events {
			next := progress{had: s.at.had, next: upTo, last: positions[i]}
			if i == len(events)-1 && len(events) < catchUpPage {
				next = progress{had: *upTo} // the page holds all there was
			}
			if !s.send(ctx, e, next) {
				return false
			}
		}
		if len(events) < catchUpPage {
			s.at = progress{had: *upTo}
			if fresh {
				return true
			}
		}
	}
}

// read loads, as the subscriber, the next page of events visible in upTo that
// it has not had, in delivery order. Events it may not see are not loaded, and
// count as had once a later one is sent or the page ends.
func (s *stream) read(ctx context.Context, upTo snapshot) ([]*ent.EscalationEvent, []position, error) {
	col := s.order.column()
	events, err := s.client.EscalationEvent.Query().
		Where(s.where...).
		Where(pendingIn(col, s.at, upTo)).
		WithEscalation().
		Order(func(sel *sql.Selector) { sel.OrderBy(sel.C(col), sel.C(escalationevent.FieldID)) }).
		Limit(catchUpPage).
		Modify(func(sel *sql.Selector) { sel.AppendSelectAs(sel.C(col), positionColumn) }).
		All(ctx)
	if err != nil {
		return nil, nil, err
	}
	positions := make([]position, len(events))
	for i, e := range events {
		v, err := e.Value(positionColumn)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the position of event %s: %w", e.ID, err)
		}
		tx, ok := v.(int64)
		if !ok {
			return nil, nil, fmt.Errorf("event %s has no commit position (%T)", e.ID, v)
		}
		positions[i] = position{tx: tx, id: e.ID}
	}
	return events, positions, nil
}

// positionColumn is the alias under which read selects an event's position.
const positionColumn = "commit_position"

// pendingIn selects the events visible in upTo that the progress has not had.
func pendingIn(col string, at progress, upTo snapshot) predicate.EscalationEvent {
	return func(sel *sql.Selector) {
		c := sel.C(col)
		ps := []*sql.Predicate{notVisible(c, at.had), visible(c, upTo)}
		if at.next != nil {
			ps = append(ps, sql.Or(
				sql.GT(c, at.last.tx),
				sql.And(sql.EQ(c, at.last.tx), sql.GT(sel.C(escalationevent.FieldID), at.last.id)),
			))
		}
		sel.Where(sql.And(ps...))
	}
}

func visible(c string, s snapshot) *sql.Predicate {
	p := sql.LT(c, s.xmax)
	if len(s.xip) > 0 {
		p = sql.And(p, sql.NotIn(c, txArgs(s.xip)...))
	}
	return sql.Or(sql.LT(c, s.xmin), p)
}

func notVisible(c string, s snapshot) *sql.Predicate {
	p := sql.GTE(c, s.xmax)
	if len(s.xip) > 0 {
		p = sql.Or(p, sql.In(c, txArgs(s.xip)...))
	}
	return sql.And(sql.GTE(c, s.xmin), p)
}

func txArgs(txs []int64) []any {
	args := make([]any, len(txs))
	for i, tx := range txs {
		args[i] = tx
	}
	return args
}

// send delivers e with the progress that includes it; it reports false once ctx ends.
func (s *stream) send(ctx context.Context, e *ent.EscalationEvent, at progress) bool {
	s.at = at
	if e.Edges.Escalation == nil {
		return true
	}
	n := &Notice{Cursor: at.cursor(), Event: e, Escalation: e.Edges.Escalation}
	select {
	case s.out <- n:
		metrics.EventsDelivered.Inc()
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *stream) fail(ctx context.Context, err error) {
	if ctx.Err() == nil {
		slog.ErrorContext(ctx, "escalation subscription ended: reading events failed", "err", err)
	}
}

// commitOrder is how a database places events in commit order.
type commitOrder interface {
	// column is the events table's column that holds an event's position.
	column() string
	// now is a snapshot of what has committed.
	now(ctx context.Context, client *ent.Client) (snapshot, error)
	// after is the progress of a subscriber that has had event id and everything before it.
	after(ctx context.Context, client *ent.Client, id string) (progress, error)
}

// postgresOrder uses transaction IDs and PostgreSQL's own snapshots.
type postgresOrder struct{}

func (postgresOrder) column() string { return escalationevent.FieldCommitTxid }

func (postgresOrder) now(ctx context.Context, client *ent.Client) (snapshot, error) {
	var text string
	if err := queryOne(ctx, client, "SELECT pg_current_snapshot()::text", &text); err != nil {
		return snapshot{}, fmt.Errorf("taking a snapshot: %w", err)
	}
	return parseSnapshot(text)
}

func (o postgresOrder) after(ctx context.Context, client *ent.Client, id string) (progress, error) {
	return afterEvent(ctx, client, o, id)
}

// sqliteOrder uses rowids, which SQLite's single writer hands out in commit order.
type sqliteOrder struct{}

func (sqliteOrder) column() string { return "rowid" }

func (sqliteOrder) now(ctx context.Context, client *ent.Client) (snapshot, error) {
	var next int64
	if err := queryOne(ctx, client, "SELECT COALESCE(MAX(rowid), 0) + 1 FROM "+escalationevent.Table, &next); err != nil {
		return snapshot{}, fmt.Errorf("reading the last rowid: %w", err)
	}
	return snapshot{xmin: next, xmax: next}, nil
}

// queryOne scans the one row of a one-column query into dst.
func queryOne(ctx context.Context, client *ent.Client, query string, dst any) error {
	rows, err := client.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("no row")
	}
	return rows.Scan(dst)
}

func (o sqliteOrder) after(ctx context.Context, client *ent.Client, id string) (progress, error) {
	return afterEvent(ctx, client, o, id)
}

// afterEvent is the progress "everything up to event id's transaction": a
// transaction that began before it and committed after it is missed, which
// is why clients resume from cursors, not event IDs.
func afterEvent(ctx context.Context, client *ent.Client, o commitOrder, id string) (progress, error) {
	var rows []struct {
		Position int64 `sql:"position"`
	}
	err := client.EscalationEvent.Query().
		Where(escalationevent.ID(id)).
		Modify(func(sel *sql.Selector) { sel.Select(sql.As(sel.C(o.column()), "position")) }).
		Scan(ctx, &rows)
	if err != nil {
		return progress{}, err
	}
	if len(rows) != 1 {
		return progress{}, errBadCursor
	}
	next := rows[0].Position + 1
	return progress{had: snapshot{xmin: next, xmax: next}}, nil
}
