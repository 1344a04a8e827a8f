package events

import (
	"context"
	"errors"
	"sync"

	"carrierdesk/ent"
	"carrierdesk/ent/hook"
	"carrierdesk/internal/metrics"

	entgo "entgo.io/ent"
)

// Broker fans the IDs of committed escalation events out to the subscribers
// of this instance. It carries IDs, never rows: each subscriber re-reads an
// event as itself before sending it, so authorization is decided per viewer.
type Broker interface {
	// Subscribe returns a feed of the events committed from now on.
	Subscribe() *Feed
	// Hook announces every escalation event created through a client after
	// its transaction commits, and not at all if it rolls back.
	Hook() ent.Hook
	// Close stops the broker and ends every feed.
	Close() error
	// commitOrder is how the broker's database places events in commit order.
	commitOrder() commitOrder
}

// Signal is what a feed carries: the ID of an event that committed or, when
// Resync is set, word that notifications may have been lost. Either way a
// subscriber looks in the table for what it has not had (see Watch): a signal
// only says when to look.
type Signal struct {
	ID     string
	Resync bool
}

// FeedBuffer is how many signals a feed holds for a subscriber that has not taken
// them yet. A signal only says "look again", and one waiting says it for all
// that come after it, so a full feed takes no more: the broker never waits
// for a subscriber, and a busy one misses no event (it looks once for all).
const FeedBuffer = 1

// Feed is one subscriber's share of a broker.
type Feed struct {
	c    chan Signal
	hub  *hub
	once sync.Once
}

// Signals delivers wake-ups: after one, look for what committed. Signals
// that arrive while one waits are folded into it. It is closed when the
// broker closes.
func (f *Feed) Signals() <-chan Signal { return f.c }

// Close unsubscribes; the broker sends nothing more.
func (f *Feed) Close() { f.once.Do(func() { f.hub.remove(f) }) }

// hub is the fan-out both brokers share: a set of feeds and a non-blocking send.
type hub struct {
	mu     sync.Mutex
	feeds  map[*Feed]struct{}
	closed bool
}

func (h *hub) subscribe() *Feed {
	f := &Feed{c: make(chan Signal, FeedBuffer), hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(f.c)
		return f
	}
	if h.feeds == nil {
		h.feeds = make(map[*Feed]struct{})
	}
	h.feeds[f] = struct{}{}
	return f
}

// publish hands signals to every feed without waiting: a feed that already
// holds a signal needs no other.
func (h *hub) publish(signals ...Signal) {
	for _, s := range signals {
		if !s.Resync {
			metrics.EventsPublished.Inc()
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(signals) == 0 {
		return
	}
	for f := range h.feeds {
		select {
		case f.c <- signals[len(signals)-1]:
		default: // a wake-up is already waiting
		}
	}
}

// len is how many feeds are open.
func (h *hub) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.feeds)
}

func (h *hub) remove(f *Feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.feeds[f]; ok {
		delete(h.feeds, f)
		close(f.c)
	}
}

// close ends every feed; later subscriptions get a closed feed.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for f := range h.feeds {
		delete(h.feeds, f)
		close(f.c)
	}
}

// afterCreate is an ent hook that calls announce with the ID of every
// escalation event a mutation creates, after the row is written.
func afterCreate(announce func(context.Context, *ent.EscalationEventMutation, string) error) ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.EscalationEventFunc(func(ctx context.Context, m *ent.EscalationEventMutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			id, ok := m.ID()
			if e, isEvent := v.(*ent.EscalationEvent); isEvent {
				id, ok = e.ID, true
			}
			if !ok {
				return v, errors.New("announcing an escalation event: the created event has no ID")
			}
			return v, announce(ctx, m, id)
		})
	}, entgo.OpCreate)
}
