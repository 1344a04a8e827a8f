package events

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/metrics"

	"entgo.io/ent/dialect/sql"
)

// catchUpPage is how many missed events one catch-up query reads.
const catchUpPage = 100

// Watch streams to one subscriber the escalation events it may see: given the
// cursor of the last event it saw, first those it missed, from the table in ID
// order, then live ones as they commit on any instance. Every event is re-read
// in ctx, as the subscriber, and must match where. The stream ends with ctx,
// when the subscriber falls FeedBuffer events behind (it resumes from its last
// cursor), or when the store fails.
func Watch(ctx context.Context, client *ent.Client, broker Broker, after string, where ...predicate.EscalationEvent) (<-chan *Notice, error) {
	// Without a cursor the window starts Lookback ago, so that an event taken
	// just before subscribing and committed just after is still sent; the
	// events already there are looked up when the stream starts.
	w := window{low: idAt(time.Now().Add(-Lookback))}
	if after != "" {
		var err error
		if w, err = parseCursor(after); err != nil {
			return nil, err
		}
	}
	s := &stream{client: client, where: where, w: w, out: make(chan *Notice)}
	// Subscribe before the catch-up query: an event that commits while it runs
	// then waits in the feed, and the window drops it if the query found it.
	s.feed = broker.Subscribe()
	go s.run(ctx, after != "")
	return s.out, nil
}

// stream is one subscriber's state.
type stream struct {
	client *ent.Client
	where  []predicate.EscalationEvent
	feed   *Feed
	w      window
	out    chan *Notice
}

func (s *stream) run(ctx context.Context, catchUp bool) {
	metrics.Subscribers.Inc()
	defer metrics.Subscribers.Dec()
	defer close(s.out)
	defer s.feed.Close()
	switch {
	case catchUp && !s.catchUp(ctx, s.w.low):
		return
	case !catchUp && !s.begin(ctx):
		return
	}
	for {
		// Take the next signal and whatever else is waiting, up to a resync,
		// to read the events with one query. A resync waits until the events
		// notified before it are sent, and those after it wait for the resync,
		// so the missed events keep their place.
		var (
			batch  []string
			resync string
		)
		take := func(sig Signal) {
			if sig.Resync {
				resync = max(sig.ID, s.w.low)
				return
			}
			batch = s.admit(batch, sig.ID)
		}
		select {
		case <-ctx.Done():
			return
		case sig, ok := <-s.feed.Signals():
			if !ok {
				slog.InfoContext(ctx, "escalation subscriber dropped: it fell behind, or the broker closed")
				return
			}
			take(sig)
		}
	drain:
		for len(batch) < catchUpPage && resync == "" {
			select {
			case sig, ok := <-s.feed.Signals():
				if !ok {
					break drain
				}
				take(sig)
			default:
				break drain
			}
		}
		if len(batch) > 0 {
			events, err := s.read(ctx, len(batch), escalationevent.IDIn(batch...))
			if err != nil {
				s.fail(ctx, err)
				return
			}
			for _, e := range events {
				if !s.send(ctx, e, true) {
					return
				}
			}
		}
		if resync != "" && !s.catchUp(ctx, resync) {
			return
		}
	}
}

// begin takes the events committed within the window before a live
// subscription began as done, so that a resync does not send them.
func (s *stream) begin(ctx context.Context) bool {
	ids, err := s.client.EscalationEvent.Query().
		Where(append([]predicate.EscalationEvent{escalationevent.IDGT(s.w.low)}, s.where...)...).
		Order(escalationevent.ByID(sql.OrderDesc())).
		Limit(maxRemembered).
		IDs(ctx)
	if err != nil {
		s.fail(ctx, err)
		return false
	}
	slices.Reverse(ids)
	if len(ids) == maxRemembered {
		// More may lie before: take them as done.
		s.w.low, ids = ids[0], ids[1:]
	}
	s.w.before = ids
	return true
}

// catchUp sends, page by page, the events after from that were not sent yet.
func (s *stream) catchUp(ctx context.Context, from string) bool {
	for {
		events, err := s.read(ctx, catchUpPage, escalationevent.IDGT(from))
		if err != nil {
			s.fail(ctx, err)
			return false
		}
		for _, e := range events {
			from = e.ID
			if !s.send(ctx, e, false) {
				return false
			}
		}
		if len(events) < catchUpPage {
			return true
		}
	}
}

// admit adds the live event id to batch if it is still to be sent and not already in it.
func (s *stream) admit(batch []string, id string) []string {
	if !s.w.admits(id, true) {
		return batch
	}
	for _, b := range batch {
		if b == id {
			return batch
		}
	}
	return append(batch, id)
}

// read loads events as the subscriber: the privacy rules in ctx decide what
// it may see, and its filter what it wants.
func (s *stream) read(ctx context.Context, limit int, p predicate.EscalationEvent) ([]*ent.EscalationEvent, error) {
	return s.client.EscalationEvent.Query().
		Where(append([]predicate.EscalationEvent{p}, s.where...)...).
		WithEscalation().
		Order(escalationevent.ByID()).
		Limit(limit).
		All(ctx)
}

// send delivers e unless it was had before; it reports false once ctx ends.
func (s *stream) send(ctx context.Context, e *ent.EscalationEvent, live bool) bool {
	if !s.w.admits(e.ID, live) || e.Edges.Escalation == nil {
		return true
	}
	s.w.add(e.ID)
	n := &Notice{Cursor: s.w.cursor(), Event: e, Escalation: e.Edges.Escalation}
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
