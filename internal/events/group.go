package events

import (
	"context"
	"log/slog"
	"sync"

	"carrierdesk/ent"
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/metrics"
)

// MemberBuffer is how many notices a shared stream holds for one subscriber
// that has not taken them yet. A subscriber that falls this far behind
// leaves the group for a stream of its own, which resumes from the last
// notice the group gave it: one slow client never holds up the others, and
// it misses nothing.
const MemberBuffer = 64

// WatchShared streams live escalation events to a new subscriber (one with
// no cursor), as Watch does, but shares the reading with every subscriber
// of the same key on this instance: each event is read once per key, not
// once per subscriber. The key must name exactly what decides the events a
// subscriber may see and wants, its read scope and its filter (see
// rule.EscalationEventScopeKey): the shared stream reads as the first
// subscriber of the key, for all of them.
//
// A subscriber that joins gets every event that commits from then on; it
// may also get a few that committed just before, as a new stream does.
func WatchShared(ctx context.Context, client *ent.Client, broker Broker, key string, where ...predicate.EscalationEvent) (<-chan *Notice, error) {
	m := &member{out: make(chan *Notice, MemberBuffer), ctx: ctx, client: client, broker: broker, where: where}
	k := groupKey{broker: broker, key: key}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	g := shared.groups[k]
	if g == nil {
		// The group reads as this subscriber, for as long as any member
		// stays. Its stream asks the database where "now" is: outside the
		// lock, so that a reconnect wave joining other groups does not
		// queue behind that round trip.
		shared.mu.Unlock()
		gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		in, start, err := watch(gctx, client, broker, "", where...)
		shared.mu.Lock()
		if err != nil {
			cancel()
			return nil, err
		}
		if g = shared.groups[k]; g != nil {
			cancel() // another subscriber of the key opened it meanwhile: join theirs
		} else {
			g = &group{key: k, cancel: cancel, members: map[*member]struct{}{}, last: start}
			if shared.groups == nil {
				shared.groups = map[groupKey]*group{}
			}
			shared.groups[k] = g
			metrics.SubscriberGroups.Inc()
			go g.fanOut(in)
		}
	}
	g.mu.Lock()
	g.members[m] = struct{}{}
	m.last = g.last // what it has had: everything up to the group's last notice
	m.stop = context.AfterFunc(ctx, func() { g.leave(m) })
	g.mu.Unlock()
	metrics.Subscribers.Inc()
	return m.out, nil
}

// shared is this process's groups of subscribers that share a stream.
var shared struct {
	mu     sync.Mutex
	groups map[groupKey]*group
}

type groupKey struct {
	broker Broker
	key    string
}

// group is the subscribers of one key and the stream they share.
type group struct {
	key     groupKey
	cancel  context.CancelFunc
	mu      sync.Mutex
	members map[*member]struct{}
	last    string // the cursor of the last notice fanned out, or of the start
}

// member is one subscriber of a group.
type member struct {
	out  chan *Notice
	stop func() bool
	last string // the cursor of the last notice handed to out

	// What a stream of its own needs, should it fall behind.
	ctx    context.Context
	client *ent.Client
	broker Broker
	where  []predicate.EscalationEvent
}

// fanOut hands each notice of the shared stream to every member without
// waiting; a member without room is dropped. When the stream ends (the
// broker closed, the store failed), every member's stream ends with it.
func (g *group) fanOut(in <-chan *Notice) {
	for n := range in {
		g.mu.Lock()
		g.last = n.Cursor
		for m := range g.members {
			select {
			case m.out <- n:
				m.last = n.Cursor
			default:
				g.detach(m)
			}
		}
		g.mu.Unlock()
	}
	shared.mu.Lock()
	if shared.groups[g.key] == g {
		delete(shared.groups, g.key)
		metrics.SubscriberGroups.Dec()
	}
	shared.mu.Unlock()
	g.mu.Lock()
	for m := range g.members {
		g.drop(m)
	}
	g.mu.Unlock()
}

// detach moves m, which has no room for the next notice, to a stream of
// its own from the last notice it was given; g.mu is held.
func (g *group) detach(m *member) {
	delete(g.members, m)
	m.stop()
	metrics.Subscribers.Dec() // the stream of its own counts itself
	go func() {
		defer close(m.out)
		in, err := Watch(m.ctx, m.client, m.broker, m.last, m.where...)
		if err != nil {
			slog.ErrorContext(m.ctx, "escalation subscriber dropped: it fell behind and could not resume", "err", err)
			return
		}
		for n := range in {
			select {
			case m.out <- n:
			case <-m.ctx.Done():
				return
			}
		}
	}()
}

// drop ends m's stream; g.mu is held.
func (g *group) drop(m *member) {
	delete(g.members, m)
	m.stop()
	close(m.out)
	metrics.Subscribers.Dec()
}

// leave removes a member whose subscriber went away, and ends the shared
// stream with its last member.
func (g *group) leave(m *member) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.members[m]; ok {
		delete(g.members, m)
		close(m.out)
		metrics.Subscribers.Dec()
	}
	if len(g.members) == 0 && shared.groups[g.key] == g {
		delete(shared.groups, g.key)
		metrics.SubscriberGroups.Dec()
		g.cancel()
	}
}

// Subscribers counts the subscriptions open on broker: those with a stream
// of their own, and the members of every shared stream.
func Subscribers(broker interface {
	Broker
	Subscribers() int
}) int {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	n := broker.Subscribers() // feeds: one per own stream, one per group
	for k, g := range shared.groups {
		if k.broker == Broker(broker) {
			g.mu.Lock()
			n += len(g.members) - 1
			g.mu.Unlock()
		}
	}
	return n
}
